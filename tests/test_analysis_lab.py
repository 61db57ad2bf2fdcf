"""AnalysisLab without a browser: loading, every analysis on synthetic data with known answers,
the fit window, errors shown in the lab, exports, and the comparison with a simulation.

Outside an IPython kernel the Throttle calls at once, so a slider change refits before the
assignment returns. Uploads are simulated as ipywidgets 8 gives them: a tuple of one dict
with the file's name, type, size, content (a memoryview) and last-modified time.
"""

import base64
import csv
import datetime
import json
import re
import time

import bqplot as bq
import ipywidgets as widgets
import numpy as np
import pytest
import traitlets

from lnhet_widgets.core.analysis import (
    DecayFit,
    compare_decay_models,
    find_xrd_peaks,
    fit_decay,
    fit_rise_decay,
    lattice_constant,
    size_statistics,
    tauc_gap,
)
from lnhet_widgets.core.optics import HC_EV_NM, Pulse, TransferParams, dynamics
from lnhet_widgets.data import load_example_decay
from lnhet_widgets.widgets.labs.analysis_lab import AnalysisLab
from lnhet_widgets.widgets.labs.analysis_outcomes import parse_hkl

YB_ES = "decay_Yb_ES_exc_NIR_980_25.0Yb_0.3Tm.txt"


def upload(lab, content: bytes, name: str) -> None:
    """Put a file into the lab's FileUpload as the browser does (ipywidgets 8)."""
    lab.upload.value = ({"name": name, "type": "text/csv", "size": len(content),
                         "content": memoryview(content),
                         "last_modified": datetime.datetime(2025, 5, 1, 9, 30)},)


def csv_bytes(header: str, *columns) -> bytes:
    rows = "\n".join(",".join(f"{v:.10g}" for v in row) for row in zip(*columns, strict=True))
    return (header + "\n" + rows + "\n").encode()


def two_exponential_counts(seed=0):
    """Photon counts of a 2-exponential decay (τ = 40 and 250 ns) on 25 counts background,
    time in ns."""
    t_ns = np.arange(0.0, 1500.0, 1.5)
    model = 25.0 + 2000.0 * np.exp(-t_ns / 40.0) + 600.0 * np.exp(-t_ns / 250.0)
    return t_ns, np.random.default_rng(seed).poisson(model).astype(float)


@pytest.fixture(scope="module")
def lab():
    return AnalysisLab()


@pytest.fixture()
def empty():
    return AnalysisLab(example="")


def test_starts_with_the_bundled_yb_decay_and_its_core_fit(lab):
    assert lab.source_name == YB_ES and lab.analysis == "decay" and lab.n_exp == 2
    t_s, y = load_example_decay(YB_ES)
    assert lab.display_unit == "ms" and lab.x_unit == "s"
    expected = fit_decay(t_s * 1e3, y, n_exp=2, weights="auto")
    assert lab.result.tau_avg == pytest.approx(expected.tau_avg, rel=1e-9)
    assert lab.result.lifetimes == pytest.approx(expected.lifetimes, rel=1e-9)
    assert lab.result.weights == "poisson"
    assert lab.window == pytest.approx((expected.window_start, expected.window_end))
    assert lab.window_slider.min == pytest.approx(0.0)
    assert lab.window_slider.max == pytest.approx(t_s[-1] * 1e3)
    assert lab.window_slider.description == "Window (ms)"
    assert lab._data_mark.y.size == y.size  # counts > 0 everywhere: all shown on the log axis
    assert lab._fit_mark.y.size == expected.t.size and lab._residual_mark.y.size > 0
    assert lab.status.kind == "ok" and "τ_avg" in lab.status.message
    assert "τ_avg" in lab.results.value and "±" in lab.results.value
    assert "simetuc" in lab.source_info.value  # the bundled data's licence and citation


def test_layout_fits_a_laptop_screen(lab):
    left, right = lab.children[0].children
    widths = [int(box.layout.width.rstrip("px")) for box in (left, right)]
    assert widths == [330, 820] and sum(widths) <= 1200
    assert lab.figure in right.children and lab.residual_figure in right.children
    assert lab.upload.accept == ".txt,.csv,.dat,.tsv,.xy" and not lab.upload.multiple


