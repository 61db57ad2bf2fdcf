"""A range slider whose bounds and value change together without the browser clamping the value.

The browser applies the keys of one update message in the order they come, firing a change
event for each. ipywidgets collects the names changed inside ``hold_sync`` in a set, so the
value can come ahead of its new bounds: the browser's slider then clamps the new value into
the old bounds and sends the clamped value back as if the user had moved it. Seen in Chromium:
after a list of 10.2–18.8 nm particle sizes, an uploaded decay was fitted over 10.2–18.8 ns
instead of its whole 150 ns, in one kernel out of three (the set's order depends on the hash
seed).
"""

from __future__ import annotations

from collections.abc import Iterable

import ipywidgets as widgets

__all__ = ["WindowSlider"]

# Keys the browser must apply before the value, in this order.
_BOUNDS_FIRST = {"min": 0, "max": 1, "step": 2}


class WindowSlider(widgets.FloatRangeSlider):
    """A ``FloatRangeSlider`` that always sends its bounds and step before its value.

    Examples
    --------
    >>> slider = WindowSlider(min=0.0, max=1.0, value=(0.0, 1.0))
    >>> slider.set_range(-5.0, 150.0, (0.35, 150.0))
    >>> slider.min, slider.max, slider.step, slider.value
    (-5.0, 150.0, 0.155, (0.35, 150.0))
    """

    def send_state(self, key: str | Iterable[str] | None = None) -> None:
        """Send ``key`` (one name, several, or all) with min, max and step ahead of the rest."""
        if key is not None and not isinstance(key, str):
            key = sorted(key, key=lambda name: _BOUNDS_FIRST.get(name, len(_BOUNDS_FIRST)))
        super().send_state(key)

    def set_range(self, low: float, high: float, value: Iterable[float]) -> None:
        """Set the bounds to ``low``–``high`` (1000 steps) and the value, clipped to them,
        in one message to the browser.

        The kernel widens the bounds first, so that every intermediate state passes the
        slider's own validation; ``hold_sync`` then sends only the final bounds, step and
        value.
        """
        if not high > low:
            high = low + 1.0
        with self.hold_sync():
            self.max = max(high, self.max)
            self.min = min(low, self.min)
            self.step = (high - low) / 1000
            start, end = (min(max(float(v), low), high) for v in sorted(value))
            self.value = (start, end)
            self.min, self.max = low, high
