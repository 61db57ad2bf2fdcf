"""Example measurements shipped with the package.

``simetuc_bNaYF4_decays/``: real luminescence decays of β-NaYF4:Yb,Tm published with the
simetuc project (P. Villanueva-Delgado, MIT licence, see the folder's README and licence; cite
simetuc and J. Phys. Chem. C 119, 23648 (2015) when you use them). Two columns, tab separated:
time in seconds, intensity (photon counts for the 980 nm excitations, normalised to 1 for the
473 nm ones).

Examples
--------
>>> names = example_decays()
>>> len(names), names[0]
(12, 'decay_Tm_1D2_exc_NIR_980_25.0Yb_0.3Tm.txt')
>>> t, y = load_example_decay("decay_Yb_ES_exc_NIR_980_25.0Yb_0.3Tm.txt")
>>> t.size, float(t[1] - t[0])
(4000, 5e-06)
"""

from __future__ import annotations

import io
from importlib import resources

import numpy as np

__all__ = ["example_decay_bytes", "example_decays", "load_example_decay"]

_DECAYS = "simetuc_bNaYF4_decays"


def example_decays() -> list[str]:
    """File names of the bundled measured decays, sorted."""
    folder = resources.files(__name__) / _DECAYS
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("decay_"))


def example_decay_bytes(name: str) -> bytes:
    """The file of a bundled decay as it is on disk, by name (see :func:`example_decays`)."""
    if name not in example_decays():
        raise ValueError(f"no bundled decay named {name!r}; choose one of {example_decays()}")
    return (resources.files(__name__) / _DECAYS / name).read_bytes()


def load_example_decay(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Time (s) and intensity of a bundled decay, by file name (see :func:`example_decays`)."""
    data = np.loadtxt(io.BytesIO(example_decay_bytes(name)))
    return data[:, 0], data[:, 1]
