"""Validation of user-facing numbers: one message format for every model and widget."""

from __future__ import annotations

import math


def check_range(
    name: str,
    value: float,
    unit: str,
    low: float,
    high: float,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Return ``value`` as a float if it lies in the allowed range, else raise ``ValueError``.

    The message names the field, its unit and the allowed range, so that the same text can be
    shown to a user in a widget.

    Parameters
    ----------
    name : str
        Public name of the field, e.g. ``"core_diameter_nm"``.
    value : float
        The value to check.
    unit : str
        Unit shown in the message (``""`` for dimensionless quantities).
    low, high : float
        Bounds of the allowed range.
    low_inclusive, high_inclusive : bool
        Whether the bounds themselves are allowed.

    Examples
    --------
    >>> check_range("temperature_c", 220, "°C", 20, 400)
    220.0
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in {unit or 'no unit'}, got {value!r}") from None
    below = number < low if low_inclusive else number <= low
    above = number > high if high_inclusive else number >= high
    if math.isnan(number) or below or above:
        lb = "[" if low_inclusive else "("
        hb = "]" if high_inclusive else ")"
        unit_text = f" {unit}" if unit else ""
        raise ValueError(
            f"{name} = {value!r}{unit_text} is outside the allowed range "
            f"{lb}{low:g}, {high:g}{hb}{unit_text}"
        )
    return number
