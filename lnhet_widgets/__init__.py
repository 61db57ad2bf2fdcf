"""lnhet-widgets: simulations and lessons for LnNP@CsPbX3 core-shell heterostructures.

The package is layered: :mod:`lnhet_widgets.core` holds the numerical models (numpy and
numba, no widget imports) and :mod:`lnhet_widgets.widgets` the ipywidgets labs built on them.
Importing this top-level package is cheap; it loads neither numba nor the widget stack.

Examples
--------
>>> from lnhet_widgets.core.crystal import misfit
>>> round(100 * misfit("alpha-NaYF4", "CsPbBr3"), 1)
7.8
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
