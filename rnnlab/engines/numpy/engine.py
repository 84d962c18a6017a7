"""The NumPy engine: readable, hand-written backpropagation through time."""

from __future__ import annotations

import numpy as np

from rnnlab.core.init import cast
from rnnlab.core.losses import Loss
from rnnlab.core.optim import clip_grad_norm, make_optimizer
from rnnlab.engines.base import NumericalError, check_params
from rnnlab.engines.numpy.cells import make_cell
from rnnlab.engines.numpy.primer_gradient import primer_approx_grads
from rnnlab.engines.numpy.products import matmul_last
from rnnlab.engines.numpy.stack import Stack
from rnnlab.engines.numpy.threads import blas_threads, choose_threads
from rnnlab.model import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]


class NumpyEngine:
    """Trains a ModelSpec with a TrainingSpec; see rnnlab.engines.base for the contract."""

    name = "numpy"

    def __init__(self, model: ModelSpec, training: TrainingSpec, dtype: str) -> None:
        self.model, self.training, self.dtype = model, training, np.dtype(dtype)
        self.cell = make_cell(model.cell, model.activation, model.bias)
        self.stack = Stack(self.cell, model.layers)
        t = training
        self.optimizer = make_optimizer(t.optimizer, t.lr, momentum=t.momentum, beta1=t.beta1, beta2=t.beta2)
        self.params: Params = {}
        self.x = self.y = np.zeros(0)
        self.threads, self.threads_rule = choose_threads(model, batch=1)

    def device(self) -> str:
        return "cpu"

    def info(self) -> dict[str, object]:
        return {"blas_threads": self.threads or "default", "blas_threads_rule": self.threads_rule}

    # -- parameters and data -------------------------------------------------
    def set_params(self, params: Params) -> None:
        check_params(self.model, params)
        self.params = cast(params, self.dtype)

    def get_params(self) -> Params:
        return {name: value.copy() for name, value in self.params.items()}

    def set_data(self, x: np.ndarray, y: np.ndarray) -> None:
        """Encoded inputs (N, L, D) and targets: (N, O), or (N, L, O) for readout 'every'."""
        self.x, self.y = x.astype(self.dtype), y.astype(self.dtype)
        self.threads, self.threads_rule = choose_threads(self.model, batch=x.shape[0])

    def optimizer_state(self) -> dict[str, np.ndarray]:
        return self.optimizer.state()

    def load_optimizer_state(self, state: dict[str, np.ndarray]) -> None:
        self.optimizer.load_state(state)

    # -- training ------------------------------------------------------------
    def train(self, epochs: int) -> np.ndarray:
        """Run `epochs` epochs; returns each epoch's reported loss, measured before its updates.

        Overflow, division by zero and invalid operations raise (NumericalError naming the
        epoch) instead of turning silently into inf or NaN."""
        run_epoch = self._online_epoch if self.training.schedule == "online" else self._full_batch_epoch
        losses = np.empty(epochs, dtype=np.float64)
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"), blas_threads(self.threads):
            for i in range(epochs):
                try:
                    losses[i] = run_epoch()
                except FloatingPointError as err:
                    raise NumericalError(str(err), epochs_done=i) from err
        return losses

    def _full_batch_epoch(self) -> float:
        report, grads = self._loss_and_grads(self.x, self.y)
        self._update(grads)
        return report

    def _update(self, grads: Params) -> None:
        if self.training.clip > 0:
            clip_grad_norm(grads, self.training.clip)
        self.optimizer.step(self.params, grads)

    def _online_epoch(self) -> float:
        """Walk the sequence from a zero state in chunks of `truncate` steps; update after
        each chunk, then cut the graph (the state carries on, its gradient does not)."""
        k = self.training.truncate
        state = None  # the zero state
        total = 0.0
        for start in range(0, self.x.shape[1], k):
            xs, ys = self.x[:, start:start + k], self.y[:, start:start + k]
            pred, grads, state = self._sequence_grads(xs, ys, state)
            total += self._sequence_value(self.training.report, pred, ys)
            self._update(grads)
        return total

    # -- gradients -----------------------------------------------------------
    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
        """Objective and gradient at the current parameters from a zero state, no update.

        For readout 'every' this is full BPTT over the whole sequence (one chunk)."""
        x, y = x.astype(self.dtype), y.astype(self.dtype)
        if self.model.readout == "every":
            pred, grads, _ = self._sequence_grads(x, y, None)
            return self._sequence_value(self.training.loss, pred, y), grads
        hs, _, caches = self.stack.forward(self.params, x, None)
        pred = self._readout(hs[:, -1])
        value, g = self.training.loss.value_and_grad(pred, y)
        return value, self._window_grads(x, hs, caches, g)

    def objective(self, params: Params, x: np.ndarray, y: np.ndarray) -> float:
        """The training objective at `params` (for finite differences)."""
        p = cast(params, self.dtype)
        hs = self.stack.forward(p, x.astype(self.dtype), None)[0]
        if self.model.readout == "every":
            return self._sequence_value(self.training.loss, self._readout_with(p, hs), y.astype(self.dtype))
        return self.training.loss.value(self._readout_with(p, hs[:, -1]), y.astype(self.dtype))

    def _loss_and_grads(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
        hs, _, caches = self.stack.forward(self.params, x, None)
        pred = self._readout(hs[:, -1])  # (N, O)
        report, g = self._report_and_grad(pred, y)
        return report, self._window_grads(x, hs, caches, g)

    def _report_and_grad(self, pred: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """The reported loss and the objective's gradient g (N, O), from one difference
        when the report is the objective itself."""
        t = self.training
        if t.report == t.loss:
            return t.loss.value_and_grad(pred, y)
        return t.report.value(pred, y), t.loss.grad(pred, y)

    def _window_grads(self, x: np.ndarray, hs: np.ndarray, caches: list, g: np.ndarray) -> Params:
        """Backpropagate the loss gradient g (N, O) at the last step's readout."""
        if self.training.gradient == "primer_approx":
            return primer_approx_grads(self.cell, self.params, x, hs, g)
        grads = self._zero_grads()
        self._readout_back(hs[:, -1], g, grads)
        dhs = np.zeros(hs.shape, hs.dtype)
        dhs[:, -1] = g @ self.params["W_hy"].T
        self.stack.backward(self.params, caches, dhs, grads)
        return grads

    def _sequence_grads(self, xs: np.ndarray, ys: np.ndarray, state: list | None
                        ) -> tuple[np.ndarray, Params, list]:
        """Readout at every step; the objective is the sum of the steps' losses.

        Returns the predictions (N, L, O), the gradients and the final state."""
        hs, final, caches = self.stack.forward(self.params, xs, state)
        pred = self._readout(hs)  # (N, L, O)
        g = self.training.loss.grad(pred, ys)
        if self.training.loss.reduction == "mean":  # each step is its own mean: undo the 1/L
            g = g * np.asarray(xs.shape[1], dtype=g.dtype)
        grads = self._zero_grads()
        self._readout_back(hs, g, grads)
        self.stack.backward(self.params, caches, matmul_last(g, self.params["W_hy"].T), grads)
        return pred, grads, final

    @staticmethod
    def _sequence_value(loss: Loss, pred: np.ndarray, ys: np.ndarray) -> float:
        total = loss.value(pred, ys)
        return total * pred.shape[1] if loss.reduction == "mean" else total

    # -- readout -------------------------------------------------------------
    def _readout(self, h: np.ndarray) -> np.ndarray:
        return self._readout_with(self.params, h)

    def _readout_with(self, p: Params, h: np.ndarray) -> np.ndarray:
        y = matmul_last(h, p["W_hy"])
        return y + p["b_y"] if self.model.readout_bias else y

    def _readout_back(self, h: np.ndarray, g: np.ndarray, grads: Params) -> None:
        hidden, out = self.params["W_hy"].shape
        grads["W_hy"] += h.reshape(-1, hidden).T @ g.reshape(-1, out)
        if self.model.readout_bias:
            grads["b_y"] += g.reshape(-1, out).sum(axis=0)

    def _zero_grads(self) -> Params:
        # np.zeros, not zeros_like: a fifth of the cost per call, and this runs every update
        return {name: np.zeros(value.shape, value.dtype) for name, value in self.params.items()}

    # -- prediction ----------------------------------------------------------
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs from a zero state: (N, O) for readout 'last', (N, L, O) for 'every'.
        Floating-point errors raise FloatingPointError."""
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"), blas_threads(self.threads):
            hs = self.stack.forward(self.params, x.astype(self.dtype), None)[0]
            return self._readout(hs if self.model.readout == "every" else hs[:, -1])
