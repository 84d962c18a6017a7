"""The data of one recipe, built from its config: arrays ready for an engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from rnnlab.config import DataConfig
from rnnlab.data.framing import (
    next_step_pairs,
    shuffle_order,
    sliding_windows,
    split_windows,
)
from rnnlab.data.sources import sine


@dataclass(frozen=True)
class Dataset:
    """Examples in the recipe's dtype, plus what the plots need to place them.

    Shapes: windows framing — train_x (N, T), train_y (N, O), test_x (M, T), test_y (M, O).
    next_step framing — train_x (L,), train_y (L,) one sequence; no test part (M = 0).
    """

    framing: Literal["next_step", "windows"]
    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    time: np.ndarray  # (points,) the series' time grid
    series: np.ndarray  # (points,) the series, float64

    @property
    def grid_step(self) -> float:
        return float(self.time[1] - self.time[0]) if self.time.shape[0] > 1 else 1.0


def build_dataset(cfg: DataConfig, seed: int, dtype: str) -> Dataset:
    """Series -> examples -> (shuffled) split, computed in float64 and cast once at the end."""
    time, series = sine(cfg.start, cfg.stop, cfg.points)
    if cfg.framing == "next_step":
        x, y = next_step_pairs(series)
        empty = np.zeros((0,), dtype=dtype)
        return Dataset("next_step", x.astype(dtype), y.astype(dtype), empty, empty, time, series)
    windows = sliding_windows(series, cfg.window + cfg.horizon)
    if cfg.shuffle:
        windows = windows[shuffle_order(windows.shape[0], seed)]
    train_x, train_y, test_x, test_y = split_windows(windows, cfg.window, cfg.test_windows)
    return Dataset("windows", *(a.astype(dtype) for a in (train_x, train_y, test_x, test_y)), time, series)
