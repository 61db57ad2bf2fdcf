import numpy as np
import pytest

from lnhet_widgets.core.crystal import (
    UNIFORM_SHELL_LIMIT_EV_NM2,
    CoreShellStrain,
    coreshell_strain,
    shell_displacement_nm,
)


def test_thick_shell_limit_is_eshelby_inclusion():
    kc, ks, gs, f = 80.0, 15.5, 5.9, 0.02
    s = coreshell_strain(1.0, 1e4, f, core_bulk_gpa=kc, shell_bulk_gpa=ks, shell_shear_gpa=gs)
    assert s.pressure_gpa == pytest.approx(-12 * kc * gs * f / (3 * kc + 4 * gs), rel=1e-6)


def test_pressure_formula_and_sign_convention():
    a, b, f = 2.0, 5.0, 0.078
    s = coreshell_strain(a, b, f)
    compliance = 1 / (3 * 80) + (a**3 / (3 * 15.5) + b**3 / (4 * 5.9)) / (b**3 - a**3)
    assert s.pressure_gpa == pytest.approx(-f / compliance)
    # A larger shell lattice puts the core in tension and compresses the shell's hoop direction.
    assert s.pressure_gpa < 0
    assert s.shell_hoop_strain_at_interface < 0
    assert coreshell_strain(a, b, -f).pressure_gpa == pytest.approx(-s.pressure_gpa)


def test_boundary_conditions_of_the_stress_field():
    s = coreshell_strain(3.0, 8.0, 0.05)
    shell = s.r_nm >= s.core_radius_nm
    assert s.sigma_rr_gpa[shell][0] == pytest.approx(-s.pressure_gpa)
    assert s.sigma_rr_gpa[-1] == pytest.approx(0.0, abs=1e-12)
    assert np.allclose(s.sigma_rr_gpa[~shell], -s.pressure_gpa)


def test_interface_displacement_jump_equals_the_misfit():
    a, b, f = 3.0, 8.0, 0.05
    s = coreshell_strain(a, b, f)
    u_core = -s.pressure_gpa * a / (3 * s.core_bulk_gpa)
    u_shell = shell_displacement_nm(a, a, b, s.pressure_gpa, shell_bulk_gpa=15.5,
                                    shell_shear_gpa=5.9)
    # Coherence: the shell is compressed relative to the core by exactly f at the interface.
    assert (u_shell - u_core) / a == pytest.approx(-f, rel=1e-9)


def test_energy_is_half_pressure_times_misfit_volume_and_grows_with_core():
    s = coreshell_strain(2.0, 6.0, 0.03)
    assert s.energy_ev == pytest.approx(
        2 * np.pi * 2.0**3 * abs(0.03 * s.pressure_gpa) * 1e-18 / 1.602176634e-19)
    thin = [coreshell_strain(r, r + 2.0, 0.03).energy_density_ev_nm2 for r in (1, 2, 4, 8)]
    assert np.all(np.diff(thin) > 0)
    thick = [coreshell_strain(r, 1e4, 0.03).energy_density_ev_nm2 for r in (1.0, 2.0, 4.0)]
    assert thick[1] / thick[0] == pytest.approx(2.0, rel=1e-6)
    assert UNIFORM_SHELL_LIMIT_EV_NM2 == (0.6, 0.85)


def test_zero_misfit_is_stress_free():
    s = coreshell_strain(2.0, 5.0, 0.0)
    assert s.energy_ev == 0.0
    assert not np.any(s.sigma_tt_gpa)


@pytest.mark.parametrize(
    ("args", "match"),
    [((-1.0, 5.0, 0.01), "core_radius_nm"), ((2.0, 1.0, 0.01), "outer_radius_nm"),
     ((2.0, 5.0, 0.5), "misfit")],
)
def test_bad_input_names_the_field(args, match):
    with pytest.raises(ValueError, match=match):
        coreshell_strain(*args)


def test_json_and_csv_round_trip(tmp_path):
    s = coreshell_strain(2.0, 5.0, 0.05)
    again = CoreShellStrain.from_json(s.to_json(tmp_path / "s.json"))
    assert again.pressure_gpa == s.pressure_gpa
    np.testing.assert_array_equal(again.sigma_tt_gpa, s.sigma_tt_gpa)
    header = s.to_csv().splitlines()[0]
    assert header == "r_nm,sigma_rr_gpa,sigma_tt_gpa,displacement_nm"
