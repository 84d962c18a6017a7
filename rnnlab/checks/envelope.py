"""The whole run: how far rounding alone moves a recipe, and whether an engine stays within that.

The reference engine trains twice more, from its start scaled by 1 + 4 eps and by 1 - 4 eps:
a few units of rounding apart. Every later rounding then differs too, exactly as it does
between two correct engines, so the nudged runs' loss histories part from the reference's by
as much as the training dynamics amplify rounding: not at all where training contracts,
exponentially on a chaotic stretch. An engine's run is within the rounding envelope when
its difference from the reference, as a running maximum over the epochs, never exceeds
MARGIN times the nudged runs' at the same epoch, nor what one step's rounding explains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Why 10: an engine's rounding differs from the reference's at every step, a nudged run's
# by a few ulps at the start and then at every step (its numbers differ), so the two grow
# alike, within a small factor of each other; docs/engines.md shows the largest ratio
# measured over every built-in recipe, engine and dtype (python -m benchmarks.docs_numbers).
MARGIN = 10.0
SATURATION = 1e-2  # relative loss differences beyond this stop growing exponentially: the runs have parted
NUDGE_ULPS = 4
EARLY_EPOCHS = 10


@dataclass(frozen=True)
class Growth:
    """Exponential growth of a difference: `rate` per epoch (natural log) from `start` to `end`."""

    rate: float
    start: int
    end: int

    @property
    def doubling_epochs(self) -> float:
        return float(np.log(2.0) / self.rate)


def running_max(curve: np.ndarray) -> np.ndarray:
    return np.maximum.accumulate(curve) if curve.size else curve


def envelope(nudged: list[np.ndarray], rounding: float) -> np.ndarray:
    """Per epoch: the largest loss difference rounding explains (running maxima)."""
    return np.maximum(MARGIN * np.max([running_max(c) for c in nudged], axis=0), rounding)


def first_above(curve: np.ndarray, level: float) -> int | None:
    """The first epoch whose difference exceeds `level`, or None."""
    over = np.flatnonzero(curve > level)
    return int(over[0]) if over.size else None


def growth_threshold(nudged: list[np.ndarray], eps: float) -> float:
    """Ten times the level rounding starts from: the nudge, or the nudged runs' differences
    over their first EARLY_EPOCHS epochs if larger. A difference beyond it has grown."""
    early = max(float(running_max(c)[min(EARLY_EPOCHS, c.size) - 1]) for c in nudged if c.size) if nudged else 0.0
    return 10.0 * max(NUDGE_ULPS * eps, early)


def growth(curve: np.ndarray, threshold: float) -> Growth | None:
    """The growth rate of a difference from where it passes `threshold` until it saturates
    (or the run ends); None when it does not grow tenfold beyond the threshold."""
    peak = running_max(curve)
    start = first_above(peak, threshold)
    if start is None:
        return None
    end = int(np.argmax(peak >= min(SATURATION, float(peak[-1]))))
    if end <= start or peak[end] < 10 * peak[start]:
        return None
    return Growth(float(np.log(peak[end] / peak[start]) / (end - start)), start, end)
