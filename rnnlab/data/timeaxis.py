"""The time column: labels for the plot's axis and the calendar step for season detection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                 "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%b %Y", "%Y %b")
_EPOCH = datetime(1970, 1, 1)  # matplotlib's date origin: x is in its date units
# step name -> (typical length in days, tolerance)
_STEPS = (("hour", 1 / 24, 0.01), ("day", 1.0, 0.1), ("week", 7.0, 0.5), ("month", 30.44, 3.0),
          ("quarter", 91.3, 5.0), ("year", 365.25, 3.0))


@dataclass(frozen=True)
class TimeAxis:
    """x positions for plotting (float; days since the epoch for dates), the original
    labels, and the calendar step when the spacing is regular."""

    x: np.ndarray  # (n,)
    labels: list[str]
    is_date: bool
    step: str | None


def parse_time(labels: list[str]) -> TimeAxis:
    """Numbers, then dates in a few common formats; anything else is plotted by position."""
    clean = [s.strip() for s in labels]
    try:
        x = np.array([float(s) for s in clean])
        if np.all(np.isfinite(x)):
            return TimeAxis(x, clean, False, _numeric_step(x))
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            stamps = [datetime.strptime(s, fmt) for s in clean]
        except ValueError:
            continue
        days = np.array([(d - _EPOCH).total_seconds() for d in stamps]) / 86400.0
        return TimeAxis(days, clean, True, _date_step(days))
    return TimeAxis(np.arange(len(clean), dtype=np.float64), clean, False, None)


def positions(n: int) -> TimeAxis:
    """No time column: steps 0..n-1."""
    return TimeAxis(np.arange(n, dtype=np.float64), [str(i) for i in range(n)], False, None)


def _date_step(days: np.ndarray) -> str | None:
    if days.shape[0] < 3:
        return None
    gap = float(np.median(np.diff(days)))
    for name, length, tol in _STEPS:
        if abs(gap - length) <= tol:
            return name
    return None


def _numeric_step(x: np.ndarray) -> str | None:
    """Whole numbers between 1000 and 3000 one apart read as years."""
    if x.shape[0] >= 3 and np.all(x == np.round(x)) and 1000 <= x.min() and x.max() <= 3000:
        if float(np.median(np.diff(x))) == 1.0:
            return "year"
    return None
