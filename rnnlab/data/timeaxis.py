"""The time column: labels for the plot's axis, the calendar step for season detection,
the order of the rows, and the timestamps of the steps after the last one.

Read: numbers (years like 2024 count as yearly), dates in common formats, ISO 8601
timestamps with `Z` or an offset (placed in UTC), quarters (`2024Q1`, `2024-Q1`,
`2024 Q1`) and ISO weeks (`2024-W05`, `2024W05`, `2024-W05-1`). The future steps are
labelled in the format of the series' own labels: `2024-12` is followed by `2025-01`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

import numpy as np

_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%d/%m/%Y",
                 "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%b %Y", "%Y %b", "%b-%d-%Y", "%Y/%m")
_EPOCH = datetime(1970, 1, 1)  # matplotlib's date origin: x is in its date units
# step name -> (typical length in days, tolerance)
_STEPS = (("hour", 1 / 24, 0.01), ("day", 1.0, 0.1), ("week", 7.0, 0.5), ("month", 30.44, 3.0),
          ("quarter", 91.3, 5.0), ("year", 365.25, 3.0))
_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_QUARTER = re.compile(r"(\d{4})[- ]?Q([1-4])", re.I)
_ISO_WEEK = re.compile(r"(\d{4})-?W(\d{2})(?:-?([1-7]))?", re.I)


@dataclass(frozen=True)
class TimeAxis:
    """x positions for plotting (float; days since the epoch for dates), the original
    labels, the calendar step when the spacing is regular, and how a later step is
    labelled (None: positions, or a step with no rule)."""

    x: np.ndarray  # (n,)
    labels: list[str]
    is_date: bool
    step: str | None
    kind: str = "position"  # "number", "date", "iso", "quarter", "week", "position", "text"
    fmt: str = ""  # the strptime format of "date" labels

    def take(self, index: np.ndarray) -> TimeAxis:
        """The rows `index` in that order."""
        return TimeAxis(self.x[index], [self.labels[i] for i in index], self.is_date, self.step, self.kind, self.fmt)


def parse_time(labels: list[str]) -> TimeAxis:
    """Numbers, then the date and time formats above; anything else is plotted by position."""
    clean = [s.strip() for s in labels]
    try:
        x = np.array([float(s) for s in clean])
        if np.all(np.isfinite(x)):
            return TimeAxis(x, clean, False, _numeric_step(x), "number")
    except ValueError:
        pass
    for kind, parse, fmt in _date_readers():
        try:
            stamps = [parse(s) for s in clean]
        except ValueError:
            continue
        days = np.array([(d - _EPOCH).total_seconds() for d in stamps]) / 86400.0
        return TimeAxis(days, clean, True, _date_step(days), kind, fmt)
    return TimeAxis(np.arange(len(clean), dtype=np.float64), clean, False, None, "text")


def positions(n: int) -> TimeAxis:
    """No time column: steps 0..n-1."""
    return TimeAxis(np.arange(n, dtype=np.float64), [str(i) for i in range(n)], False, None)


def future_axis(axis: TimeAxis, steps: int) -> TimeAxis:
    """The `steps` steps after the last one, labelled like the axis' own labels. A regular
    calendar step is followed on the calendar (months keep their day, or the month's end);
    numbers continue by their median spacing; without a known step the labels count on
    from the last (`2024-06-03+1`, ...)."""
    x, last = axis.x, axis.labels[-1] if axis.labels else "0"
    k = np.arange(1, steps + 1)
    if axis.kind in ("position", "number"):
        gap = float(np.median(np.diff(x))) if x.shape[0] > 1 else 1.0
        xs = x[-1] + k * gap
        whole = all(re.fullmatch(r"[-+]?\d+", s) for s in axis.labels[-3:]) and gap == round(gap)
        return TimeAxis(xs, [str(int(round(v))) if whole else f"{v:g}" for v in xs], False, axis.step, axis.kind)
    if axis.kind == "text" or axis.step is None:
        gap = float(np.median(np.diff(x))) if x.shape[0] > 1 else 1.0
        return TimeAxis(x[-1] + k * gap, [f"{last}+{i}" for i in k], axis.is_date, axis.step, "text")
    stamps = [_date_readers_by_kind()[axis.kind](s, axis.fmt) for s in axis.labels[-3:]]
    later = [_advance(stamps, axis.step, int(i)) for i in k]
    days = np.array([(d - _EPOCH).total_seconds() for d in later]) / 86400.0
    return TimeAxis(days, [_render(d, axis, last) for d in later], True, axis.step, axis.kind, axis.fmt)


def _advance(stamps: list[datetime], step: str, i: int) -> datetime:
    """The i-th step after the last of `stamps` (the last few labels: a month-end series stays at month ends)."""
    last = stamps[-1]
    if step in _MONTHS:
        month_end = all(d.day == calendar.monthrange(d.year, d.month)[1] for d in stamps)
        total = last.year * 12 + last.month - 1 + i * _MONTHS[step]
        year, month = divmod(total, 12)
        end = calendar.monthrange(year, month + 1)[1]
        return last.replace(year=year, month=month + 1, day=end if month_end else min(last.day, end))
    days = {"hour": 1 / 24, "day": 1, "week": 7}[step]
    return last + timedelta(days=days * i)


def _render(d: datetime, axis: TimeAxis, sample: str) -> str:
    if axis.kind == "date":
        return d.strftime(axis.fmt)
    if axis.kind == "quarter":
        m = _QUARTER.fullmatch(sample)
        sep = sample[4:m.start(2) - 1] if m else ""
        q = "q" if "q" in sample else "Q"
        return f"{d.year}{sep}{q}{(d.month - 1) // 3 + 1}"
    if axis.kind == "week":
        m = _ISO_WEEK.fullmatch(sample)
        year, week, weekday = d.isocalendar()
        dash = "-" if "-" in sample else ""
        w = "w" if "w" in sample else "W"
        return f"{year}{dash}{w}{week:02d}" + (f"{dash}{weekday}" if m and m.group(3) else "")
    return _render_iso(d, sample)


def _render_iso(d: datetime, sample: str) -> str:
    """An ISO timestamp like `sample`: its separator, precision and zone (Z, an offset, or none)."""
    parsed = datetime.fromisoformat(sample.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is not None:
        d = d.replace(tzinfo=timezone.utc).astimezone(parsed.tzinfo)
    has_time = len(sample) > 10
    if not has_time:
        return d.date().isoformat()
    sep = sample[10]
    time_part = re.split(r"[Zz+-]", sample[11:])[0]  # without the zone
    spec = "milliseconds" if "." in time_part else "seconds" if time_part.count(":") >= 2 else "minutes"
    text = d.isoformat(sep=sep, timespec=spec)
    return text.replace("+00:00", "Z") if sample.upper().endswith("Z") else text


def _parse_iso(text: str, fmt: str = "") -> datetime:
    """An ISO 8601 date or timestamp, placed in UTC (naive) when it carries a zone."""
    if len(text) < 10 or text[4] != "-":
        raise ValueError(text)
    d = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return d.astimezone(timezone.utc).replace(tzinfo=None) if d.tzinfo is not None else d


def _parse_quarter(text: str, fmt: str = "") -> datetime:
    m = _QUARTER.fullmatch(text)
    if not m:
        raise ValueError(text)
    return datetime(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)


def _parse_week(text: str, fmt: str = "") -> datetime:
    m = _ISO_WEEK.fullmatch(text)
    if not m:
        raise ValueError(text)
    day = date.fromisocalendar(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    return datetime(day.year, day.month, day.day)


def _date_readers() -> list[tuple[str, Callable[[str], datetime], str]]:
    readers: list[tuple[str, Callable[[str], datetime], str]] = [
        ("date", (lambda s, f=fmt: datetime.strptime(s, f)), fmt) for fmt in _DATE_FORMATS]
    return readers + [("quarter", _parse_quarter, ""), ("week", _parse_week, ""), ("iso", _parse_iso, "")]


def _date_readers_by_kind() -> dict[str, Callable[[str, str], datetime]]:
    return {"date": lambda s, f: datetime.strptime(s, f), "iso": _parse_iso, "quarter": _parse_quarter,
            "week": _parse_week}


def _date_step(days: np.ndarray) -> str | None:
    if days.shape[0] < 3:
        return None
    gap = float(np.median(np.abs(np.diff(days))))
    for name, length, tol in _STEPS:
        if abs(gap - length) <= tol:
            return name
    return None


def _numeric_step(x: np.ndarray) -> str | None:
    """Whole numbers between 1000 and 3000 one apart read as years."""
    if x.shape[0] >= 3 and np.all(x == np.round(x)) and 1000 <= x.min() and x.max() <= 3000:
        if float(np.median(np.abs(np.diff(x)))) == 1.0:
            return "year"
    return None
