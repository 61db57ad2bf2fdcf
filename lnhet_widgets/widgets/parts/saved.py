"""Saved work: a lab's settings as a JSON file, and the Save/Load bar every lab shows.

A saved file holds what decides a lab's result — its parameters, seeds and the choices made
in its controls — and the library version that wrote it, so that loading it reproduces the
result exactly::

    {"format": "lnhet-widgets lab", "format_version": 1, "lab": "GrowthLab",
     "library_version": "0.1.0", "saved_at": "2025-05-01T09:30:00+00:00",
     "state": {"params": {...}, "seed": 0}}

JSON writes every Python float with the shortest text that reads back to the same float, so
numbers round-trip exactly. Nothing in a file is executed (no pickle, no eval): a file is
checked — JSON, format, lab type, versions, every value through the validating constructors
of the params dataclasses — before the lab changes, so a damaged or foreign file raises a
``ValueError`` that says what is wrong and leaves the lab as it was.

A lab becomes savable with the :class:`SavableLab` mixin and three small methods (see there);
:class:`SaveLoadBar` is the control for it.
"""

from __future__ import annotations

import dataclasses
import datetime
import inspect
import json
import os
import re
import typing
from pathlib import Path

import ipywidgets as widgets

from lnhet_widgets.core._base.validate import check_range

from ... import __version__
from ._download import download_link
from .status import StatusLine

__all__ = ["FORMAT", "FORMAT_VERSION", "SavableLab", "SaveLoadBar", "check_keys",
           "params_state", "read_choice", "read_flag", "read_lab_file", "read_number",
           "read_params"]

FORMAT = "lnhet-widgets lab"
#: Version of the file layout; a file with a larger number is refused (upgrade to read it).
FORMAT_VERSION = 1
_HEADER = ("format", "format_version", "lab", "library_version", "saved_at", "state")


# --- values <-> JSON -------------------------------------------------------------------------


def params_state(params) -> dict:
    """A params dataclass as JSON-ready values: tuples become lists, nested dataclasses dicts.

    Examples
    --------
    >>> @dataclasses.dataclass(frozen=True)
    ... class P:
    ...     size_nm: float = 4.0
    ...     dopants: tuple = (("Yb", 0.3),)
    >>> params_state(P())
    {'size_nm': 4.0, 'dopants': [['Yb', 0.3]]}
    """
    return {f.name: _plain(getattr(params, f.name)) for f in dataclasses.fields(params)}


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return params_state(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # a numpy scalar
        return value.item()
    return value


def read_params(cls, data, name: str = "params"):
    """Rebuild a params dataclass from :func:`params_state` output, checking every value.

    Field types are checked against the annotations (a number must be a number, not text);
    lists become tuples, and a tuple field whose default holds dataclasses gets them back.
    Fields missing from ``data`` take their default (a file written before the field
    existed). The class's own validation then runs, and its message (field, unit, allowed
    range) is passed on.

    Raises
    ------
    ValueError
        For an unknown field, a value of the wrong type, or one the class rejects.

    Examples
    --------
    >>> @dataclasses.dataclass(frozen=True)
    ... class P:
    ...     size_nm: float = 4.0
    >>> read_params(P, {"size_nm": 2.5})
    P(size_nm=2.5)
    >>> read_params(P, {"size_nm": "big"})
    Traceback (most recent call last):
    ...
    ValueError: params.size_nm must be a number, got 'big'
    >>> read_params(P, {"colour": "red"})
    Traceback (most recent call last):
    ...
    ValueError: params: unknown field 'colour' for P (known: size_nm)
    """
    if not isinstance(data, dict):
        raise ValueError(f"{name} must be a JSON object of {cls.__name__} fields, got {data!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValueError(f"{name}: unknown field {unknown[0]!r} for {cls.__name__} "
                         f"(known: {', '.join(fields)})")
    hints = typing.get_type_hints(cls)
    values = {key: _typed(f"{name}.{key}", value, hints.get(key), fields[key].default)
              for key, value in data.items()}
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: {error}") from None


def _typed(name: str, value, hint, default):
    """``value`` checked against a field's annotation; JSON lists back to (nested) tuples."""
    allowed = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union,
                                                                   _UnionType) else (hint,)
    if value is None and type(None) in allowed:
        return None
    if float in allowed or int in allowed:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number, got {value!r}")
        return value
    if str in allowed:
        if not isinstance(value, str):
            raise ValueError(f"{name} must be text, got {value!r}")
        return value
    if bool in allowed and not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    if tuple in allowed or typing.get_origin(hint) is tuple:
        if not isinstance(value, list):
            raise ValueError(f"{name} must be a list, got {value!r}")
        item_cls = _item_class(default)
        if item_cls is not None:
            return tuple(read_params(item_cls, v, f"{name}[{i}]") for i, v in enumerate(value))
        return _tuples(value)
    return value