def test_uploaded_decay_in_ns_is_fitted_with_the_core_numbers(empty):
    lab = empty
    t_ns, counts = two_exponential_counts()
    upload(lab, csv_bytes("Time (ns),Counts", t_ns, counts), "tcspc.csv")
    assert lab.source_name == "tcspc.csv" and lab.table.units == ("ns", "")
    assert lab.x_unit == "ns" and lab.display_unit == "µs"
    lab.n_exp = 2
    expected = fit_decay(t_ns * 1e-9 / 1e-6, counts, n_exp=2, weights="auto")
    fit = lab.result
    assert fit.lifetimes == pytest.approx(expected.lifetimes, rel=1e-9)
    assert fit.amplitudes_err == pytest.approx(expected.amplitudes_err, rel=1e-6)
    # The known answer, within three standard errors.
    assert abs(fit.lifetimes[0] - 0.040) < 3 * fit.lifetimes_err[0]
    assert abs(fit.lifetimes[1] - 0.250) < 3 * fit.lifetimes_err[1]
    assert "µs" in lab.results.value
    lab.n_exp = 1  # one exponential cannot describe it: χ²ᵣ says so
    assert lab.result.reduced_chi2 > 5 * fit.reduced_chi2


def test_window_slider_and_plot_brush_refit(lab):
    lab.load_example(YB_ES)
    t_ms = load_example_decay(YB_ES)[0] * 1e3
    lab.window_slider.value = (0.5, 12.0)
    assert lab.window == (0.5, 12.0)
    expected = fit_decay(t_ms, load_example_decay(YB_ES)[1], n_exp=2, window=(0.5, 12.0))
    assert lab.result.window_start == pytest.approx(expected.window_start)
    assert lab.result.tau_avg == pytest.approx(expected.tau_avg, rel=1e-9)
    assert lab._window_mark.x[:, 0].tolist() == [0.5, 12.0]
    assert lab.brush.selected.tolist() == [0.5, 12.0]
    lab.brush.brushing = True  # a drag on the plot ends with brushing False
    lab.brush.selected = np.array([1.0, 10.0])
    assert lab.window == (0.5, 12.0)  # nothing happens while dragging
    lab.brush.brushing = False
    assert lab.window == (1.0, 10.0) and lab.window_slider.value == (1.0, 10.0)
    assert lab.result.window_end <= 10.0
    lab.reset_window_button.click()
    assert lab.window[0] == pytest.approx(0.0) and lab.status.kind == "ok"


def test_auto_compares_one_to_three_exponentials(empty):
    lab = empty
    t_ns, counts = two_exponential_counts(seed=1)
    lab.load_bytes(csv_bytes("t (ns),I", t_ns, counts), "two_exp.csv")
    lab.n_exp_control.value = "auto"
    assert lab.n_exp == "auto"
    t_us = t_ns * 1e-9 / 1e-6
    expected = compare_decay_models(t_us, counts, weights="auto")
    assert lab.outcome.comparison.best_n_exp == expected.best_n_exp == lab.result.n_exp
    assert lab.result.tau_avg == pytest.approx(expected.best.tau_avg, rel=1e-9)
    assert lab.result.n_exp == 2  # the data hold two exponentials
    assert lab.results.value.count("<tr") == 1 + 7 + 1 + 3  # parameters, then n = 1, 2, 3
    assert "runs z" in lab.results.value and "F-test" in lab.status.message


def test_rise_and_decay_fit_matches_the_core(empty):
    lab = empty
    t_us = np.linspace(0.0, 3000.0, 1500)
    rng = np.random.default_rng(2)
    y = 5000.0 * (np.exp(-t_us / 600.0) - np.exp(-t_us / 80.0)) + 30.0
    counts = rng.poisson(y).astype(float)
    lab.load_bytes(csv_bytes("time (us),counts", t_us, counts), "fed_level.csv")
    lab.analysis = "rise_decay"
    assert lab.x_unit == "µs" and lab.display_unit == "ms"
    expected = fit_rise_decay(t_us * 1e-6 / 1e-3, counts, weights="auto")
    assert lab.result.rise_time == pytest.approx(expected.rise_time, rel=1e-9)
    assert lab.result.decay_time == pytest.approx(expected.decay_time, rel=1e-9)
    assert abs(lab.result.decay_time - 0.6) < 3 * lab.result.decay_time_err
    assert abs(lab.result.rise_time - 0.08) < 3 * lab.result.rise_time_err
    assert lab.window == (lab.result.window_start, lab.result.window_end)
    assert "rise time" in lab.results.value and lab._fit_mark.y.size == lab.result.t.size


