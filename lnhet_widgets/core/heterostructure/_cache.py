"""The result store of :class:`~lnhet_widgets.core.heterostructure.Heterostructure`: one
least-recently-used cache shared by all designs, and the decorator that files results in it.

A result is kept per full parameter set — the design, the method and every argument of the
call, defaults included — so a repeated call returns the identical object and a changed
design or argument computes anew. Cached results are shared, so their arrays are made
read-only.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import inspect
import threading
from collections.abc import Mapping

import numpy as np

__all__ = ["CACHE_SIZE"]

#: Most results the shared store keeps (least recently used dropped first). The largest are
#: the atoms of a 17 nm particle, ~7 MB each.
CACHE_SIZE = 32

_CACHE: collections.OrderedDict = collections.OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_STATS = {"hits": 0, "misses": 0}
CacheInfo = collections.namedtuple("CacheInfo", "hits misses maxsize currsize")


def _key(value):
    """A hashable stand-in for an argument: arrays by content, sequences and mappings
    element-wise (``[0, 100]`` keys like ``(0, 100)``, ``range(2)`` like ``(0, 1)``)."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, list | tuple | range):
        return tuple(_key(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((k, _key(v)) for k, v in value.items()))
    hash(value)
    return value


def _freeze(result):
    """Make the array fields of a result read-only: the cached object is shared."""
    if dataclasses.is_dataclass(result):
        for f in dataclasses.fields(result):
            value = getattr(result, f.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
    elif isinstance(result, Mapping):
        for value in result.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
    return result


def _cached(method):
    """Cache ``method``'s result per (design, method, every argument with its default)."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        arguments = {k: v for k, v in bound.arguments.items() if k != "self"}
        try:
            key = (method.__name__, self, _key(arguments))
        except TypeError:
            raise ValueError(f"{method.__name__}: arguments must be numbers, strings, arrays "
                             f"or sequences of them, got {arguments!r}") from None
        with _CACHE_LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                _CACHE_STATS["hits"] += 1
                return _CACHE[key]
            _CACHE_STATS["misses"] += 1
        # Computed outside the lock: another thread may compute the same key meanwhile; the
        # first result stored is the one everybody gets.
        result = _freeze(method(*bound.args, **bound.kwargs))
        with _CACHE_LOCK:
            result = _CACHE.setdefault(key, result)
            _CACHE.move_to_end(key)
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
        return result

    return wrapper


def cache_info() -> CacheInfo:
    """Hits, misses, bound and current size of the result store shared by all designs."""
    with _CACHE_LOCK:
        return CacheInfo(_CACHE_STATS["hits"], _CACHE_STATS["misses"], CACHE_SIZE, len(_CACHE))


def cache_clear() -> None:
    """Forget every cached result (and the hit and miss counts)."""
    with _CACHE_LOCK:
        _CACHE.clear()
        _CACHE_STATS.update(hits=0, misses=0)