_UnionType = type(int | None)


def _item_class(default):
    """The dataclass of a tuple default's items (e.g. TransferParams.energy_transfer)."""
    if isinstance(default, tuple) and default and dataclasses.is_dataclass(default[0]):
        return type(default[0])
    return None


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def check_keys(state, lab: str, required: tuple, optional: tuple = ()) -> None:
    """Check that a saved state is an object with the ``required`` keys and no unknown ones.

    Examples
    --------
    >>> check_keys({"params": {}, "colour": 1}, "GrowthLab", ("params",), ("seed",))
    Traceback (most recent call last):
    ...
    ValueError: unknown setting 'colour' in the saved GrowthLab (known: params, seed)
    """
    if not isinstance(state, dict):
        raise ValueError(f"the saved {lab} state must be a JSON object, got {state!r}")
    known = (*required, *optional)
    unknown = sorted(set(state) - set(known))
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r} in the saved {lab} "
                         f"(known: {', '.join(known)})")
    missing = [key for key in required if key not in state]
    if missing:
        raise ValueError(f"the saved {lab} lacks the setting {missing[0]!r}")


def read_number(name: str, value, unit: str, low: float, high: float, *,
                integer: bool = False) -> float | int:
    """A saved number checked like a parameter (:func:`check_range`); whole if ``integer``.

    Examples
    --------
    >>> read_number("seed", 7, "", 0, 2**31 - 1, integer=True)
    7
    >>> read_number("seed", 1.5, "", 0, 10, integer=True)
    Traceback (most recent call last):
    ...
    ValueError: seed must be a whole number, got 1.5
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number{f' in {unit}' if unit else ''}, "
                         f"got {value!r}")
    check_range(name, value, unit, low, high)
    if integer:
        if not float(value).is_integer():
            raise ValueError(f"{name} must be a whole number, got {value!r}")
        return int(value)
    return value


def read_choice(name: str, value, choices):
    """A saved value that must be one of ``choices``.

    Examples
    --------
    >>> read_choice("pump_nm", 800.0, (400.0, 365.0))
    Traceback (most recent call last):
    ...
    ValueError: pump_nm must be one of [400.0, 365.0], got 800.0
    """
    choices = list(choices)
    if isinstance(value, bool) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def read_flag(name: str, value) -> bool:
    """A saved true/false value."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return value


# --- files -----------------------------------------------------------------------------------


def _version_key(version: str) -> tuple[int, int] | None:
    match = re.match(r"\s*(\d+)\.(\d+)", version) if isinstance(version, str) else None
    return (int(match[1]), int(match[2])) if match else None


def _text_of(source) -> str:
    """JSON text from a path, JSON text, or bytes (an uploaded file)."""
    if isinstance(source, bytes | bytearray | memoryview):
        try:
            return bytes(source).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValueError(f"the file is damaged or not a saved lab: not UTF-8 text "
                             f"(byte {error.start})") from None
    if isinstance(source, str) and source.lstrip()[:1] in ("", "{", "["):
        return source
    if isinstance(source, str | os.PathLike):
        return Path(source).read_text(encoding="utf-8-sig")
    raise TypeError(f"expected a file path, JSON text or bytes, got {type(source).__name__}")


def _no_constant(name: str):
    # save() never writes NaN or Infinity (not JSON), and a setting with one is no setting.
    raise ValueError(f"the file is damaged: {name} is not a valid number")


