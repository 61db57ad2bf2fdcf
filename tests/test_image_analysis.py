"""Line profiles of 2-D images (synthetic and the builder's HAADF images) and image loading."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lnhet_widgets.core.analysis import LineProfile, line_profile, load_image
from lnhet_widgets.core.crystal import build_heterostructure, bulk, haadf_image

PIXEL = 0.1  # nm


def disc_image(radius_nm, centre_nm, shape=(120, 160), pixel=PIXEL):
    """1 inside the disc, 0 outside, with the module's convention: pixel (i, j) is centred at
    x = (j + ½) p, y = (i + ½) p from the top-left corner."""
    rows, cols = np.indices(shape)
    x, y = (cols + 0.5) * pixel, (rows + 0.5) * pixel
    return (np.hypot(x - centre_nm[0], y - centre_nm[1]) <= radius_nm).astype(float)


def half_max_crossings(profile):
    """Distances where the profile crosses 0.5, by linear interpolation."""
    d, y = profile.distance_nm, profile.intensity - 0.5
    i = np.flatnonzero((y[:-1] >= 0) != (y[1:] >= 0))
    return d[i] - y[i] * (d[i + 1] - d[i]) / (y[i + 1] - y[i])


# ------------------------------------------------------------------------- synthetic images


@pytest.mark.parametrize("angle_deg", [0.0, 30.0, 90.0, 135.0])
def test_disc_edges_are_at_the_radius_along_any_direction(angle_deg):
    radius, centre = 3.0, (8.0, 6.0)
    image = disc_image(radius, centre)
    u = np.array([np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))])
    start, end = np.array(centre) - 5.0 * u, np.array(centre) + 5.0 * u
    profile = line_profile(image, start, end, pixel_size_nm=PIXEL)
    edges = half_max_crossings(profile)
    # The rasterised edge is sharp to within half a pixel.
    assert edges == pytest.approx([5.0 - radius, 5.0 + radius], abs=PIXEL / 2 + 1e-9)
    assert profile.distance_nm[-1] == pytest.approx(10.0)
    assert profile.x_nm[0] == pytest.approx(start[0]) and profile.y_nm[-1] == pytest.approx(end[1])


def test_y_runs_down_from_the_top_left_corner():
    image = np.zeros((50, 80))
    image[:10, :] = 1.0  # a bright band along the top of the displayed image
    image[:, :5] = 2.0  # a brighter one along the left edge
    profile = line_profile(image, (4.0, 0.0), (4.0, 5.0), pixel_size_nm=PIXEL)
    assert profile.intensity[0] == 1.0 and profile.intensity[-1] == 0.0
    assert half_max_crossings(profile) == pytest.approx([1.0], abs=1e-9)
    left = line_profile(image, (0.0, 3.0), (2.0, 3.0), pixel_size_nm=PIXEL)
    assert left.intensity[0] == 2.0 and left.intensity[-1] == 0.0


@given(st.floats(-3, 3), st.floats(-3, 3), st.floats(0.06, 2.94), st.floats(0.06, 1.94),
       st.floats(0.06, 2.94), st.floats(0.06, 1.94))
@settings(max_examples=60, deadline=None)
def test_bilinear_interpolation_is_exact_for_a_plane(a, b, x0, y0, x1, y1):
    """Inside the pixel-centre grid, sampling a linear ramp returns the ramp itself."""
    if np.hypot(x1 - x0, y1 - y0) < 1e-3:
        return
    rows, cols = np.indices((20, 30))
    image = a * (cols + 0.5) * PIXEL + b * (rows + 0.5) * PIXEL
    profile = line_profile(image, (x0, y0), (x1, y1), pixel_size_nm=PIXEL, samples=17)
    assert profile.intensity == pytest.approx(a * profile.x_nm + b * profile.y_nm, abs=1e-9)


def test_width_averages_across_the_line():
    rng = np.random.default_rng(0)
    noise = rng.normal(0.0, 1.0, (100, 100))
    # Along a row of pixel centres, so that a single line reads single pixels.
    thin = line_profile(noise, (1.05, 5.05), (8.95, 5.05), pixel_size_nm=PIXEL)
    wide = line_profile(noise, (1.05, 5.05), (8.95, 5.05), pixel_size_nm=PIXEL, width_nm=2.0)
    assert thin.intensity == pytest.approx(noise[50, 10:90])
    # The band covers 21 rows one pixel apart and reads their mean (noise down by √21).
    assert wide.intensity == pytest.approx(noise[40:61, 10:90].mean(axis=0))
    assert wide.intensity.std() < thin.intensity.std() / 3.5
    # Across a horizontal line, the band is vertical: a vertical ramp averages to its centre.
    ramp = np.tile(np.arange(100.0)[:, None], (1, 100))
    band = line_profile(ramp, (1.0, 5.0), (9.0, 5.0), pixel_size_nm=PIXEL, width_nm=3.0)
    assert band.intensity == pytest.approx(np.full(81, 49.5))
    assert band.width_nm == 3.0


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (((-0.1, 1.0), (5.0, 1.0)), {}, r"start_nm = \(-0.1, 1\) nm reaches outside"),
        (((1.0, 1.0), (5.0, 12.5)), {}, r"end_nm .* y in \[0, 12\] nm"),
        (((1.0, 0.5), (5.0, 0.5)), {"width_nm": 2.0}, "band of width_nm = 2 nm"),
        (((1.0, 1.0), (1.0, 1.0)), {}, "different points"),
        (((1.0, 1.0), (2.0,)), {}, "end_nm must be a point"),
        (((1.0, 1.0), (2.0, 2.0)), {"samples": 1}, "samples"),
        (((1.0, 1.0), (2.0, 2.0)), {"width_nm": -1.0}, "width_nm"),
        (((1.0, 1.0), (2.0, 2.0)), {"pixel_size_nm": 0.0}, "pixel_size_nm"),
        (((1.0, 1.0), (2.0, 2.0)), {"pixel_size_nm": None}, "pixel_size_nm is required"),
    ],
)
def test_bad_input(args, kwargs, match):
    image = np.zeros((120, 160))
    with pytest.raises(ValueError, match=match):
        line_profile(image, *args, **({"pixel_size_nm": PIXEL} | kwargs))


def test_bad_images():
    with pytest.raises(ValueError, match="2-D"):
        line_profile(np.zeros((4, 4, 3)), (0, 0), (1, 1), pixel_size_nm=1.0)
    image = np.zeros((4, 4))
    image[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"image\[2, 1\]"):
        line_profile(image, (0, 0), (1, 1), pixel_size_nm=1.0)


# ------------------------------------------------------------------------------ HAADF images


@pytest.fixture(scope="module")
def particles():
    """P1's β-NaGdF4@CsPbBr3 (3.7 nm core, 9.5 nm cube), undoped and Yb,Tm-doped (same seed,
    so the same geometry), and α-NaYF4@CsPbBr3 (4.9 nm, 10.4 nm)."""
    return {
        "beta": build_heterostructure("beta-NaGdF4", 3.7, "CsPbBr3", 9.5, seed=1),
        "beta:Yb": build_heterostructure("beta-NaGdF4", 3.7, "CsPbBr3", 9.5, seed=1,
                                         dopants={"Yb": 0.3, "Tm": 0.01}),
        "alpha": build_heterostructure("alpha-NaYF4", 4.9, "CsPbBr3", 10.4, seed=1),
    }


def test_agrees_with_the_haadf_image_method(particles):
    img = haadf_image(particles["beta"], pixel_nm=0.1, probe_fwhm_nm=0.5)
    for start, end in [((-4.0, 0.0), (4.0, 0.0)), ((-3.0, 0.3), (4.0, -1.2))]:
        mine = line_profile(img, start, end, samples=57)
        theirs = img.line_profile(start, end, n_points=57)
        assert mine.distance_nm == pytest.approx(theirs.distance_nm)
        assert mine.intensity == pytest.approx(theirs.intensity, rel=1e-12, abs=1e-12)
        # The same pixels as a plain array, with the corner as origin, give the same profile.
        corner = np.array([img.x_nm[0], img.y_nm[0]]) - 0.05
        plain = line_profile(img.image, np.array(start) - corner, np.array(end) - corner,
                             pixel_size_nm=0.1, samples=57)
        assert plain.intensity == pytest.approx(mine.intensity, rel=1e-12, abs=1e-12)
    with pytest.raises(ValueError, match="disagrees"):
        line_profile(img, (-1, 0), (1, 0), pixel_size_nm=0.2)


def z17_density(key, dopants=None):
    """Σ Z^1.7 per Å³ of the bulk phase."""
    cell = bulk(key, supercell=(4, 4, 4), dopants=dopants)
    return (cell.numbers.astype(float) ** 1.7).sum() / cell.cell.volume


def core_contrast(atoms, edge_nm):
    """Profile through the core centre over the profile 1.5 nm inside the cube's edge."""
    img = haadf_image(atoms, pixel_nm=0.1, probe_fwhm_nm=1.0)
    half = edge_nm / 2 - 1.5
    profile = line_profile(img, (-half, 0.0), (half, 0.0), width_nm=1.0)
    centre = np.interp(half, profile.distance_nm, profile.intensity)
    return centre / np.mean(profile.intensity[[0, -1]])


