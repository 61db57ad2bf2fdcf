"""Python side of the tolerance-factor gauge and of the front-end asset helpers."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess

import numpy as np
import pytest
import traitlets
from ipywidgets.widgets.widget import _remove_buffers

from lnhet_widgets.widgets.custom import _assets
from lnhet_widgets.widgets.custom._assets import (
    array_from_bytes,
    array_to_bytes,
    bundle_esm,
    js_dir,
    js_path,
)
from lnhet_widgets.widgets.custom.gauge import ToleranceGauge

PEROVSKITES = [
    {"label": "CsPbCl3", "t": 0.820},
    {"label": "CsPbBr3", "t": 0.815},
    {"label": "CsPbI3", "t": 0.807},
]

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


def run_node_module(script: str, tmp_path) -> str:
    """Run ``script`` as an ES module from tmp_path and return its stdout."""
    path = tmp_path / "check.mjs"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run(
        [NODE, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# --- the widget ------------------------------------------------------------------------------


def test_defaults():
    gauge = ToleranceGauge()
    assert gauge.values == []
    assert (gauge.low, gauge.high) == (0.8, 1.11)
    assert gauge.selected == ""
    assert gauge.error == ""
    assert gauge.title


def test_values_are_normalised_and_synced():
    gauge = ToleranceGauge(
        values=({"label": "CsPbBr3", "t": np.float32(0.815)}, {"label": "X", "t": 1}),
        selected="X",
    )
    assert gauge.values == [
        {"label": "CsPbBr3", "t": pytest.approx(0.815)},
        {"label": "X", "t": 1.0},
    ]
    assert all(type(v["t"]) is float for v in gauge.values)
    state = gauge.get_state()
    for name in ("values", "low", "high", "selected", "error", "title", "_esm"):
        assert name in state, name
    # The state must be plain JSON: numpy scalars would not survive the comm.
    json.dumps(state["values"])


def test_set_values_after_construction():
    gauge = ToleranceGauge()
    gauge.values = PEROVSKITES
    gauge.selected = "CsPbI3"
    assert [v["label"] for v in gauge.values] == ["CsPbCl3", "CsPbBr3", "CsPbI3"]
    assert gauge.selected == "CsPbI3"


@pytest.mark.parametrize(
    ("t", "message"),
    [
        (3.5, r"values\[1\]\.t = 3\.5 is outside the allowed range \(0, 3\)"),
        (0, r"values\[1\]\.t = 0 is outside the allowed range \(0, 3\)"),
        (3, r"values\[1\]\.t = 3 is outside"),
        (-0.8, r"values\[1\]\.t = -0\.8 is outside"),
        (math.nan, r"values\[1\]\.t = nan is outside"),
        (math.inf, r"values\[1\]\.t = inf is outside"),
        ("0.8", r"values\[1\]\.t must be a number .*got '0\.8'"),
        (None, r"values\[1\]\.t must be a number .*got None"),
        (True, r"values\[1\]\.t must be a number .*got True"),
        ([0.8], r"values\[1\]\.t must be a number"),
    ],
)
def test_invalid_t_raises_value_error_naming_the_field(t, message):
    with pytest.raises(ValueError, match=message):
        ToleranceGauge(values=[{"label": "CsPbCl3", "t": 0.82}, {"label": "bad", "t": t}])


def test_rejected_values_leave_the_widget_unchanged():
    gauge = ToleranceGauge(values=PEROVSKITES)
    with pytest.raises(ValueError, match=r"values\[0\]\.t"):
        gauge.values = [{"label": "A", "t": 7}]
    assert gauge.values == PEROVSKITES


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"label": "A"}, r"values\[0\] must be a dict with keys 'label' and 't'"),
        (("A", 0.9), r"values\[0\] must be a dict"),
        ({"label": "", "t": 0.9}, r"values\[0\]\.label must be a non-empty string"),
        ({"label": 3, "t": 0.9}, r"values\[0\]\.label must be a non-empty string"),
    ],
)
def test_malformed_compound_raises(item, message):
    with pytest.raises(ValueError, match=message):
        ToleranceGauge(values=[item])


def test_duplicate_labels_raise():
    with pytest.raises(ValueError, match=r"values\[1\]\.label 'A' appears twice"):
        ToleranceGauge(values=[{"label": "A", "t": 0.9}, {"label": "A", "t": 1.0}])


def test_values_must_be_a_list():
    with pytest.raises(traitlets.TraitError, match="'values' trait"):
        ToleranceGauge(values={"label": "A", "t": 0.9})


def test_limits_are_validated():
    with pytest.raises(ValueError, match=r"low = 0\.0 is outside the allowed range \(0, 3\)"):
        ToleranceGauge(low=0)
    with pytest.raises(ValueError, match="low must be below high"):
        ToleranceGauge(low=1.2)
    gauge = ToleranceGauge()
    with pytest.raises(ValueError, match="low must be below high"):
        gauge.high = 0.7
    assert gauge.high == 1.11


def test_limits_set_together_are_checked_together():
    # Constructor arguments are validated after all are set, so the order does not matter.
    gauge = ToleranceGauge(low=1.2, high=1.5)
    assert (gauge.low, gauge.high) == (1.2, 1.5)
    with gauge.hold_trait_notifications():
        gauge.high = 0.95
        gauge.low = 0.9
    assert (gauge.low, gauge.high) == (0.9, 0.95)


def test_selected_must_be_a_label():
    with pytest.raises(ValueError, match=r"selected = 'CsPbF3' is not one of the labels"):
        ToleranceGauge(values=PEROVSKITES, selected="CsPbF3")


def test_selection_is_cleared_when_its_compound_goes():
    gauge = ToleranceGauge(values=PEROVSKITES, selected="CsPbI3")
    gauge.values = PEROVSKITES[:2]
    assert gauge.selected == ""
    gauge.selected = "CsPbBr3"
    gauge.values = PEROVSKITES[1:]
    assert gauge.selected == "CsPbBr3"


def test_error_message_round_trip():
    gauge = ToleranceGauge(values=PEROVSKITES)
    gauge.error = "radius of Cs(XII) unknown"
    assert gauge.get_state()["error"] == "radius of Cs(XII) unknown"
    gauge.error = ""
    assert gauge.values == PEROVSKITES


# --- the bundled ES module -------------------------------------------------------------------


def test_esm_is_self_contained():
    esm = ToleranceGauge()._esm
    assert "./tolerance_gauge_core.js" not in esm
    assert "export default" in esm
    assert "function gaugeLayout" in esm


@needs_node
def test_bundled_esm_loads_as_one_module(tmp_path):
    # anywidget imports _esm from a blob: URL; a single file with no relative import is the
    # closest stand-in node offers. The browser test proves the real thing.
    (tmp_path / "gauge.mjs").write_text(bundle_esm("tolerance_gauge.js"), encoding="utf-8")
    out = run_node_module(
        'const mod = await import("./gauge.mjs");\n'
        "console.log(typeof mod.default.render);\n",
        tmp_path,
    )
    assert out.strip() == "function"


def test_js_dir_in_a_checkout_and_in_a_wheel(tmp_path, monkeypatch):
    assert js_path("tolerance_gauge.js").is_file()
    assert js_path("lib/arrays.js").is_file()
    # Wheel layout: the modules sit inside the package as lnhet_widgets/js.
    package = tmp_path / "site-packages" / "lnhet_widgets"
    (package / "js").mkdir(parents=True)
    (package / "js" / "package.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(_assets, "_PACKAGE_DIR", package)
    assert js_dir() == package / "js"
    (package / "js" / "package.json").unlink()
    with pytest.raises(FileNotFoundError, match="cannot find its front-end modules"):
        js_dir()


def test_js_path_names_a_missing_module():
    with pytest.raises(FileNotFoundError, match=r"no front-end module 'nope\.js'"):
        js_path("nope.js")


def write_modules(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / next(iter(files))


@needs_node
def test_bundle_inlines_nested_and_shared_imports(tmp_path):
    entry = write_modules(
        tmp_path,
        {
            "main.js": (
                'import { twice as double, NAME } from "./a.js";\n'
                'import * as b from "./lib/b.js";\n'
                "export default { render() { return `${NAME}:${double(b.base())}`; } };\n"
            ),
            "a.js": (
                'import { base } from "./lib/b.js";\n'
                "const helper = 2;\n"
                "export function twice(x) { return helper * x + base() - base(); }\n"
                'export const NAME = "a";\n'
            ),
            "lib/b.js": "const helper = 10;\nexport function base() { return helper; }\n",
        },
    )
    esm = bundle_esm(entry)
    # b.js is shared by main.js and a.js but inlined once; both define a private `helper`.
    assert esm.count("// ---- lib/b.js (inlined) ----") == 1
    (tmp_path / "bundle.mjs").write_text(esm, encoding="utf-8")
    out = run_node_module(
        'const mod = await import("./bundle.mjs");\nconsole.log(mod.default.render());\n',
        tmp_path,
    )
    assert out.strip() == "a:20"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"main.js": 'import thing from "./a.js";\n', "a.js": "export default 1;\n"},
            "unsupported relative import",
        ),
        (
            {"main.js": 'import "./a.js";\n', "a.js": "\n"},
            "unsupported relative import",
        ),
        (
            {"main.js": 'import { x } from "./a.js";\n', "a.js": "export default 1;\n"},
            "may only export declarations",
        ),
        (
            {
                "main.js": 'import { x } from "./a.js";\n',
                "a.js": 'import { y } from "./b.js";\nexport const x = 1;\n',
                "b.js": 'import { x } from "./a.js";\nexport const y = 1;\n',
            },
            r"circular import .*a\.js -> b\.js -> a\.js",
        ),
    ],
)
def test_bundle_rejects_what_it_cannot_inline(tmp_path, files, message):
    with pytest.raises(ValueError, match=message):
        bundle_esm(write_modules(tmp_path, files))


def test_bundle_names_a_missing_import(tmp_path):
    entry = write_modules(tmp_path, {"main.js": 'import { x } from "./gone.js";\n'})
    with pytest.raises(FileNotFoundError, match=r"main\.js imports missing"):
        bundle_esm(entry)


def test_bundle_follows_edits(tmp_path):
    entry = write_modules(tmp_path, {"main.js": "export default 1;\n"})
    first = bundle_esm(entry)
    entry.write_text("export default 2;\n", encoding="utf-8")
    # Force a different mtime even on coarse-grained file systems.
    stat = entry.stat()
    os.utime(entry, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert bundle_esm(entry) != first


# --- arrays as binary buffers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype", ["int8", "uint8", "int16", "uint16", "int32", "uint32", "float32", "float64"]
)
def test_array_round_trip(dtype):
    array = np.arange(12).reshape(3, 4).astype(dtype)
    message = array_to_bytes(array)
    assert message["dtype"] == dtype
    assert message["shape"] == [3, 4]
    assert isinstance(message["buffer"], memoryview)
    assert message["buffer"].nbytes == array.nbytes
    np.testing.assert_array_equal(array_from_bytes(message), array)


def test_array_is_sent_little_endian_and_c_ordered():
    array = np.arange(6, dtype=">f8").reshape(2, 3).T
    message = array_to_bytes(array)
    assert message["shape"] == [3, 2]
    expected = np.ascontiguousarray(array, dtype="<f8").tobytes()
    assert message["buffer"].tobytes() == expected


def test_unsupported_dtype_names_the_field():
    with pytest.raises(ValueError, match="frames has dtype int64"):
        array_to_bytes(np.arange(3), name="frames")
    with pytest.raises(ValueError, match="dtype complex128"):
        array_to_bytes(np.ones(2, dtype=complex))


def test_array_travels_as_a_binary_comm_buffer():
    state = {"frame": array_to_bytes(np.zeros((2, 2), dtype=np.float32))}
    stripped, paths, buffers = _remove_buffers(state)
    assert paths == [["frame", "buffer"]]
    assert len(buffers) == 1 and buffers[0].nbytes == 16
    assert stripped["frame"] == {"dtype": "float32", "shape": [2, 2]}


@needs_node
def test_js_reads_what_python_sends(tmp_path):
    array = np.array([[0.5, -1.25, 3.0], [4.0, 5.5, -6.0]], dtype=np.float32)
    message = array_to_bytes(array)
    (tmp_path / "frame.bin").write_bytes(message["buffer"].tobytes())
    arrays_module = js_path("lib/arrays.js").as_uri()
    out = run_node_module(
        'import { readFileSync } from "node:fs";\n'
        f'import {{ fromBuffer }} from "{arrays_module}";\n'
        'const bytes = readFileSync(new URL("./frame.bin", import.meta.url));\n'
        "const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);\n"
        f"const msg = {{ buffer: view, dtype: {json.dumps(message['dtype'])}, "
        f"shape: {json.dumps(message['shape'])} }};\n"
        "const { data, shape } = fromBuffer(msg);\n"
        "console.log(JSON.stringify({ data: Array.from(data), shape }));\n",
        tmp_path,
    )
    result = json.loads(out)
    assert result["shape"] == [2, 3]
    assert result["data"] == array.ravel().tolist()