def read_lab_file(source, lab: str) -> dict:
    """Parse a saved lab and check its header; returns the whole file as a dict.

    Raises ``ValueError`` for damaged JSON (with line and column), a file that is not a saved
    lab, one of another lab, or one written by a newer format or library version.
    """
    text = _text_of(source)
    try:
        payload = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise ValueError(f"the file is damaged or not JSON: {error.msg} at line "
                         f"{error.lineno}, column {error.colno}") from None
    except RecursionError:
        raise ValueError("the file is damaged: nested too deeply") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f'this is not a saved lnhet-widgets lab (no "format": "{FORMAT}" '
                         "entry)")
    version = payload.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"the file is damaged: format_version must be a whole number ≥ 1, "
                         f"got {version!r}")
    if version > FORMAT_VERSION:
        raise ValueError(f"this file has format version {version}; lnhet-widgets {__version__}"
                         f" reads up to version {FORMAT_VERSION} — upgrade to load it")
    saved_by = payload.get("library_version")
    saved_key = _version_key(saved_by)
    if saved_key is None:
        raise ValueError(f"the file is damaged: unknown library_version {saved_by!r}")
    if saved_key > _version_key(__version__):
        raise ValueError(f"saved with lnhet-widgets {saved_by}; this is {__version__} — "
                         "upgrade to load it")
    if payload.get("lab") != lab:
        raise ValueError(f"this file holds a {payload.get('lab')}, not a {lab}")
    unknown = sorted(set(payload) - set(_HEADER))
    if unknown:
        raise ValueError(f"the file is damaged: unknown entry {unknown[0]!r}")
    if "state" not in payload:
        raise ValueError("the file is damaged: it has no saved state")
    return payload


# --- the mixin -------------------------------------------------------------------------------