def test_tauc_gap_from_an_absorbance_in_nm(empty):
    lab = empty
    nm = np.linspace(420.0, 560.0, 281)
    energy = HC_EV_NM / nm
    edge = np.sqrt(np.clip(energy - 2.42, 0, None)) / energy
    lab.analysis = "tauc"
    lab.load_bytes(csv_bytes("Wavelength (nm),Absorbance", nm, edge), "abs.csv")
    assert lab.analysis == "tauc" and lab.x_unit == "nm"
    e, a = HC_EV_NM / lab.table.x, lab.table.y
    assert lab.result.gap_ev == pytest.approx(tauc_gap(e, a).gap_ev, rel=1e-12)
    assert lab.result.gap_ev == pytest.approx(2.42, abs=1e-3)
    assert lab._x_axis.label.startswith("photon energy")
    assert lab._fit_mark.x[0] == pytest.approx(lab.result.gap_ev)  # the line reaches the gap
    noisy = edge + np.random.default_rng(3).normal(0, 2e-4, nm.size)
    lab.load_bytes(csv_bytes("Wavelength (nm),Absorbance", nm, noisy), "noisy.csv")
    assert lab.status.kind == "ok" and lab.result.gap_ev == pytest.approx(2.42, abs=0.01)
    lab.window = (2.45, 2.6)
    e, a = HC_EV_NM / lab.table.x, lab.table.y
    windowed = tauc_gap(e, a, window=(2.45, 2.6))
    assert lab.status.kind == "ok"
    assert lab.result.gap_ev == pytest.approx(windowed.gap_ev, rel=1e-12)
    assert abs(lab.result.gap_ev - 2.42) < 3 * lab.result.gap_err_ev


def cubic_pattern(a_a=5.87, seed=4):
    """A noisy powder pattern of a primitive cubic cell (N = h²+k²+l² = 1 … 8, no 7)."""
    tt = np.arange(10.0, 52.0, 0.02)
    y = 40.0 + np.zeros_like(tt)
    for n, height in zip((1, 2, 3, 4, 5, 6, 8), (300, 900, 150, 700, 200, 250, 400), strict=True):
        centre = 2 * np.degrees(np.arcsin(1.5406 * np.sqrt(n) / (2 * a_a)))
        y += height * np.exp(-4 * np.log(2) * ((tt - centre) / 0.25) ** 2)
    return tt, np.random.default_rng(seed).poisson(y).astype(float)


def test_xrd_peaks_auto_index_and_lattice_constant(empty):
    lab = empty
    tt, y = cubic_pattern()
    lab.analysis = "xrd"
    lab.load_bytes(csv_bytes("2theta (deg),Intensity", tt, y), "cubic.xy")
    peaks = find_xrd_peaks(lab.table.x, lab.table.y, min_prominence=0.05)
    assert lab.result.peaks.two_theta_deg == pytest.approx(peaks.two_theta_deg, rel=1e-12)
    assert lab.result.lattice is None and "Auto-index" in lab.status.message
    grid = lab.peak_grid.children[0]
    texts = [c for c in grid.children if isinstance(c, widgets.Text)]
    assert len(texts) == len(peaks) == 7
    hkl = lab.auto_index()
    assert [sum(i * i for i in h) for h in hkl] == [1, 2, 3, 4, 5, 6, 8]
    expected = lattice_constant(peaks.two_theta_deg, hkl,
                                two_theta_err_deg=peaks.two_theta_err_deg)
    assert lab.result.lattice.a_a == pytest.approx(expected.a_a, rel=1e-12)
    assert abs(lab.result.lattice.a_a - 5.87) < 3 * lab.result.lattice.a_err_a + 1e-3
    assert [t.value for t in texts] == ["100", "110", "111", "200", "210", "211", "220"]
    assert lab._residual_mark.y.size == 7  # 2θ obs − calc per indexed peak
    # Typing hkl by hand: clearing one leaves six indexed peaks.
    texts[2].value = ""
    assert lab.result.lattice.hkl.shape == (6, 3)
    # A narrower window finds fewer peaks and keeps the hkl of those that remain.
    lab.window = (12.0, 32.0)
    assert len(lab.result.peaks) == 4 and lab.result.hkl == ("100", "110", "", "200")