def test_core_contrast_follows_the_z17_densities(particles):
    """Along the beam a column through the core holds D of core and L − D of shell, one
    through the shell L of shell; with Z^1.7 weights the ratio is 1 + (ρ_core/ρ_shell − 1) D/L.

    CsPbBr3 and β-NaGdF4 have almost the same Z^1.7 density (18.8 vs 18.6 Å⁻³), so a
    β-NaGdF4 core is nearly invisible (it shows mostly through the 2 Å gap cut around it);
    30 % Yb (Z 70 for Gd's 64) makes it brighter; α-NaYF4 (8.7 Å⁻³) is a dark disc.
    """
    shell = z17_density("CsPbBr3")
    predicted = {
        "beta": 1 + (z17_density("beta-NaGdF4") / shell - 1) * 3.7 / 9.5,
        "beta:Yb": 1 + (z17_density("beta-NaGdF4", {"Yb": 0.3, "Tm": 0.01}) / shell - 1)
        * 3.7 / 9.5,
        "alpha": 1 + (z17_density("alpha-NaYF4") / shell - 1) * 4.9 / 10.4,
    }
    measured = {key: core_contrast(particles[key], 10.4 if key == "alpha" else 9.5)
                for key in particles}
    assert predicted["alpha"] < 0.8 and measured["alpha"] < 0.8
    assert measured["alpha"] == pytest.approx(predicted["alpha"], abs=0.03)
    for key in ("beta", "beta:Yb"):
        assert abs(predicted[key] - 1) < 0.02  # the physics: hardly any contrast
        # The removed interface layer darkens the core column by a few per cent at most.
        assert -0.06 < measured[key] - predicted[key] < 0.0
    # Yb doping brightens the core by what its extra Z^1.7 predicts (same geometry).
    assert measured["beta:Yb"] - measured["beta"] == pytest.approx(
        predicted["beta:Yb"] - predicted["beta"], rel=0.3)
    assert measured["beta:Yb"] > measured["beta"]


