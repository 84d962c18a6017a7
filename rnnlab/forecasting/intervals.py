"""Prediction intervals by rolling-origin conformal prediction, and how to score them.

A forecast made at origin o is wrong by |y - f| at each step k. Those absolute errors,
from origins whose targets were already observed, calibrate the next forecast's interval
at step k: with m errors, the level-q interval is f +- the ceil((m + 1) q)-th smallest
(split conformal prediction, Vovk et al. 2005; Angelopoulos & Bates 2023), which covers
at least q of the time when errors are exchangeable. Calibration errors come from the
validation part and, as the backtest rolls on, the test origins already past; the test
part's own future is never used. The forecast beyond the data uses every error observed.

In a panel the errors are divided by each series' scale (rnnlab.forecasting.metrics'
MASE scale), pooled across series, and multiplied back: one calibration for the panel.
With fewer errors than a level needs (m < 1/(1 - q) - 1), the largest one is used and
the interval is too narrow: `calibration_sizes` tells.
"""

from __future__ import annotations

import math

import numpy as np


def scores_at(actual: np.ndarray, forecast: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Scaled absolute errors (N, H); NaN where the actual is unknown."""
    return np.abs(actual - forecast) / scale[:, None]


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The ceil((m + 1) level)-th smallest of m finite scores (the largest when m is too
    small for the level; NaN with none)."""
    s = np.sort(scores[np.isfinite(scores)])
    if s.shape[0] == 0:
        return math.nan
    rank = min(math.ceil((s.shape[0] + 1) * level), s.shape[0])
    return float(s[rank - 1])


def rolling_widths(scores: np.ndarray, calib_clock: np.ndarray, query_clock: np.ndarray,
                   levels: list[float]) -> np.ndarray:
    """Half-widths (L, Q, H) in scaled units for queries at `query_clock`, each from the
    calibration scores (N, H) whose step-k target was observed by then:
    calib_clock + k <= query_clock (a clock counts steps from each series' end, so a panel's
    series share it). Each query's own errors are never among its calibration ones."""
    h = scores.shape[1]
    out = np.full((len(levels), query_clock.shape[0], h), np.nan)
    for q, t in enumerate(query_clock):
        for k in range(h):
            known = scores[calib_clock + k + 1 <= t, k]
            for i, level in enumerate(levels):
                out[i, q, k] = conformal_quantile(known, level)
    return out


def calibration_sizes(calib_clock: np.ndarray, query_clock: float, h: int) -> list[int]:
    """How many errors calibrate each step of a query at `query_clock`."""
    return [int(np.sum(calib_clock + k + 1 <= query_clock)) for k in range(h)]


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """The share of known actuals inside [lower, upper]."""
    keep = ~np.isnan(actual) & ~np.isnan(lower)
    if not keep.any():
        return math.nan
    y = actual[keep]
    return float(np.mean((y >= lower[keep]) & (y <= upper[keep])))


def winkler(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, level: float) -> float:
    """The mean interval score (Winkler 1972; Gneiting & Raftery 2007): the width, plus
    2 / (1 - level) times how far the actual falls outside. Lower is better."""
    keep = ~np.isnan(actual) & ~np.isnan(lower)
    if not keep.any():
        return math.nan
    y, lo, hi = actual[keep], lower[keep], upper[keep]
    alpha = 1.0 - level
    score = (hi - lo) + (2.0 / alpha) * (np.maximum(lo - y, 0.0) + np.maximum(y - hi, 0.0))
    return float(np.mean(score))


def level_key(level: float) -> str:
    """80 for 0.8, 97.5 for 0.975: the suffix of metric names and file columns."""
    return f"{level * 100:.10g}"