def test_xrd_hexagonal_lattice_from_typed_hkl(empty):
    lab = empty
    a, c = 5.96, 3.51
    hkl = [(1, 0, 0), (0, 0, 1), (1, 0, 1), (2, 0, 1)]
    tt = np.arange(12.0, 50.0, 0.02)
    y = 20.0 + np.zeros_like(tt)
    for h, k, l in hkl:  # noqa: E741
        d = (4 / 3 * (h * h + h * k + k * k) / a**2 + l * l / c**2) ** -0.5
        y += 500 * np.exp(-4 * np.log(2) * ((tt - 2 * np.degrees(np.arcsin(1.5406 / (2 * d))))
                                             / 0.2) ** 2)
    lab.load_bytes(csv_bytes("2theta,I", tt, y), "hex.csv")
    lab.analysis = "xrd"
    lab.xrd_system = "hexagonal"
    assert lab.auto_index_button.disabled
    lab.set_hkl(["100", "001", "101", "201"])
    assert lab.result.lattice.a_a == pytest.approx(a, abs=2e-3)
    assert lab.result.lattice.c_a == pytest.approx(c, abs=2e-3)
    assert "lattice constant c" in lab.results.value
    with pytest.raises(ValueError, match="one hkl per peak"):
        lab.set_hkl(["100"])


def test_size_statistics_of_a_single_column(empty):
    lab = empty
    sizes = np.random.default_rng(5).normal(9.5, 1.5, 150)
    upload(lab, ("Edge (nm)\n" + "\n".join(f"{s:.3f}" for s in sizes)).encode(), "tem.txt")
    assert lab.analysis == "size"  # a single column is a list of sizes
    read = np.round(sizes, 3)
    expected = size_statistics(read)
    assert lab.result.mean_nm == pytest.approx(expected.mean_nm, rel=1e-12)
    assert lab.result.sd_nm == pytest.approx(expected.sd_nm, rel=1e-12)
    assert "±" in lab.status.message and "n = 150" in lab.status.message
    counts = lab._data_mark.y
    assert counts.max() == expected.histogram_counts.max()  # the histogram is drawn
    lab.window = (8.0, 11.0)
    inside = read[(read >= 8.0) & (read <= 11.0)]
    assert lab.result.n == inside.size and lab.result.mean_nm == pytest.approx(inside.mean())
    lab.size_bins = 10
    assert lab.result.histogram_counts.size == 10


def test_column_pickers_for_a_wide_file(empty):
    lab = empty
    t_ns, counts = two_exponential_counts(seed=6)
    other = counts[::-1].copy()
    lab.load_bytes(csv_bytes("t (ns),a,b", t_ns, other, counts), "three.csv")
    assert lab.columns_box.layout.display != "none"
    assert [v for _, v in lab.y_column_control.options] == [0, 1, 2]
    lab.y_column_control.value = 2
    assert lab.y_column == 2
    assert lab.result.y.max() == pytest.approx(counts[np.argmax(counts):].max())


def test_bad_upload_shows_the_line_and_keeps_result_and_marks(lab):
    lab.load_example(YB_ES)
    good, data_y, fit_y = lab.result, lab._data_mark.y.copy(), lab._fit_mark.y.copy()
    upload(lab, b"time,counts\n0,100\n1,90\n2,eighty\n3,70\n", "bad.csv")
    assert lab.status.kind == "error"
    assert "bad.csv, line 4" in lab.status.message and "eighty" in lab.status.message
    assert lab.result is good and lab.source_name == YB_ES
    assert np.array_equal(lab._data_mark.y, data_y) and np.array_equal(lab._fit_mark.y, fit_y)
    with pytest.raises(ValueError, match=r"bad\.csv, line 4"):
        lab.load_bytes(b"time,counts\n0,100\n1,90\n2,eighty\n", "bad.csv")


