"""Quantum confinement in the real shell geometry (SCIENCE §8)."""

import math

import numpy as np
import pytest
from scipy import constants

from lnhet_widgets.core.optics import (
    EXCITON_BOHR_RADIUS_NM,
    REDUCED_MASS_ME,
    confinement_energy_ev,
    confinement_mass_me,
    exciton_gap_ev,
)

HBAR, M_E, EV = constants.hbar, constants.m_e, constants.e


def particle_in_a_cube_ev(edge_nm, mass_me):
    return 3 * math.pi**2 * HBAR**2 / (2 * mass_me * M_E * (edge_nm * 1e-9) ** 2) / EV


@pytest.mark.parametrize("perovskite", ["CsPbCl3", "CsPbBr3", "CsPbI3"])
def test_regime_mass_is_the_centre_of_mass_from_two_bohr_radii(perovskite):
    mu = REDUCED_MASS_ME[perovskite]
    limit = 2 * EXCITON_BOHR_RADIUS_NM[perovskite]
    assert confinement_mass_me(perovskite, limit) == pytest.approx(4 * mu)  # M = m_e + m_h
    assert confinement_mass_me(perovskite, 1.5 * limit) == pytest.approx(4 * mu)
    assert confinement_mass_me(perovskite, 0.99 * limit) == mu  # strong: reduced mass


def test_p1_cubes_are_in_the_centre_of_mass_regime():
    # 9.5–10.4 nm CsPbBr3 cubes are 2.7–3.0 Bohr radii (a_B = 3.5 nm) wide.
    for edge in (9.5, 10.4):
        assert 2.5 < edge / EXCITON_BOHR_RADIUS_NM["CsPbBr3"] < 3.1
        assert confinement_mass_me("CsPbBr3", edge) == pytest.approx(0.504)


@pytest.mark.parametrize("edge_nm", [9.5, 10.4, 20.0])
def test_no_core_centre_of_mass_matches_the_particle_in_a_cube(edge_nm):
    exact = particle_in_a_cube_ev(edge_nm, 4 * REDUCED_MASS_ME["CsPbBr3"])
    assert confinement_energy_ev(edge_nm) == pytest.approx(exact, rel=0.01)
    chloride = particle_in_a_cube_ev(edge_nm, 4 * REDUCED_MASS_ME["CsPbCl3"])
    assert confinement_energy_ev(edge_nm, perovskite="CsPbCl3") == pytest.approx(chloride,
                                                                                rel=0.01)


def test_strong_confinement_uses_the_reduced_mass():
    exact = particle_in_a_cube_ev(5.0, REDUCED_MASS_ME["CsPbBr3"])
    assert confinement_energy_ev(5.0) == pytest.approx(exact, rel=0.01)


def test_gap_is_bulk_plus_confinement_of_the_shell_perovskite():
    from lnhet_widgets.core.optics import BULK_GAP_EV
    for perovskite in ("CsPbCl3", "CsPbBr3"):
        bare = exciton_gap_ev(perovskite, 10.4)
        cored = exciton_gap_ev(perovskite, 10.4, core_diameters_nm=(4.9,))
        assert bare == pytest.approx(BULK_GAP_EV[perovskite]
                                     + confinement_energy_ev(10.4, perovskite=perovskite))
        assert cored > bare
    with pytest.raises(ValueError, match="perovskite must be one of"):
        exciton_gap_ev("CsSnBr3", 10.0)


@pytest.mark.parametrize("edge_nm", [4.0, 9.5, 10.4, 20.0])
@pytest.mark.parametrize("mass_me", [0.126, 0.5])
def test_no_core_matches_the_particle_in_a_cube(edge_nm, mass_me):
    value = confinement_energy_ev(edge_nm, mass_me=mass_me)
    assert value == pytest.approx(particle_in_a_cube_ev(edge_nm, mass_me), rel=0.01)


def test_a_core_raises_the_energy_and_converges_with_the_grid():
    bare = confinement_energy_ev(10.4)
    coarse, fine = (confinement_energy_ev(10.4, core_diameters_nm=(4.9,), grid_points=n)
                    for n in (30, 50))
    assert fine > 2.0 * bare  # the exciton is squeezed into the shell
    assert abs(fine / coarse - 1) < 0.02


def test_bigger_core_and_more_cores_confine_more():
    energies = [confinement_energy_ev(10.0, core_diameters_nm=(d,)) for d in (2.0, 4.0, 6.0)]
    assert np.all(np.diff(energies) > 0)
    one = confinement_energy_ev(14.0, core_diameters_nm=(3.7,))
    two = confinement_energy_ev(14.0, core_diameters_nm=(3.7, 3.7),
                                core_centers_nm=[[-3.0, 0, 0], [3.0, 0, 0]])
    assert two > one


def test_off_centre_core_confines_less_than_a_centred_one():
    centred = confinement_energy_ev(10.0, core_diameters_nm=(4.0,))
    shifted = confinement_energy_ev(10.0, core_diameters_nm=(4.0,),
                                    core_centers_nm=[[2.5, 0.0, 0.0]])
    assert shifted < centred


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"edge_nm": 0.5}, r"edge_nm = 0.5 nm"),
        ({"mass_me": 0.0}, r"mass_me = 0.0 m_e"),
        ({"perovskite": "CsPbF3"}, r"perovskite must be one of"),
        ({"grid_points": 5}, r"grid_points = 5"),
        ({"core_diameters_nm": (12.0,)}, r"core_diameters_nm = 12.0 nm"),
        ({"core_diameters_nm": (3.0,), "core_centers_nm": [[0, 0, 0], [1, 1, 1]]},
         "2 centres for 1 core"),
        ({"core_diameters_nm": (3.0,), "core_centers_nm": [[6, 0, 0]]}, "inside the cube"),
    ],
)
def test_bad_input(kwargs, message):
    kwargs = {"edge_nm": 10.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        confinement_energy_ev(kwargs.pop("edge_nm"), **kwargs)
