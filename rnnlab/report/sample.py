"""Fewer points, same picture: curves and frames cut down to what a page draws at once.

A curve of 20,000 log points drawn on 800 pixels shows at most 800 columns, so it is
reduced to one min and one max per column bucket (in the order they occur), plus its
first and last points: every peak and dip a reader could see survives.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

MAX_CURVE_POINTS = 1500  # about two per pixel column of a wide chart
MAX_FRAMES = 300  # slider positions


def keep_extremes(x: np.ndarray, y: np.ndarray, max_points: int = MAX_CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) reduced to at most about `max_points` points: each bucket's min and max of y
    (NaN-aware), in x order, with the first and last points kept."""
    n = len(x)
    if n <= max_points:
        return x, y
    buckets = max(1, (max_points - 2) // 2)
    edges = np.linspace(1, n - 1, buckets + 1).astype(int)
    keep = {0, n - 1}
    finite = np.isfinite(y)
    for lo, hi in zip(edges[:-1], edges[1:]):
        if hi <= lo:
            continue
        seg = np.flatnonzero(finite[lo:hi])
        if seg.size == 0:
            keep.add(lo)  # a gap stays a gap
            continue
        vals = y[lo:hi][seg]
        keep.update((lo + int(seg[np.argmin(vals)]), lo + int(seg[np.argmax(vals)])))
    idx = np.array(sorted(keep))
    return x[idx], y[idx]


def frame_indices(count: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """At most `max_frames` indices of `count` frames, evenly spread, first and last kept."""
    if count <= max_frames:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, max_frames).round().astype(int))


def plain(value: Any, digits: int = 6) -> Any:
    """`value` (arrays, NumPy scalars, nested lists and dicts) as JSON-able Python: floats
    to `digits` significant digits, NaN and infinities as None (JSON has neither)."""
    if isinstance(value, dict):
        return {str(k): plain(v, digits) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc":
            return _floats(value.astype(np.float64), digits)
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v, digits) for v in value]
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return float(f"{f:.{digits}g}") if math.isfinite(f) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _floats(a: np.ndarray, digits: int) -> Any:
    if a.ndim == 0:
        return plain(float(a), digits)
    if a.ndim > 1:
        return [_floats(row, digits) for row in a]
    return [float(f"{v:.{digits}g}") if math.isfinite(v) else None for v in a.tolist()]