def test_failed_fit_and_empty_window_keep_the_last_result(lab):
    lab.load_example(YB_ES)
    good, fit_y = lab.result, lab._fit_mark.y.copy()
    lab.window = (50.0, 60.0)  # beyond the data (0–20 ms)
    assert lab.status.kind == "error" and "holds no data" in lab.status.message
    assert lab.result is good and np.array_equal(lab._fit_mark.y, fit_y)
    lab.window = (0.0, 0.05)  # ten points cannot carry two exponentials
    assert lab.status.kind == "error" and "points" in lab.status.message
    assert lab.result is good
    lab.x_unit = "furlong"
    assert lab.status.kind == "error" and "x_unit" in lab.status.message
    lab.x_unit = "s"
    assert lab.status.kind == "ok" and lab.result is not good
    with pytest.raises(traitlets.TraitError, match="n_exp"):
        lab.n_exp = 4
    single = AnalysisLab(example="")
    single.load_bytes(b"size\n1\n2\n3\n4\n", "sizes.txt")
    single.analysis = "decay"  # one column cannot be a decay: said so
    assert single.status.kind == "error" and "single column" in single.status.message
    assert single._x_axis.label == "size (nm)"  # the plot still shows the sizes


def test_load_file_keeps_the_bytes_read(empty, tmp_path):
    lab = empty
    t_ns, counts = two_exponential_counts(seed=7)
    content = csv_bytes("Time (ns),Counts", t_ns, counts)
    (tmp_path / "decay.csv").write_bytes(content)
    lab.load_file(tmp_path / "decay.csv")
    assert lab.source_name == "decay.csv" and lab.source_bytes == content
    assert lab.source_example == "" and lab.result.n_exp == 2
    with pytest.raises(ValueError, match=r"missing\.csv: cannot read"):
        lab.load_file(tmp_path / "missing.csv")
    assert lab.status.kind == "error" and lab.source_name == "decay.csv"


