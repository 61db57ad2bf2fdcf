"""Quantum confinement in the real shell geometry (SCIENCE §8)."""

import math

import numpy as np
import pytest

from lnhet_widgets.core.photophysics import REDUCED_MASS_ME, confinement_energy_ev

HBAR, M_E, EV = 1.054571817e-34, 9.1093837015e-31, 1.602176634e-19


def particle_in_a_cube_ev(edge_nm, mass_me=REDUCED_MASS_ME):
    return 3 * math.pi**2 * HBAR**2 / (2 * mass_me * M_E * (edge_nm * 1e-9) ** 2) / EV


@pytest.mark.parametrize("edge_nm", [4.0, 9.5, 10.4, 20.0])
@pytest.mark.parametrize("mass_me", [0.126, 0.5])
def test_no_core_matches_the_particle_in_a_cube(edge_nm, mass_me):
    value = confinement_energy_ev(edge_nm, mass_me=mass_me)
    assert value == pytest.approx(particle_in_a_cube_ev(edge_nm, mass_me), rel=0.01)


def test_a_core_raises_the_energy_and_converges_with_the_grid():
    bare = confinement_energy_ev(10.4)
    coarse, fine = (confinement_energy_ev(10.4, core_diameters_nm=(4.9,), grid_points=n)
                    for n in (30, 50))
    assert fine > 2.5 * bare  # the exciton is squeezed into the shell
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
