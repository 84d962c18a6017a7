"""rnnlab.core.losses written with torch ops, so autograd supplies the gradients.

Each value is the same function of d = prediction - target as its NumPy twin, and its
autograd gradient is the NumPy `Loss.grad` (the tests check both). Where an original
program used a torch op, that op is used: HuberLoss's `huber_loss` (the primer) and
``(pred - target).pow(2).sum() / 2`` (the Elman tutorial).
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from rnnlab.core.losses import Loss


def _reduce(e: torch.Tensor, reduction: str) -> torch.Tensor:
    return e.sum() if reduction == "sum" else e.mean()


def _sse_half(pred: torch.Tensor, target: torch.Tensor, loss: Loss) -> torch.Tensor:
    return _reduce((pred - target).pow(2), loss.reduction) / 2


def _mse(pred: torch.Tensor, target: torch.Tensor, loss: Loss) -> torch.Tensor:
    return _reduce((pred - target).pow(2), loss.reduction)


def _l1(pred: torch.Tensor, target: torch.Tensor, loss: Loss) -> torch.Tensor:
    return _reduce((pred - target).abs(), loss.reduction)


def _elastic_net(pred: torch.Tensor, target: torch.Tensor, loss: Loss) -> torch.Tensor:
    d = pred - target
    return _reduce(loss.mix * d.abs() + (1.0 - loss.mix) * 0.5 * d * d, loss.reduction)


def _huber(pred: torch.Tensor, target: torch.Tensor, loss: Loss) -> torch.Tensor:
    return F.huber_loss(pred, target, reduction=loss.reduction, delta=loss.delta)


def _soft_l1(pred: torch.Tensor, target: torch.Tensor, loss: Loss) -> torch.Tensor:
    return F.huber_loss(pred, target, reduction=loss.reduction, delta=loss.delta) / loss.delta


def _clip(pred: torch.Tensor, target: torch.Tensor, loss: Loss) -> torch.Tensor:
    return F.huber_loss(pred, target, reduction=loss.reduction, delta=1.0)


_VALUES: dict[str, Callable[[torch.Tensor, torch.Tensor, Loss], torch.Tensor]] = {
    "sse_half": _sse_half,
    "mse": _mse,
    "l1": _l1,
    "elastic_net": _elastic_net,
    "huber": _huber,
    "soft_l1": _soft_l1,
    "clip": _clip,
}


def loss_value(loss: Loss, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The reduced loss as a 0-d tensor (differentiable). Shapes: pred and target alike."""
    return _VALUES[loss.name](pred, target, loss)


def sequence_value(loss: Loss, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Readout at every step: the sum over steps of each step's loss, so 'mean' is a mean
    per step (as the NumPy engine). Shapes: pred, target (N, L, O)."""
    value = loss_value(loss, pred, target)
    return value * pred.shape[1] if loss.reduction == "mean" else value