def test_exports_are_written_and_offered_as_downloads(lab, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lab.load_example(YB_ES)
    lab.window = (0.2, 18.0)
    csv_button, json_button, png_button, svg_button = lab.export_buttons
    csv_button.click()
    path = tmp_path / "decay_Yb_ES_exc_NIR_980_25.0Yb_0.3Tm_decay_results.csv"
    text = path.read_text(encoding="utf-8")
    assert f"# source: {YB_ES}" in text and "# window: [0.2, 18.0]" in text
    rows = {r["quantity"]: r for r in csv.DictReader(
        line for line in text.splitlines() if not line.startswith("#"))}
    assert float(rows["tau_avg"]["value"]) == lab.result.tau_avg
    assert float(rows["tau_avg"]["uncertainty"]) == lab.result.tau_avg_err
    assert rows["tau_1"]["unit"] == "ms"
    link = re.search(r"base64,([A-Za-z0-9+/=]+)", lab.downloads.value)
    assert base64.b64decode(link[1]).decode("utf-8") == text
    json_button.click()
    payload = json.loads((tmp_path / path.name.replace(".csv", ".json")).read_text())
    assert payload["source"] == YB_ES and payload["window"] == [0.2, 18.0]
    assert payload["window_unit"] == "ms" and payload["options"]["n_exp"] == 2
    fit = DecayFit.from_json(json.dumps(payload["result"]))
    assert fit.tau_avg == lab.result.tau_avg and np.array_equal(fit.t, lab.result.t)
    sent = []
    monkeypatch.setattr(type(lab.figure), "send", lambda self, msg, *a, **k: sent.append(msg))
    png_button.click()
    svg_button.click()
    assert [m["type"] for m in sent] == ["save_png", "save_png", "save_svg", "save_svg"]
    assert sent[0]["filename"].endswith("_decay.png")
    assert sent[3]["filename"].endswith("_decay_residuals.svg")
    lab.window = (0.3, 18.0)
    assert lab.downloads.value == ""  # a new fit: no stale download


def test_compare_with_overlays_scaled_curves(lab):
    lab.load_example(YB_ES)
    n_marks = len(lab.figure.marks)
    t = np.linspace(0.0, 20.0, 300)
    mark = lab.compare_with(t, 3.0 * np.exp(-t / 2.0), label="τ = 2 ms", time_unit="ms")
    assert len(lab.figure.marks) == n_marks + 1 and mark.labels == ["τ = 2 ms"]
    assert mark.display_legend and mark.scales["y"] is lab._data_mark.scales["y"]
    assert mark.y.max() == pytest.approx(lab._data_mark.y.max())  # scaled to the measurement
    assert mark.x.max() == pytest.approx(20.0)  # ms, the plot's unit
    lab.compare_with(t, np.exp(-t / 1.5), label="τ = 2 ms", time_unit="ms")  # same label
    assert len(lab.figure.marks) == n_marks + 1
    model = dynamics(TransferParams(), pulse=Pulse(980.0, 10.0, 10e-6),
                     t_eval=np.linspace(0, 5e-3, 101))
    from_result = lab.compare_with(model, label="model", line_nm=800.0)
    assert from_result.x.max() == pytest.approx(5.0)
    lab.log_y = False
    assert from_result.scales["y"] is lab._y_lin
    lab.log_y = True
    lab.analysis = "tauc"  # not a decay: the overlays hide
    assert not mark.visible
    lab.analysis = "decay"
    assert mark.visible and mark.y.size > 0
    lab.clear_comparisons()
    assert len(lab.figure.marks) == n_marks
    with pytest.raises(ValueError, match="time_unit"):
        lab.compare_with(t, t, time_unit="h")


def test_simulate_holds_the_model_against_the_measurement(lab):
    lab.clear_comparisons()
    lab.load_example(YB_ES)
    assert lab.simulation.line.value == 980.0  # the level of the file's name
    lab.simulate(980.0, "quenching", 1.0)  # the first call compiles the kernel (cached)
    start = time.perf_counter()
    t, _ = lab.simulate(980.0, "quenching", 0.1)
    assert time.perf_counter() - start < 1.0
    models = [k for k in lab._comparisons if k.startswith("model ")]
    assert len(models) == 1 and "×0.1" in models[0]
    assert t[-1] == pytest.approx(load_example_decay(YB_ES)[0][-1])
    slow = float(re.search(r"<b>([\d.]+) ms", lab.simulation.info.value)[1])
    lab.simulation.factor.value = 1.0  # the slider re-simulates once the model is shown
    assert list(lab._comparisons) == ["model 980 nm, quenching (surface + vacancies) ×1"]
    fast = float(re.search(r"<b>([\d.]+) ms", lab.simulation.info.value)[1])
    assert fast < slow  # more quenching, a faster decay
    lab.load_example("decay_Tm_1G4_exc_Vis_473_0.0Yb_0.3Tm.txt")
    assert lab.simulation.line.value == 475.0
    lab.simulation.overlay_button.click()  # no Yb: nothing absorbs at 980 nm
    assert lab.status.kind == "error" and "980 nm" in lab.status.message
    lab.clear_comparisons()


def test_log_axis_hides_non_positive_points(lab):
    lab.load_example("decay_Tm_1G4_exc_Vis_473_0.0Yb_0.3Tm.txt")  # normalised, some ≤ 0
    assert isinstance(lab._data_mark.scales["y"], bq.LogScale)
    assert np.all(lab._data_mark.y > 0) and lab._data_mark.y.size < lab.table.data.shape[0]
    lab.log_y_control.value = False
    assert lab.log_y is False and isinstance(lab._y_axis.scale, bq.LinearScale)
    assert lab._data_mark.y.size == lab.table.data.shape[0]
    lab.log_y = True


def test_settings_reproduce_a_result_in_a_new_lab(lab):
    lab.load_example("decay_Tm_3H4_exc_NIR_980_25.0Yb_0.3Tm.txt")
    lab.apply_settings(n_exp=1, weights="poisson", window=[2.0, 15.0], log_y=False)
    assert lab.n_exp_control.value == 1 and lab.log_y_control.value is False
    saved = json.loads(json.dumps(lab.settings()))
    other = AnalysisLab(example="decay_Tm_3H4_exc_NIR_980_25.0Yb_0.3Tm.txt")
    other.apply_settings(**saved)
    assert other.window == (2.0, 15.0) and other.result.tau_avg == lab.result.tau_avg
    before = other.result
    with pytest.raises(traitlets.TraitError):
        other.apply_settings(n_exp=2, weights="sometimes")
    assert other.n_exp == 1 and other.result is before  # nothing changed
    with pytest.raises(ValueError, match="unknown setting 'colour'"):
        other.apply_settings(colour="red")
    lab.apply_settings(log_y=True)


@pytest.mark.parametrize("text, expected", [
    ("111", (1, 1, 1)), ("(2 0 0)", (2, 0, 0)), ("1,1,0", (1, 1, 0)), ("10-1", (1, 0, -1)),
    ("11-20", (1, 1, -2, 0)), ("", None)])
def test_parse_hkl(text, expected):
    assert parse_hkl(text) == expected


def test_parse_hkl_rejects_junk():
    with pytest.raises(ValueError, match="hkl"):
        parse_hkl("1a1")


# --- saved work ------------------------------------------------------------------------------


def test_save_and_load_reproduce_an_uploaded_fit_exactly(tmp_path):
    from lnhet_widgets.widgets import AnalysisLab as Lab

    t = np.linspace(0.0, 50.0, 400)
    rng = np.random.default_rng(3)
    counts = rng.poisson(800 * np.exp(-t / 7.0) + 300 * np.exp(-t / 1.5) + 5)
    text = "time (ns),counts\n" + "\n".join(f"{a:.4f},{b}" for a, b in zip(t, counts,
                                                                            strict=True))
    lab = Lab(example="")
    lab.load_bytes(text.encode(), "my_decay.csv")
    lab.apply_settings(n_exp=2, window=[1.0, 45.0])
    path = tmp_path / "analysis.json"
    lab.save(path)
    again = Lab.load(path)
    assert again.source_name == lab.source_name
    assert again.settings() == lab.settings()
    np.testing.assert_array_equal(again.result.lifetimes, lab.result.lifetimes)
    assert again.result.tau_avg == lab.result.tau_avg


def test_restore_of_a_damaged_upload_changes_nothing():
    from lnhet_widgets.widgets import AnalysisLab as Lab

    lab = Lab()
    saved = json.loads(lab.save())
    saved["state"]["source"] = {"name": "x.csv",
                                "content_base64": "MSwyCjMsNAo1LGEK"}  # "1,2\n3,4\n5,a\n"
    result = lab.result
    with pytest.raises(ValueError, match="line 3"):
        lab.restore(json.dumps(saved))
    assert lab.result is result and lab.source_example


def test_slider_rounding_sent_back_by_the_browser_does_not_refit():
    from lnhet_widgets.widgets import AnalysisLab as Lab

    lab = Lab()
    fit = lab.result
    low, high = lab.window
    step = lab.window_slider.step
    lab.window_slider.value = (low + 0.4 * step, high - 0.4 * step)  # the front end's grid
    lab._apply_window_slider()
    assert lab.result is fit
    lab.window_slider.value = (low + 5 * step, high)  # the user moved it
    lab._apply_window_slider()
    assert lab.result is not fit


def test_both_handles_dragged_onto_one_point_are_put_back():
    from lnhet_widgets.widgets import AnalysisLab as Lab

    lab = Lab()
    fit, window = lab.result, lab.window
    lab.window_slider.value = (lab.window_slider.min, lab.window_slider.min)
    lab._apply_window_slider()
    assert lab.result is fit and lab.window == window
    assert lab.status.kind == "ok"
    assert lab.window_slider.value == pytest.approx(window, abs=lab.window_slider.step)


def test_practice_data_button_loads_each_file_with_its_analysis(empty):
    from lnhet_widgets.core.analysis import tauc_gap
    from lnhet_widgets.core.heterostructure.practice import practice_data
    from lnhet_widgets.io import read_table

    lab = empty
    for kind, analysis, name in (("absorbance", "tauc", "CsPbBr3_absorbance.csv"),
                                 ("xrd", "xrd", "alpha-NaYF4@CsPbBr3.xy"),
                                 ("sizes", "size", "edges.csv")):
        lab.practice_control.value = kind
        lab.practice_button.click()  # as a student does: no code cell needed
        assert (lab.source_name, lab.analysis) == (name, analysis), lab.status.message
        assert lab.status.kind == "ok" and lab.source_bytes == practice_data(kind).content
    lab.practice_control.value = "absorbance"
    lab.practice_button.click()
    table = read_table(practice_data("absorbance").content, name="a.csv")
    assert lab.result.gap_ev == pytest.approx(tauc_gap(table.x, table.y).gap_ev, rel=1e-9)
    saved = lab.settings()
    with pytest.raises(ValueError, match="no practice data 'dilution' for the lab"):
        lab.load_practice("dilution")  # the ECP series has no analysis in the lab
    assert "choose one of absorbance" in lab.status.message
    assert lab.settings() == saved and lab.source_name == "CsPbBr3_absorbance.csv"
