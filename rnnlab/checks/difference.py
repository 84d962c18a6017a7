"""How far apart two results are, measured fairly: each loss against itself, each array
against its own scale (entries near zero are not judged by their own size)."""

from __future__ import annotations

import numpy as np


def relative_differences(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a_i - b_i| / max(|a_i|, |b_i|) per entry: each against its own size (0 where both
    are 0; inf where either is NaN or infinite, or where the shapes differ)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return np.full(max(a.size, b.size, 1), np.inf)
    finite = np.isfinite(a) & np.isfinite(b)
    a, b = np.where(finite, a, 0.0), np.where(finite, b, 0.0)
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.where(finite, np.abs(a - b) / np.where(scale > 0, scale, 1.0), np.inf)


def relative_difference(a: float, b: float) -> float:
    """relative_differences of two numbers."""
    return float(relative_differences(np.array([a]), np.array([b]))[0])


def scaled_difference(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a|, |b|) over the whole array: entries near zero are measured
    against the array's scale, not their own. NaN or infinity anywhere gives inf."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf")
    if a.size == 0:
        return 0.0
    scale = max(float(np.abs(a).max()), float(np.abs(b).max()))
    return float(np.abs(a - b).max()) / scale if scale > 0 else 0.0
