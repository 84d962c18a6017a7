"""Central finite differences, the independent reference for hand-written gradients."""

from __future__ import annotations

from typing import Callable

import numpy as np

Params = dict[str, np.ndarray]


def finite_difference(f: Callable[[Params], float], params: Params, *, eps: float = 1e-6,
                      samples: int = 12, seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Estimate df/dp at up to `samples` random entries of each parameter (float64).

    Returns ``{name: (flat_indices, estimates)}``. `f` must not keep references to the
    arrays it is given: entries are nudged in place and restored.
    """
    rng = np.random.default_rng(seed)
    work = {name: np.array(value, dtype=np.float64) for name, value in params.items()}
    out = {}
    for name, value in work.items():
        flat = value.reshape(-1)
        picks = np.arange(flat.size) if flat.size <= samples else rng.choice(flat.size, samples, replace=False)
        estimates = np.empty(len(picks))
        for k, i in enumerate(picks):
            old = flat[i]
            flat[i] = old + eps
            up = f(work)
            flat[i] = old - eps
            down = f(work)
            flat[i] = old
            estimates[k] = (up - down) / (2 * eps)
        out[name] = (picks, estimates)
    return out


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """max |a - n| over the entries, relative to the largest |a| or |n| among them.

    Scaling by the parameter's own gradient size (not entry by entry) keeps tiny
    entries, where finite differences are mostly rounding, from raising false alarms.
    0 when both vanish; about 1 when they disagree.
    """
    if analytic.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(analytic))), float(np.max(np.abs(numeric))), 1e-12)
    return float(np.max(np.abs(analytic - numeric)) / scale)


def cosine_similarity(a: Params, b: Params) -> float:
    """Cosine of the angle between two gradients, all parameters flattened together."""
    va = np.concatenate([a[k].ravel() for k in sorted(a)])
    vb = np.concatenate([b[k].ravel() for k in sorted(a)])
    denom = np.linalg.norm(va) * np.linalg.norm(vb)
    return float(va @ vb / denom) if denom > 0 else 1.0
