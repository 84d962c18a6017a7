"""Turn one series into examples: next-step pairs, or shuffled input/target windows."""

from __future__ import annotations

import numpy as np


def next_step_pairs(series: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``series[:-1]`` and targets ``series[1:]``: predict the next value."""
    if series.shape[0] < 2:
        raise ValueError(f"next-step prediction needs at least 2 points, got {series.shape[0]}")
    return series[:-1], series[1:]


def sliding_windows(series: np.ndarray, length: int) -> np.ndarray:
    """Every run of `length` consecutive values, in order. Shape (len - length, length).

    Matches the primer's ``for i in range(n - length): series[i : i + length]``, which
    leaves out the very last window.
    """
    count = series.shape[0] - length
    if count <= 0:
        raise ValueError(f"window of {length} values is longer than the series ({series.shape[0]} points)")
    return np.stack([series[i : i + length] for i in range(count)])


def shuffle_order(count: int, seed: int) -> np.ndarray:
    """The permutation ``np.random.seed(seed); np.random.shuffle(items)`` applies to `count` items."""
    order = np.arange(count)
    np.random.RandomState(seed).shuffle(order)
    return order


def split_windows(windows: np.ndarray, window: int, test_count: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First `test_count` windows are the test set, as in the primer. Inputs are the
    first `window` values, targets the rest.

    Returns (train_x (N, window), train_y (N, horizon), test_x, test_y).
    """
    test, train = windows[:test_count], windows[test_count:]
    return train[:, :window], train[:, window:], test[:, :window], test[:, window:]
