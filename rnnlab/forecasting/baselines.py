"""The baselines every forecast is shown beside, made from the past alone at each origin.

naive           the last value, repeated.
seasonal_naive  the last season, repeated (the naive forecast when there is no season).
mean            the mean of every value of the origin's series up to the origin.
Shapes: values (n,), origins (N,) -> forecasts (N, horizon).
"""

from __future__ import annotations

import numpy as np

BASELINES = ("naive", "seasonal_naive", "mean")


def naive(values: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    return np.repeat(values[origins][:, None], horizon, axis=1)


def seasonal_naive(values: np.ndarray, origins: np.ndarray, horizon: int, season: int) -> np.ndarray:
    m = max(season, 1)
    steps = np.arange(horizon) % m  # step k+1 copies the value m - (k mod m) before it
    return values[origins[:, None] - m + 1 + steps[None, :]]


def history_mean(values: np.ndarray, origins: np.ndarray, horizon: int,
                 first: np.ndarray | None = None) -> np.ndarray:
    """The mean from `first` (each origin's series start in a panel; 0 by default) to the origin."""
    first = np.zeros_like(origins) if first is None else first
    sums = np.concatenate([[0.0], np.cumsum(values)])
    means = (sums[origins + 1] - sums[first]) / (origins + 1 - first)
    return np.repeat(means[:, None], horizon, axis=1)


def all_baselines(values: np.ndarray, origins: np.ndarray, horizon: int, season: int,
                  first: np.ndarray | None = None) -> dict[str, np.ndarray]:
    return {"naive": naive(values, origins, horizon),
            "seasonal_naive": seasonal_naive(values, origins, horizon, season),
            "mean": history_mean(values, origins, horizon, first)}
