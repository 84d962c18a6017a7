"""Point-forecast accuracy: MAE, RMSE, sMAPE and MASE, pooled over every origin and step.

sMAPE is in percent, ``mean(200 |e| / (|y| + |f|))``, a term with y = f = 0 counting as 0.
MASE divides the MAE by the in-sample MAE of the seasonal naive forecast on the
training part, ``mean |y_t - y_{t-m}|`` (m = season, 1 without one), as Hyndman & Koehler
(2006) define it: below 1 beats that naive forecast made one season back in-sample.
"""

from __future__ import annotations

import math

import numpy as np

METRICS = ("mae", "rmse", "smape", "mase")


def mase_scale(train: np.ndarray, season: int) -> float:
    """mean |y_t - y_{t-m}| over the training part (NaN when it is shorter than a season)."""
    m = max(season, 1)
    if train.shape[0] <= m:
        return math.nan
    return float(np.mean(np.abs(train[m:] - train[:-m])))


def accuracy(actual: np.ndarray, forecast: np.ndarray, scale: float) -> dict[str, float]:
    """Metrics over all entries where the actual is known (NaN marks an unscored entry).

    MASE is NaN (null in JSON) when the scale is 0 or undefined: no division by zero."""
    keep = ~np.isnan(actual)
    y, f = actual[keep], forecast[keep]
    if y.size == 0:
        return {name: math.nan for name in METRICS}
    e = np.abs(y - f)
    denom = np.abs(y) + np.abs(f)
    smape = np.divide(200.0 * e, denom, out=np.zeros_like(e), where=denom > 0)
    mae = float(e.mean())
    return {
        "mae": mae,
        "rmse": float(np.sqrt(np.mean(e * e))),
        "smape": float(smape.mean()),
        "mase": mae / scale if scale > 0 else math.nan,
    }
