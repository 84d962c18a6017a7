"""The NumPy engine's arithmetic: epochs of exact BPTT and updates, outputs, and gradients.

Written once for one model and for an ensemble: with `member_axes` = 1 every parameter,
optimizer state and data array carries a leading member axis M and the reported losses
are one per member. Every reduction runs over the sample and step axes only, so member i
gets the same numbers as a NumpyEngine with its own parameters and learning rate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnlab.core.losses import Loss
from rnnlab.core.optim import Rate, clip_grad_norm, make_optimizer
from rnnlab.engines.bptt.cells import make_cell
from rnnlab.engines.bptt.primer_gradient import primer_approx_grads
from rnnlab.engines.bptt.products import broadcast_bias, matmul_last, sum_outer
from rnnlab.engines.bptt.stack import Stack
from rnnlab.spec import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]
Value = float | np.ndarray  # a loss: a float, or one float64 per member (M,)


class Backprop:
    """A ModelSpec trained by a TrainingSpec at learning rate `lr` (one per member when
    `member_axes` is 1). Shapes below are one model's; an ensemble's have M in front."""

    def __init__(self, model: ModelSpec, training: TrainingSpec, lr: Rate, member_axes: int = 0) -> None:
        self.model, self.training, self.member_axes = model, training, member_axes
        self.cell = make_cell(model.cell, model.activation, model.bias)
        self.stack = Stack(self.cell, model.layers)
        t = training
        self.optimizer = make_optimizer(t.optimizer, lr, momentum=t.momentum, beta1=t.beta1, beta2=t.beta2)
        self.epoch = self._online_epoch if t.schedule == "online" else self._full_batch_epoch

    # -- epochs: each returns its reported loss, measured before its updates ------
    def _full_batch_epoch(self, p: Params, x: np.ndarray, y: np.ndarray) -> Value:
        hs, _, caches = self.stack.forward(p, x, None)
        pred = self.readout(p, hs[..., -1, :])  # (N, O)
        report, g = self.value_and_grad(self.training.report, pred, y)
        self._update(p, self.window_grads(p, x, hs, caches, g))
        return report

    def _online_epoch(self, p: Params, x: np.ndarray, y: np.ndarray) -> Value:
        """Walk the sequence from a zero state in chunks of `truncate` steps; update after
        each chunk, then cut the graph (the state carries on, its gradient does not)."""
        k = self.training.truncate
        state = None  # the zero state
        total: Value = 0.0
        for start in range(0, x.shape[-2], k):
            xs, ys = x[..., start:start + k, :], y[..., start:start + k, :]
            report, grads, state = self.sequence_grads(p, xs, ys, state, self.training.report)
            total += report
            self._update(p, grads)
        return total

    def _update(self, p: Params, grads: Params) -> None:
        if self.training.clip > 0:
            clip_grad_norm(grads, self.training.clip, self.member_axes)
        self.optimizer.step(p, grads)

    def value_and_grad(self, report: Loss, pred: np.ndarray, y: np.ndarray) -> tuple[Value, np.ndarray]:
        """The value of loss `report` at pred and the objective's gradient g (pred's shape),
        from one difference when `report` is the objective itself (the common case)."""
        loss = self.training.loss
        if report is loss or report == loss:
            return loss.value_and_grad(pred, y, self.member_axes)
        return report.value(pred, y, self.member_axes), loss.grad(pred, y, self.member_axes)

    # -- gradients -----------------------------------------------------------
    def window_grads(self, p: Params, x: np.ndarray, hs: np.ndarray, caches: list[Any], g: np.ndarray) -> Params:
        """Backpropagate the loss gradient g (N, O) at the last step's readout."""
        if self.training.gradient == "primer_approx":
            return primer_approx_grads(self.cell, p, x, hs, g)
        grads = self._zero_grads(p)
        self._readout_back(p, hs[..., -1, :], g, grads)
        dhs = np.zeros(hs.shape, hs.dtype)
        dhs[..., -1, :] = g @ p["W_hy"].mT
        self.stack.backward(p, caches, dhs, grads)
        return grads

    def sequence_grads(self, p: Params, xs: np.ndarray, ys: np.ndarray, state: list[Any] | None, report: Loss
                       ) -> tuple[Value, Params, list[Any]]:
        """Readout at every step; the objective is the sum of the steps' losses.

        Returns loss `report` summed over the steps, the gradients and the final state."""
        hs, final, caches = self.stack.forward(p, xs, state)
        total, g = self.value_and_grad(report, self.readout(p, hs), ys)  # pred (N, L, O)
        steps = xs.shape[-2]  # each step is its own mean: undo the 1/L
        if report.reduction == "mean":
            total = total * steps
        if self.training.loss.reduction == "mean":
            g = g * np.asarray(steps, dtype=g.dtype)
        grads = self._zero_grads(p)
        self._readout_back(p, hs, g, grads)
        self.stack.backward(p, caches, matmul_last(g, p["W_hy"].mT), grads)
        return total, grads, final

    def sequence_value(self, loss: Loss, pred: np.ndarray, ys: np.ndarray) -> Value:
        """Loss summed over the steps of predictions pred (N, L, O)."""
        total = loss.value(pred, ys, self.member_axes)
        return total * pred.shape[-2] if loss.reduction == "mean" else total

    @staticmethod
    def _zero_grads(p: Params) -> Params:
        # np.zeros, not zeros_like: a fifth of the cost per call, and this runs every update
        return {name: np.zeros(value.shape, value.dtype) for name, value in p.items()}

    # -- readout -------------------------------------------------------------
    def outputs(self, p: Params, x: np.ndarray) -> np.ndarray:
        """Outputs from a zero state: (N, O) for readout 'last', (N, L, O) for 'every'."""
        hs = self.stack.forward(p, x, None)[0]
        return self.readout(p, hs if self.model.readout == "every" else hs[..., -1, :])

    def readout(self, p: Params, h: np.ndarray) -> np.ndarray:
        y = matmul_last(h, p["W_hy"])
        return y + broadcast_bias(p["b_y"], y) if self.model.readout_bias else y

    def _readout_back(self, p: Params, h: np.ndarray, g: np.ndarray, grads: Params) -> None:
        member_shape = p["W_hy"].shape[:-2]
        grads["W_hy"] += sum_outer(h, g, member_shape)
        if self.model.readout_bias:
            grads["b_y"] += g.reshape(member_shape + (-1, g.shape[-1])).sum(axis=-2)
