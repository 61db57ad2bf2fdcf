"""``python -m lnhet_widgets.course``: see :mod:`lnhet_widgets.course.cli`."""

from .cli import main

raise SystemExit(main())
