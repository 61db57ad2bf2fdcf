"""Make nglview's Python side ask for the front end that is actually installed.

nglview 4.0.1 on PyPI declares front-end version ``"4.0"`` in ``nglview._frontend`` but ships
the 3.1.5 JupyterLab extension, so the browser answers "Module nglview-js-widgets, version
4.0 is not registered" and draws nothing. Executing a notebook without a browser shows no
error, which is why only a browser test catches it.

Two entry points cover every import order:

* :func:`install_import_hook` runs at interpreter start (from the ``.pth`` file this package
  installs) and corrects ``nglview._frontend`` the moment nglview is imported, before any of
  its widget classes or its ``ColormakerRegistry`` singleton exist.
* :func:`ensure_frontend_version` repairs an nglview that was imported before the hook could
  act (e.g. a session started without the ``.pth``): it rewrites the class defaults and
  replaces the registry singleton. :class:`lnhet_widgets.widgets.StructureView` calls it.

Nothing changes when the declared version already matches the installed extension.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import sys
from pathlib import Path

_MODULE = "nglview-js-widgets"
_TRAITS = ("_view_module_version", "_model_module_version")


def installed_frontend_version() -> str | None:
    """Version of the installed ``nglview-js-widgets`` JupyterLab extension, or None.

    Examples
    --------
    >>> v = installed_frontend_version()
    >>> v is None or v.count(".") >= 1
    True
    """
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:
        return None
    for root in jupyter_path("labextensions"):
        package = Path(root) / _MODULE / "package.json"
        if package.is_file():
            return json.loads(package.read_text(encoding="utf-8"))["version"]
    return None


class _FrontendFixLoader(importlib.abc.Loader):
    def __init__(self, wrapped: importlib.abc.Loader):
        self._wrapped = wrapped

    def create_module(self, spec):
        return self._wrapped.create_module(spec)

    def exec_module(self, module):
        self._wrapped.exec_module(module)
        version = installed_frontend_version()
        if version is not None:
            module.__frontend_version__ = version


class _FrontendFixFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != "nglview._frontend":
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is not None and spec.loader is not None:
            spec.loader = _FrontendFixLoader(spec.loader)
        return spec


def install_import_hook() -> None:
    """Correct nglview's requested front-end version when nglview is first imported.

    Cheap: it only registers a finder; nglview itself is not imported here.
    """
    if "nglview._frontend" in sys.modules:
        return
    if not any(isinstance(f, _FrontendFixFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _FrontendFixFinder())


def _widget_classes(root: type):
    stack = [root]
    while stack:
        cls = stack.pop()
        yield cls
        stack.extend(cls.__subclasses__())


def _retag_classes(root: type, version: str) -> None:
    for cls in _widget_classes(root):
        if not cls.__module__.startswith("nglview"):
            continue
        for name in _TRAITS:
            trait = cls.class_traits().get(name)
            if trait is None:
                continue
            trait.default_value = version
            # traitlets caches immutable defaults per class when the class is created.
            cache = cls.__dict__.get("_static_immutable_initial_values")
            if cache is not None and name in cache:
                cache[name] = version


def ensure_frontend_version() -> str | None:
    """Align an already imported nglview with the installed front end; return that version.

    Examples
    --------
    >>> import nglview
    >>> version = ensure_frontend_version()
    >>> version == nglview.NGLWidget.class_traits()["_view_module_version"].default_value
    True
    """
    import ipywidgets
    import nglview
    from nglview import _frontend, color, widget

    version = installed_frontend_version()
    if version is None:
        return None
    if _frontend.__frontend_version__ != version:
        _frontend.__frontend_version__ = version
        _retag_classes(ipywidgets.DOMWidget, version)
    old = color.ColormakerRegistry
    if old._view_module_version != version:
        # The class is hidden behind a singleton factory; a fresh instance opens a new comm.
        registry = type(old)()
        color.ColormakerRegistry = registry
        nglview.color.ColormakerRegistry = registry
        widget._INIT_VIEWS["color_maker_registry"] = registry
        old.close()
    return version
