import numpy as np
import pytest
from scipy.spatial import cKDTree

from lnhet_widgets.core.crystal import build_heterostructure, haadf_image, place_cores


@pytest.fixture(scope="module")
def p1_particle():
    return build_heterostructure("alpha-NaYF4", 4.9, "CsPbBr3", 10.4, misfit=0.078, seed=1)


def test_regions_labels_and_info(p1_particle):
    atoms = p1_particle
    regions = atoms.arrays["region"]
    assert set(regions) == {"core", "shell"}
    assert (atoms.arrays["core_index"][regions == "shell"] == -1).all()
    assert atoms.info["edge_nm"] == 10.4 and atoms.info["misfit"] == 0.078
    symbols = np.array(atoms.get_chemical_symbols())
    assert set(symbols[regions == "core"]) == {"Na", "Y", "F"}
    assert set(symbols[regions == "shell"]) == {"Cs", "Pb", "Br"}


def test_core_is_a_sphere_and_shell_a_cube_without_overlap():
    atoms = build_heterostructure("alpha-NaYF4", 4.9, "CsPbBr3", 10.4, strain=False)
    core = atoms.positions[atoms.arrays["region"] == "core"]
    shell = atoms.positions[atoms.arrays["region"] == "shell"]
    assert np.linalg.norm(core, axis=1).max() <= 24.5 + 1e-9
    assert np.abs(shell).max() <= 52.0 + 1e-6
    nearest = cKDTree(core).query(shell)[0]
    assert nearest.min() >= 2.0


def test_strain_compresses_the_shell_near_the_core():
    plain = build_heterostructure("alpha-NaYF4", 4.9, "CsPbBr3", 10.4, strain=False, seed=1)
    strained = build_heterostructure("alpha-NaYF4", 4.9, "CsPbBr3", 10.4, misfit=0.078, seed=1)
    shell = plain.arrays["region"] == "shell"
    r0 = np.linalg.norm(plain.positions[shell], axis=1)
    r1 = np.linalg.norm(strained.positions[shell], axis=1)
    near = r0 < 30
    assert np.all(r1[near] < r0[near])
    # The core expands (tension) for a shell with the larger lattice.
    core = plain.arrays["region"] == "core"
    assert np.linalg.norm(strained.positions[core], axis=1).max() > np.linalg.norm(
        plain.positions[core], axis=1).max()


def test_several_cores_do_not_overlap():
    atoms = build_heterostructure("beta-NaGdF4", 4.0, "CsPbBr3", 16.0, n_cores=3, misfit=0.02,
                                  dopants={"Yb": 0.3, "Tm": 0.01}, seed=5)
    centres = np.array(atoms.info["core_centres_nm"])
    assert centres.shape == (3, 3)
    d = np.linalg.norm(centres[:, None] - centres[None], axis=-1)
    assert d[np.triu_indices(3, 1)].min() >= 4.5
    assert set(atoms.arrays["core_index"]) == {-1, 0, 1, 2}


def test_seed_reproducibility(p1_particle):
    again = build_heterostructure("alpha-NaYF4", 4.9, "CsPbBr3", 10.4, misfit=0.078, seed=1)
    np.testing.assert_array_equal(again.numbers, p1_particle.numbers)
    np.testing.assert_array_equal(again.positions, p1_particle.positions)


def test_place_cores_rejects_impossible_packing():
    with pytest.raises(ValueError, match="do not fit"):
        place_cores(8, 3.0, 10.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"core_diameter_nm": 12.0, "edge_nm": 10.0}, "must exceed"),
     ({"core_diameter_nm": -1.0}, "core_diameter_nm"),
     ({"edge_nm": 100.0}, "edge_nm"),
     ({"n_cores": 0}, "n_cores")],
)
def test_bad_input(kwargs, match):
    args = {"core_diameter_nm": 4.0, "edge_nm": 10.0} | kwargs
    with pytest.raises(ValueError, match=match):
        build_heterostructure("alpha-NaYF4", args.pop("core_diameter_nm"), "CsPbBr3",
                              args.pop("edge_nm"), misfit=0.0, **args)


def test_haadf_contrast_and_line_profile(p1_particle):
    img = haadf_image(p1_particle, pixel_nm=0.1, probe_fwhm_nm=1.0)
    # Z-contrast conserves the projected Σ Z^1.7 (the probe only redistributes it).
    assert img.image.sum() == pytest.approx((p1_particle.numbers**1.7).sum(), rel=1e-3)
    profile = img.line_profile((-5.0, 0.0), (5.0, 0.0), n_points=101, width_nm=1.0)
    assert profile.distance_nm[-1] == pytest.approx(10.0)
    # Along the beam the cube has the same thickness everywhere; through the centre part of it
    # is NaYF4 (Y, Na, F scatter far less than Cs, Pb, Br), so the core shows as a darker disc.
    centre, shell_only = profile.intensity[50], profile.intensity[90]
    assert centre < 0.9 * shell_only
    with pytest.raises(ValueError, match="pixel_nm"):
        haadf_image(p1_particle, pixel_nm=0.0)
