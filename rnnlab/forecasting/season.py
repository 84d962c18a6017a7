"""Season detection on the training part only, so the test part never shapes the choice.

A season is a lag where the autocorrelation of the first differences peaks: differencing
removes a trend that would otherwise make every lag look alike. A calendar step (monthly,
weekly, ...) proposes its usual season, kept when the data agree with it.
"""

from __future__ import annotations

import numpy as np

CALENDAR_SEASONS = {"hour": 24, "day": 7, "week": 52, "month": 12, "quarter": 4}
MIN_PEAK = 0.25  # autocorrelation a peak needs to count as a season
MAX_LAG = 400


def autocorrelation(x: np.ndarray, max_lag: int) -> np.ndarray:
    """r_k for k = 0..max_lag (r_0 = 1); zeros when x is constant. Shape (max_lag + 1,)."""
    x = x - x.mean()
    denom = float(x @ x)
    out = np.zeros(max_lag + 1)
    out[0] = 1.0
    if denom <= 0.0:
        return out
    for k in range(1, max_lag + 1):
        out[k] = float(x[:-k] @ x[k:]) / denom
    return out


def detect_season(train: np.ndarray, step: str | None = None) -> int:
    """The season length in steps, or 1 for none. `train` (n,) finite values of the
    training part; `step` the calendar step of the time column, if known."""
    d = np.diff(train)
    max_lag = min(MAX_LAG, d.shape[0] // 3)
    if max_lag < 3:
        return 1
    r = autocorrelation(d, max_lag)
    hint = CALENDAR_SEASONS.get(step or "")
    if hint is not None and hint <= max_lag and r[hint - 1:hint + 2].max() >= MIN_PEAK:
        return hint
    peaks = [k for k in range(2, max_lag) if r[k] >= r[k - 1] and r[k] >= r[k + 1] and r[k] >= MIN_PEAK]
    if not peaks:
        return 1
    best = max(peaks, key=lambda k: r[k])
    # A peak at a multiple of the season is the season seen twice: keep the shortest.
    for k in peaks:
        if k < best and abs(best / k - round(best / k)) < 0.1 and r[k] >= 0.8 * r[best]:
            return k
    return best
