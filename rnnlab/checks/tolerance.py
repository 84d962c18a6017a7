"""How far two correct engines may differ after one training step: derived from the
dtype's machine epsilon, the number of operations and how ill-conditioned the step is.

Every floating-point operation rounds to within half a unit in the last place (u = eps/2).
A chain of n dependent operations is then within about n*u of the exact value, relative
to the magnitudes it combined (Higham, "Accuracy and Stability of Numerical Algorithms",
section 3.1: gamma_n = n*u / (1 - n*u)); two engines that each meet that bound differ by at
most n*eps. Element-wise functions (tanh, sigmoid, exp) are accurate to a few ulps, so
each step's chain counts them as 8 operations. Where a result is much smaller than the
magnitudes it was computed from, its own relative error is larger by that ratio, the
condition number: a residual y_hat - y near a fit (kappa), a gradient summed over sequences
or steps whose terms nearly cancel near a minimum (kappa_batch). Both are measured from the reference
engine's values at the state being checked, so the bound holds on any CPU:

    loss        |dL|     <= eps * (n_forward * kappa + n_loss_terms) * |L|
    gradient    |dg|     <= eps * (n_forward * kappa + n_backward + n_gradient_terms) * kappa_batch * max|g|
    parameters  |dp_new| <= eps * updates * max|p_new| + tol_gradient * max|p_new - p|

kappa is the objective's, or the reported loss's where larger. Gradients and parameters are
bounded per parameter array; the update p_new - p carries the gradient's relative error,
and each update rounds the parameters once more. The bounds are worst cases (a sum of n
roundings is typically within sqrt(n) of them), so two correct engines sit well below.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab.core.losses import Loss
from rnnlab.spec import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]
ELEMENTWISE_OPS = 8  # per step and layer: bias, activation (a few ulps), gate products


@dataclass(frozen=True)
class OpCounts:
    """Lengths of the chains of roundings in one training step."""

    forward: int  # parameters -> one prediction: every step's dot products and element-wise work, the readout
    backward: int  # one prediction's error -> one gradient entry's term: the same chain reversed
    loss_terms: int  # loss terms summed (sequences x outputs x steps read out)
    gradient_terms: int  # terms one gradient entry sums (sequences x steps)
    updates: int  # parameter updates in one epoch


def op_counts(model: ModelSpec, training: TrainingSpec, x_shape: tuple[int, ...]) -> OpCounts:
    """The chains of one epoch on inputs of shape (N, L, D)."""
    n, steps, _ = x_shape
    h = model.hidden
    per_step = sum((model.input_size if k == 0 else h) + h + 1 + ELEMENTWISE_OPS for k in range(model.layers))
    read_out = steps if model.readout == "every" else 1
    updates = 1 if training.schedule == "full_batch" else -(-steps // training.truncate)
    return OpCounts(forward=steps * per_step + h + 2, backward=steps * per_step + model.output_size + 2,
                    loss_terms=n * read_out * model.output_size, gradient_terms=n * steps, updates=updates)


def conditioning(loss: Loss, pred: np.ndarray, target: np.ndarray) -> float:
    """kappa >= 1: how much larger the loss's sensitivity to rounding of the predictions and
    targets is than the residuals it is computed from, weighted by the loss's gradient:
    sum |dL/dy_hat| (|y_hat| + |y|) / sum |dL/dy_hat| |y_hat - y|. About |y| / rms(residual)
    near a fit."""
    pred, target = np.asarray(pred, np.float64), np.asarray(target, np.float64)
    weight = np.abs(loss.grad(pred, target))
    size = float(np.sum(weight * (np.abs(pred) + np.abs(target))))
    residual = float(np.sum(weight * np.abs(pred - target)))
    return max(1.0, size / residual) if residual > 0 else 1.0


def batch_conditioning(total: Params, per_sample: list[Params]) -> dict[str, float]:
    """kappa_batch >= 1 per parameter: max sum_i |g_i| / max |sum_i g_i|, the magnitudes a
    gradient summed against its size (1 when nothing was summed or the gradient is 0)."""
    out = {}
    for name, g in total.items():
        size = float(np.abs(g).max(initial=0.0))
        magnitude = float(np.sum([np.abs(s[name]) for s in per_sample], axis=0).max(initial=0.0)) if per_sample else 0.0
        out[name] = max(1.0, magnitude / size) if size > 0 else 1.0
    return out


@dataclass(frozen=True)
class StepTolerance:
    """Largest relative differences of one step that rounding explains: the loss against
    itself, each gradient and new parameter array against its largest entry."""

    loss: float
    gradients: dict[str, float]
    params: dict[str, float]


def step_tolerance(eps: float, ops: OpCounts, kappa: float, kappa_report: float, kappa_batch: dict[str, float],
                   step_ratio: dict[str, float]) -> StepTolerance:
    """The bounds of the module docstring. `kappa_report` conditions the reported loss (it may
    be another loss than the objective); `step_ratio` is max|p_new - p| / max|p_new| per
    parameter, how much of each new parameter the update is."""
    loss = eps * (ops.forward * max(kappa, kappa_report) + ops.loss_terms)
    per_gradient = eps * (ops.forward * kappa + ops.backward + ops.gradient_terms)
    gradients = {name: per_gradient * kb for name, kb in kappa_batch.items()}
    params = {name: eps * ops.updates + gradients[name] * step_ratio[name] for name in gradients}
    return StepTolerance(loss, gradients, params)
