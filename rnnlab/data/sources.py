"""Where a series comes from. Only the tutorials' sine wave for now."""

from __future__ import annotations

import numpy as np


def sine(start: float, stop: float, points: int) -> tuple[np.ndarray, np.ndarray]:
    """``sin`` on ``linspace(start, stop, points)``, in float64 as the originals compute it.

    Returns (time grid, values), both shape (points,).
    """
    grid = np.linspace(start, stop, points)
    return grid, np.sin(grid)