def test_profile_round_trips_and_writes_csv(particles):
    img = haadf_image(particles["beta"], pixel_nm=0.2, probe_fwhm_nm=0.5)
    profile = line_profile(img, (-3.0, 0.0), (3.0, 0.0), width_nm=0.6)
    again = LineProfile.from_json(profile.to_json())
    assert again.start_nm == (-3.0, 0.0) and isinstance(again.end_nm, tuple)
    assert again.intensity == pytest.approx(profile.intensity, rel=0, abs=0)
    header = profile.to_csv().splitlines()[0]
    assert header == "distance_nm,intensity,x_nm,y_nm"


# ------------------------------------------------------------------------------- load_image


def test_load_npy_from_bytes_and_path(tmp_path):
    image = np.random.default_rng(0).random((7, 9)).astype(np.float32)
    path = tmp_path / "haadf.npy"
    np.save(path, image)
    assert load_image(path) == pytest.approx(image)
    assert load_image(str(path)).dtype == float
    assert load_image(path.read_bytes()) == pytest.approx(image)


def test_load_pgm_binary_8_and_16_bit_and_text():
    pixels = np.array([[0, 100, 200], [50, 150, 250]], dtype=np.uint8)
    p5 = b"P5\n# written by a test\n3 2\n255\n" + pixels.tobytes()
    assert load_image(p5).tolist() == pixels.astype(float).tolist()
    wide = np.array([[0, 1000], [40000, 65535]], dtype=">u2")
    assert load_image(b"P5 2 2 65535\n" + wide.tobytes()).tolist() == [[0, 1000],
                                                                        [40000, 65535]]
    assert load_image(b"P2\n2 2\n9\n1 2\n3 4\n").tolist() == [[1, 2], [3, 4]]
    with pytest.raises(ValueError, match="ends before its last pixel"):
        load_image(b"P5\n3 2\n255\n" + bytes(5))


def test_load_text_matrices():
    assert load_image(b"1\t2\t3\n4\t5\t6\n").shape == (2, 3)
    assert load_image(b"# ImageJ text image\nx y\n1 2\n3 4\n").tolist() == [[1, 2], [3, 4]]
    assert load_image(b"1;2\r\n3;4\r\n").tolist() == [[1, 2], [3, 4]]
    with pytest.raises(ValueError, match=r"line 3 .* 3 values"):
        load_image(b"1 2\n3 4\n5 6 7\n")
    with pytest.raises(ValueError, match=r"line 2 .* not a number"):
        load_image(b"1 2\n3 x\n")
    with pytest.raises(ValueError, match="no rows"):
        load_image(b"just words\n")
    with pytest.raises(ValueError, match=r"neither a \.npy"):
        load_image(b"II*\x00\xff\xfe\x00")  # a TIFF header


def test_load_rejects_pickles_colour_and_other_types(tmp_path):
    path = tmp_path / "objects.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickle"):
        load_image(path)
    np.save(path, np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match="not a 2-D image"):
        load_image(path)
    with pytest.raises(ValueError, match="file path or bytes"):
        load_image(42)
