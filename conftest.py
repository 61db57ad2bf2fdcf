"""Shared test configuration: numba and Jupyter write only to temporary folders."""

import os
import tempfile

_SCRATCH = tempfile.mkdtemp(prefix="lnhet-tests-")
for variable, sub in (("NUMBA_CACHE_DIR", "numba"), ("IPYTHONDIR", "ipython")):
    os.environ.setdefault(variable, os.path.join(_SCRATCH, sub))
