"""Axis limits and "nice" ticks, decided once in Python so every renderer draws the same axes.

The tick rule is Heckbert's (Graphics Gems, 1990, "Nice numbers for graph labels"): a step of
1, 2, 2.5 or 5 times a power of ten, about the wanted number of ticks (range / count rounded up to a nice step).
Log axes tick at powers of ten (and at 2 and 5 times them when fewer than three decades show).

>>> nice_ticks((0.0, 1.0), "linear", 5)
([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], ['0', '0.2', '0.4', '0.6', '0.8', '1'])
>>> nice_ticks((1e-3, 10.0), "log", 5)[1]
['10⁻³', '10⁻²', '10⁻¹', '1', '10']
>>> axis_limits([[2.0, 2.0]], "linear", None, 0.05)
([1.0, 3.0], 2.0)
>>> [short_number(v) for v in (0.58, 120, 3.37e-10, float("nan"))]
['0.58', '120', '3.4e-10', 'NaN']
"""

import math

import numpy as np

__all__ = ["axis_limits", "nice_ticks", "short_number"]

_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def _finite_range(arrays, scale):
    low, high = math.inf, -math.inf
    for array in arrays:
        values = np.asarray(array, dtype=np.float64).ravel()
        keep = np.isfinite(values) & ((values > 0) if scale == "log" else True)
        if keep.any():
            low, high = min(low, float(values[keep].min())), max(high, float(values[keep].max()))
    return low, high


def _widen(value, scale):
    if scale == "log":
        return [value / 10.0, value * 10.0]
    half = abs(value) / 2 if value else 1.0
    return [value - half, value + half]


def axis_limits(arrays, scale, given, margin):
    """``(lim, degenerate)``: finite limits for an axis showing ``arrays``.

    ``given`` (a [low, high] pair, entries may be None) wins where set. A range with a single value
    is widened around it, and that value is returned as ``degenerate`` (else None) for a note.
    With no finite value at all the limits are [0, 1] ([1, 10] on a log axis).
    """
    low, high = _finite_range(arrays, scale)
    given = list(given) if given is not None else [None, None]
    low = given[0] if given[0] is not None and math.isfinite(given[0]) else low
    high = given[1] if given[1] is not None and math.isfinite(given[1]) else high
    if not (math.isfinite(low) and math.isfinite(high)):
        return ([1.0, 10.0] if scale == "log" else [0.0, 1.0]), None
    if high <= low:
        return _widen(low, scale), low
    if margin and given == [None, None]:
        if scale == "log":
            pad = (math.log10(high) - math.log10(low)) * margin
            low, high = low / 10 ** pad, high * 10 ** pad
        else:
            pad = (high - low) * margin
            low, high = low - pad, high + pad
    return [low, high], None


def _label(value, step):
    quarter = step / 10 ** math.floor(math.log10(step)) == 2.5          # 0.25, 2.5, 25: one digit more
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) + (1 if quarter else 0)
    text = f"{value:.{decimals}f}" if abs(value) < 1e6 and (value == 0 or abs(value) >= 1e-4) else f"{value:.3g}"
    if "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "\u2212")


def _linear_ticks(low, high, count):
    raw = (high - low) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(s * power for s in _STEPS if s * power >= raw * (1 - 1e-9))
    first = math.ceil(low / step - 1e-9)
    ticks = [round((first + i) * step, 12) for i in range(int((high - low) / step + 1e-9) + 2)]
    ticks = [t for t in ticks if low - 1e-9 * step <= t <= high + 1e-9 * step]
    return ticks, [_label(t, step) for t in ticks]


def _power_label(exponent):
    return {0: "1", 1: "10"}.get(exponent, "10" + str(exponent).translate(_SUPERSCRIPT))


def _log_ticks(low, high, count):
    first, last = math.ceil(math.log10(low) - 1e-9), math.floor(math.log10(high) + 1e-9)
    if last - first < 1:            # under two powers of ten show: round linear values read better
        ticks, labels = _linear_ticks(low, high, count)
        return [t for t in ticks if t > 0], [label for t, label in zip(ticks, labels) if t > 0]
    stride = max(1, math.ceil((last - first + 1) / count))
    ticks = [(10.0 ** e, _power_label(e)) for e in range(first, last + 1, stride)]
    if last - first < 2:
        extra = [(m * 10.0 ** e, f"{m * 10.0 ** e:g}") for e in range(first - 1, last + 1) for m in (2, 5)]
        ticks = sorted(ticks + [t for t in extra if low <= t[0] <= high])
    return [t for t, _ in ticks], [label for _, label in ticks]


def nice_ticks(lim, scale, count=5):
    """``(ticks, labels)``: at most about ``count`` round values inside ``lim`` and their text."""
    low, high = float(lim[0]), float(lim[1])
    if scale == "log":
        return _log_ticks(low, high, count)
    return _linear_ticks(low, high, count)


def short_number(value):
    """Two significant digits, plain from 1e-4 to 1e4 (0.58, 120), else 2e-9, 3.4e-10; inf, NaN."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else "inf"
    rounded = float(f"{value:.2g}")
    text = f"{rounded:g}" if rounded == 0 or 1e-4 <= abs(rounded) < 1e4 else f"{rounded:.1e}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return text