class SavableLab:
    """Mixin that gives a lab ``save``, ``load`` and ``restore``.

    A lab implements three small methods:

    ``_saved_state(self) -> dict``
        What decides the result, as JSON-ready values (:func:`params_state` for params).
    ``_read_saved_state(cls, state) -> dict`` (classmethod)
        Check a saved state and turn it into Python values (params objects built with
        :func:`read_params`, numbers with :func:`read_number`, …). No side effects: it runs
        before anything changes. Keys named like constructor arguments are passed to the
        constructor by :meth:`load`.
    ``_apply_saved_state(self, values)``
        Put those values into the lab and bring its result up to date; it should do nothing
        (and compute nothing) for values the lab already has.

    Examples
    --------
    >>> class Lab(SavableLab):
    ...     def __init__(self, size_nm=4.0):
    ...         self.size_nm = size_nm
    ...     def _saved_state(self):
    ...         return {"size_nm": self.size_nm}
    ...     @classmethod
    ...     def _read_saved_state(cls, state):
    ...         check_keys(state, "Lab", ("size_nm",))
    ...         return {"size_nm": read_number("size_nm", state["size_nm"], "nm", 1, 10)}
    ...     def _apply_saved_state(self, values):
    ...         self.size_nm = values["size_nm"]
    >>> text = Lab(2.5).save()
    >>> Lab.load(text).size_nm
    2.5
    >>> lab = Lab()
    >>> lab.restore(text.replace("2.5", "25"))
    Traceback (most recent call last):
    ...
    ValueError: size_nm = 25 nm is outside the allowed range [1, 10] nm
    >>> lab.size_nm
    4.0
    """

    @classmethod
    def _lab_name(cls) -> str:
        # The class that defines the saved state names the file's lab, so that a subclass
        # of GrowthLab saves and loads GrowthLab files.
        return next(k.__name__ for k in cls.__mro__ if "_saved_state" in vars(k))

    @classmethod
    def default_filename(cls) -> str:
        """File name offered by the Save/Load bar, e.g. ``"growth_lab.json"``."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls._lab_name()).lower() + ".json"

    def save(self, path=None) -> str:
        """Return the lab's settings as JSON text; also write them to ``path`` when given.

        The file holds the parameters, seeds and control choices that decide the result,
        the library version and the time; :meth:`load` reproduces the result from it.
        """
        payload = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "lab": self._lab_name(),
            "library_version": __version__,
            "saved_at": datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec="seconds"),
            "state": self._saved_state(),
        }
        # allow_nan=False: NaN or infinity is no valid JSON, and no setting has one.
        text = json.dumps(payload, indent=1, ensure_ascii=False, allow_nan=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def _read(cls, source) -> tuple[dict, dict]:
        payload = read_lab_file(source, cls._lab_name())
        return payload, cls._read_saved_state(payload["state"])

    @classmethod
    def load(cls, source, **kwargs):
        """A new lab with the settings of a saved file (path, JSON text or bytes).

        ``kwargs`` are further constructor arguments, those the file does not set.

        Raises
        ------
        ValueError
            For a damaged file, one of another lab or of a newer version, or an invalid
            setting; the message says which.
        OSError
            When ``source`` names a file that cannot be read.
        """
        _payload, values = cls._read(source)
        clash = sorted(set(kwargs) & set(values))
        if clash:
            raise TypeError(f"{clash[0]} is set by the saved file; leave it out of load()")
        accepted = inspect.signature(cls).parameters
        lab = cls(**{k: v for k, v in values.items() if k in accepted}, **kwargs)
        lab._apply_saved_state(values)
        return lab

    def restore(self, source) -> dict:
        """Apply a saved file to this lab; returns the file's contents.

        Everything is checked first: a damaged or foreign file, or an invalid setting,
        raises ``ValueError`` and leaves the lab (params and result) unchanged. A lab that
        cannot take new settings at the moment (an anneal in progress) raises
        ``RuntimeError``, also before anything changes.
        """
        payload, values = self._read(source)
        self._apply_saved_state(values)
        return payload

    def _saved_state(self) -> dict:
        raise NotImplementedError

    @classmethod
    def _read_saved_state(cls, state) -> dict:
        raise NotImplementedError

    def _apply_saved_state(self, values: dict) -> None:
        raise NotImplementedError


# --- the bar ---------------------------------------------------------------------------------


class SaveLoadBar(widgets.VBox):
    """Save and Load for one lab: a file name, Save, an upload button, a download link.

    Save writes the lab's settings to the named file in the kernel's working directory (next
    to the notebook) and offers the same file as a download link, which works in JupyterLab,
    Notebook and Voilà alike. Load (a file chosen in the browser) restores the lab; a bad
    file shows its error here and the lab keeps its last good state.

    Parameters
    ----------
    lab : SavableLab
        The lab to save and restore.

    Examples
    --------
    >>> class Lab(SavableLab):
    ...     size_nm = 4.0
    ...     def _saved_state(self):
    ...         return {"size_nm": self.size_nm}
    >>> bar = SaveLoadBar(Lab())
    >>> bar.filename.value, bar.upload.accept
    ('lab.json', '.json')
    """

    def __init__(self, lab: SavableLab):
        self.lab = lab
        self.filename = widgets.Text(value=type(lab).default_filename(), description="File",
                                     style={"description_width": "30px"},
                                     layout={"width": "185px"},
                                     tooltip="saved in the notebook's folder")
        self.save_button = widgets.Button(description="Save", icon="save",
                                          layout={"width": "75px"},
                                          tooltip="save the settings and seeds of this lab")
        self.save_button.on_click(lambda _b: self.save())
        self.upload = widgets.FileUpload(accept=".json", multiple=False, description="Load",
                                         layout={"width": "85px"},
                                         tooltip="load settings saved from this lab")
        self.upload.observe(self._on_upload, names="value")
        self.download = widgets.HTML()
        self.status = StatusLine()
        super().__init__([
            widgets.HBox([self.filename, self.save_button, self.upload],
                         layout={"flex_flow": "row wrap", "align_items": "center"}),
            widgets.HBox([self.status, self.download],
                         layout={"flex_flow": "row wrap", "align_items": "center"}),
        ])
        self.add_class("lnhet-save-load")

    def save(self) -> Path | None:
        """Save to the file named in the bar (``.json`` added when it has no suffix)."""
        name = self.filename.value.strip()
        if not name:
            self.status.error("Enter a file name to save to.")
            return None
        path = Path(name) if Path(name).suffix else Path(name + ".json")
        try:
            text = self.lab.save(path)
        except (OSError, ValueError) as error:
            self.status.error(f"Could not save {path}: {error}")
            return None
        self.download.value = download_link(path.name, text + "\n", "application/json",
                                            "download")
        self.status.show(f"Saved to {path.resolve()}", "ok")
        return path

    def _on_upload(self, change) -> None:
        if not change.new:
            return  # the reset below
        upload = change.new[0]
        name = upload.get("name", "the file")
        try:
            # Read (and check) first: a bad file must leave the lab as it is, and say so.
            try:
                payload, values = type(self.lab)._read(bytes(upload["content"]))
            except (ValueError, TypeError) as error:
                self.status.error(f"Could not load {name}: {error}. The lab is unchanged.")
                return
            self.status.show(f"Loading {name}…", "busy")
            self.lab._apply_saved_state(values)
        except Exception as error:  # shown; never raised out of a widget callback
            kind = "" if isinstance(error, ValueError | RuntimeError) else (
                f"{type(error).__name__}: ")
            self.status.error(f"Could not load {name}: {kind}{error}")
        else:
            when = payload.get("saved_at") or "at an unknown time"
            self.status.show(f"Loaded {name} (saved {when} with lnhet-widgets "
                             f"{payload['library_version']}).", "ok")
        finally:
            # Forget the upload, so that choosing the same file again loads it again.
            self.upload.value = ()
