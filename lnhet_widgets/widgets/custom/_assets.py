"""What the Python side hands the front end: bundled ES modules and numpy arrays as bytes.

The sources of the custom widgets are plain ES modules in ``js/widgets/``. An installed wheel
carries them as ``lnhet_widgets/js`` (hatch ``force-include``); an editable checkout has them
in the repository. :func:`js_path` finds either.

anywidget sends ``_esm`` to the browser as text and imports it from a ``blob:`` URL, against
which a relative import such as ``import {...} from "./core.js"`` cannot be resolved. The
modules stay split (node tests import the pure parts directly) and :func:`bundle_esm` inlines
the relative imports into one module before it is sent, so no build step or npm is needed.

Arrays travel as binary comm buffers, not JSON lists: :func:`array_to_bytes` makes the message
that ``fromBuffer`` in ``js/widgets/lib/arrays.js`` reads back as a typed array.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import numpy as np

__all__ = [
    "array_from_bytes",
    "array_to_bytes",
    "bundle_esm",
    "empty_array_message",
    "js_dir",
    "js_path",
]

_PACKAGE_DIR = Path(__file__).resolve().parents[2]


def js_dir() -> Path:
    """Directory holding the widgets' ES modules.

    Returns
    -------
    pathlib.Path
        ``lnhet_widgets/js`` in an installed wheel, else ``js/widgets/`` of the source checkout.

    Raises
    ------
    FileNotFoundError
        If neither exists (a broken install).

    Examples
    --------
    >>> (js_dir() / "tolerance_gauge.js").is_file()
    True
    """
    candidates = (_PACKAGE_DIR / "js", _PACKAGE_DIR.parent / "js" / "widgets")
    for candidate in candidates:
        if (candidate / "package.json").is_file():
            return candidate
    raise FileNotFoundError(
        "lnhet_widgets cannot find its front-end modules; looked in "
        + ", ".join(str(c) for c in candidates)
        + ". Reinstall the package (the wheel ships them as lnhet_widgets/js)."
    )


def js_path(name: str) -> Path:
    """Path of one ES module, e.g. ``js_path("tolerance_gauge.js")``.

    Raises
    ------
    FileNotFoundError
        If the module does not exist.
    """
    path = js_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"no front-end module {name!r} in {js_dir()}")
    return path


# Only these forms of relative import are inlined; the widget modules are written to them.
_IMPORT_RE = re.compile(
    r"""^import\s*(?:\{(?P<names>[^}]*)\}|\*\s*as\s+(?P<ns>[A-Za-z_$][\w$]*))\s*
        from\s*(?P<q>["'])(?P<spec>\.{1,2}/[^"']+)(?P=q)\s*;?[ \t]*$""",
    re.MULTILINE | re.VERBOSE,
)
_EXPORT_RE = re.compile(
    r"^export\s+(?P<kind>(?:async\s+)?function\*?|const|let|var|class)\s+"
    r"(?P<name>[A-Za-z_$][\w$]*)",
    re.MULTILINE,
)
# Any other import or re-export of a relative path (default or side-effect imports,
# `export ... from`); the character class keeps the match out of string literals.
_LEFTOVER_RELATIVE_IMPORT_RE = re.compile(
    r"""^\s*(?:import\s*["']\.{1,2}/|(?:import|export)\b[^;'"]*?from\s*["']\.{1,2}/)""",
    re.MULTILINE,
)


def _import_bindings(names: str, module_var: str) -> str:
    pairs = []
    for item in names.split(","):
        item = item.strip()
        if not item:
            continue
        original, _, alias = (part.strip() for part in item.partition(" as "))
        pairs.append(f"{original}: {alias}" if alias else original)
    return f"const {{ {', '.join(pairs)} }} = {module_var};"


class _Bundler:
    def __init__(self, root: Path):
        self.root = root
        self.chunks: list[str] = []
        self.module_vars: dict[Path, str] = {}
        self.in_progress: list[Path] = []

    def replace_imports(self, source: str, path: Path) -> str:
        def replace(match: re.Match) -> str:
            dependency = (path.parent / match["spec"]).resolve()
            module_var = self.add_dependency(dependency, importer=path)
            if match["ns"]:
                return f"const {match['ns']} = {module_var};"
            return _import_bindings(match["names"], module_var)

        source = _IMPORT_RE.sub(replace, source)
        leftover = _LEFTOVER_RELATIVE_IMPORT_RE.search(source)
        if leftover:
            raise ValueError(
                f"{self.relative(path)}: unsupported relative import {leftover[0].strip()!r}; "
                'write `import { a, b } from "./x.js";` or `import * as x from "./x.js";`'
            )
        return source

    def add_dependency(self, path: Path, *, importer: Path) -> str:
        if path in self.module_vars:
            return self.module_vars[path]
        if path in self.in_progress:
            cycle = " -> ".join(self.relative(p) for p in [*self.in_progress, path])
            raise ValueError(f"circular import between front-end modules: {cycle}")
        if not path.is_file():
            raise FileNotFoundError(f"{self.relative(importer)} imports missing {path}")
        self.in_progress.append(path)
        body = self.replace_imports(path.read_text(encoding="utf-8"), path)
        exported = [m["name"] for m in _EXPORT_RE.finditer(body)]
        body = _EXPORT_RE.sub(lambda m: f"{m['kind']} {m['name']}", body)
        if re.search(r"^\s*export\b", body, re.MULTILINE):
            raise ValueError(
                f"{self.relative(path)}: an imported module may only export declarations "
                "(`export function f`, `export const x = ...`), one name per statement"
            )
        self.in_progress.pop()
        module_var = f"__lnhet_module_{len(self.module_vars)}"
        self.module_vars[path] = module_var
        # Each dependency runs in its own function scope, as a module would, so that private
        # helpers of different files cannot clash.
        self.chunks.append(
            f"// ---- {self.relative(path)} (inlined) ----\n"
            f"const {module_var} = (() => {{\n{body.rstrip()}\n"
            f"return {{ {', '.join(exported)} }};\n}})();\n"
        )
        return module_var

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


@cache
def _bundle(path: Path, mtime_ns: int) -> str:
    # mtime_ns is part of the cache key, so an edited entry module is bundled again.
    del mtime_ns
    bundler = _Bundler(path.parent)
    entry = bundler.replace_imports(path.read_text(encoding="utf-8"), path)
    header = (
        f"// {path.name} with its relative imports inlined by "
        "lnhet_widgets.widgets.custom._assets;\n"
        "// edit the modules in js/widgets/, not this text.\n"
    )
    return header + "".join(bundler.chunks) + f"// ---- {path.name} ----\n" + entry


def bundle_esm(name: str | Path) -> str:
    """One self-contained ES module: ``name`` with its relative imports inlined.

    Parameters
    ----------
    name : str or pathlib.Path
        A module in :func:`js_dir` (``"tolerance_gauge.js"``) or a path to one.

    Returns
    -------
    str
        Module text for anywidget's ``_esm``. Imports of absolute URLs are left in place.

    Raises
    ------
    ValueError
        On an import form the bundler does not handle, or a circular import.
    FileNotFoundError
        If a module is missing.

    Notes
    -----
    Supported in imported modules: ``import { a, b as c } from "./x.js"``,
    ``import * as x from "./x.js"`` and exported declarations (``export function f``,
    ``export const x``), one per statement, at the start of a line. The entry module keeps its
    own exports (its ``export default`` is what anywidget calls).

    Examples
    --------
    >>> esm = bundle_esm("tolerance_gauge.js")
    >>> '"./tolerance_gauge_core.js"' in esm, "export default" in esm
    (False, True)
    """
    path = Path(name) if Path(name).is_absolute() else js_path(str(name))
    return _bundle(path, path.stat().st_mtime_ns)


#: dtypes that ``fromBuffer`` in js/widgets/lib/arrays.js turns into typed arrays.
_WIRE_DTYPES = ("int8", "uint8", "int16", "uint16", "int32", "uint32", "float32", "float64")


def array_to_bytes(arr, *, name: str = "array") -> dict:
    """Message for sending a numpy array to the front end as one binary buffer.

    Put the returned dict in a synced trait; ipywidgets sends the ``memoryview`` as a binary
    comm buffer, and ``fromBuffer(model.get(...))`` from ``js/widgets/lib/arrays.js`` gives back a
    typed array of the same values in C order.

    Parameters
    ----------
    arr : array_like
        Values of one of the dtypes int8, uint8, int16, uint16, int32, uint32, float32,
        float64. Python floats and ints become float64 and int64 respectively, so pass
        ``np.asarray(x, dtype=...)`` for integers (64-bit integers have no typed array that
        plain JavaScript numbers can use).
    name : str
        Field name used in the error message.

    Returns
    -------
    dict
        ``{"buffer": memoryview, "dtype": str, "shape": list[int]}``, little-endian.

    Raises
    ------
    ValueError
        If the dtype cannot be sent.

    Examples
    --------
    >>> msg = array_to_bytes(np.arange(6, dtype=np.float32).reshape(2, 3))
    >>> msg["dtype"], msg["shape"], msg["buffer"].nbytes
    ('float32', [2, 3], 24)
    >>> array_to_bytes(np.zeros((0, 2), dtype=np.int32))["shape"]
    [0, 2]
    """
    array = np.asarray(arr)
    if array.dtype.name not in _WIRE_DTYPES:
        raise ValueError(
            f"{name} has dtype {array.dtype.name}, which the front end cannot read; "
            f"convert it to one of {', '.join(_WIRE_DTYPES)}"
        )
    little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    # A byte view of the flat array; memoryview.cast refuses shapes with a zero in them.
    return {
        "buffer": memoryview(little.reshape(-1).view(np.uint8)),
        "dtype": array.dtype.name,
        "shape": list(array.shape),
    }


def empty_array_message(dtype: str, shape: tuple[int, ...]) -> dict:
    """:func:`array_to_bytes` of an array of zeros: the default of a binary array trait.

    Examples
    --------
    >>> empty_array_message("int8", (0, 0))["shape"]
    [0, 0]
    """
    return array_to_bytes(np.zeros(shape, dtype=dtype), name="empty")


def array_from_bytes(message: dict) -> np.ndarray:
    """Inverse of :func:`array_to_bytes`, e.g. for an array the front end sent back.

    Examples
    --------
    >>> a = np.array([[1.5, 2.0], [3.0, 4.0]])
    >>> np.array_equal(array_from_bytes(array_to_bytes(a)), a)
    True
    """
    dtype = np.dtype(message["dtype"]).newbyteorder("<")
    return np.frombuffer(message["buffer"], dtype=dtype).reshape(message["shape"])
