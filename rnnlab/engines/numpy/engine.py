"""The NumPy engine: readable, hand-written backpropagation through time."""

from __future__ import annotations

import numpy as np

from rnnlab.core.init import cast
from rnnlab.core.losses import Loss
from rnnlab.core.optim import make_optimizer
from rnnlab.engines.numpy.cells import make_cell
from rnnlab.engines.numpy.primer_gradient import primer_approx_grads
from rnnlab.engines.numpy.unroll import backward, forward
from rnnlab.model import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]


class NumpyEngine:
    """Trains a ModelSpec with a TrainingSpec; see rnnlab.engines.base for the contract."""

    name = "numpy"

    def __init__(self, model: ModelSpec, training: TrainingSpec, dtype: str) -> None:
        self.model, self.training, self.dtype = model, training, np.dtype(dtype)
        self.cell = make_cell(model.cell, model.activation, model.bias)
        self.optimizer = make_optimizer("sgd", training.lr)
        self.params: Params = {}
        self.x = self.y = np.zeros(0)

    def device(self) -> str:
        return "cpu"

    # -- parameters and data -------------------------------------------------
    def set_params(self, params: Params) -> None:
        shapes = self.model.param_shapes
        if set(params) != set(shapes):
            raise ValueError(f"parameters {sorted(params)} do not match the model's {sorted(shapes)}")
        for name, shape in shapes.items():
            if params[name].shape != shape:
                raise ValueError(f"parameter {name} has shape {params[name].shape}, the model needs {shape}")
        self.params = cast(params, self.dtype)

    def get_params(self) -> Params:
        return {name: value.copy() for name, value in self.params.items()}

    def set_data(self, x: np.ndarray, y: np.ndarray) -> None:
        """Encoded inputs (N, L, D) and targets: (N, O), or (N, L, O) for readout 'every'."""
        self.x, self.y = x.astype(self.dtype), y.astype(self.dtype)

    def optimizer_state(self) -> dict[str, np.ndarray]:
        return self.optimizer.state()

    def load_optimizer_state(self, state: dict[str, np.ndarray]) -> None:
        self.optimizer.load_state(state)

    # -- training ------------------------------------------------------------
    def train(self, epochs: int) -> np.ndarray:
        """Run `epochs` epochs; returns each epoch's reported loss, measured before its updates."""
        run_epoch = self._online_epoch if self.training.schedule == "online" else self._full_batch_epoch
        return np.array([run_epoch() for _ in range(epochs)], dtype=np.float64)

    def _full_batch_epoch(self) -> float:
        report, grads = self._loss_and_grads(self.x, self.y)
        self.optimizer.step(self.params, grads)
        return report

    def _online_epoch(self) -> float:
        """Walk the sequence from a zero state in chunks of `truncate` steps; update after
        each chunk, then cut the graph (the state carries on, its gradient does not)."""
        k = self.training.truncate
        state = np.zeros((self.x.shape[0], self.model.hidden), dtype=self.dtype)
        total = 0.0
        for start in range(0, self.x.shape[1], k):
            xs, ys = self.x[:, start:start + k], self.y[:, start:start + k]
            pred, grads, state = self._sequence_grads(xs, ys, state)
            total += self._sequence_value(self.training.report, pred, ys)
            self.optimizer.step(self.params, grads)
        return total

    # -- gradients -----------------------------------------------------------
    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
        """Objective and gradient at the current parameters from a zero state, no update.

        For readout 'every' this is full BPTT over the whole sequence (one chunk)."""
        x, y = x.astype(self.dtype), y.astype(self.dtype)
        if self.model.readout == "every":
            pred, grads, _ = self._sequence_grads(x, y, None)
            return self._sequence_value(self.training.loss, pred, y), grads
        hs, _, caches = forward(self.cell, self.params, x, None)
        pred = self._readout(hs[:, -1])
        return self.training.loss.value(pred, y), self._window_grads(x, y, hs, caches, pred)

    def objective(self, params: Params, x: np.ndarray, y: np.ndarray) -> float:
        """The training objective at `params` (for finite differences)."""
        p = cast(params, self.dtype)
        hs = forward(self.cell, p, x.astype(self.dtype), None)[0]
        if self.model.readout == "every":
            return self._sequence_value(self.training.loss, self._readout_with(p, hs), y.astype(self.dtype))
        return self.training.loss.value(self._readout_with(p, hs[:, -1]), y.astype(self.dtype))

    def _loss_and_grads(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
        hs, _, caches = forward(self.cell, self.params, x, None)
        pred = self._readout(hs[:, -1])  # (N, O)
        return self.training.report.value(pred, y), self._window_grads(x, y, hs, caches, pred)

    def _window_grads(self, x: np.ndarray, y: np.ndarray, hs: np.ndarray, caches: list,
                      pred: np.ndarray) -> Params:
        g = self.training.loss.grad(pred, y)  # (N, O)
        if self.training.gradient == "primer_approx":
            return primer_approx_grads(self.cell, self.params, x, hs, g)
        grads = self._zero_grads()
        self._readout_back(hs[:, -1], g, grads)
        dhs = np.zeros_like(hs)
        dhs[:, -1] = g @ self.params["W_hy"].T
        backward(self.cell, self.params, x, caches, dhs, grads)
        return grads

    def _sequence_grads(self, xs: np.ndarray, ys: np.ndarray, state: np.ndarray | None
                        ) -> tuple[np.ndarray, Params, np.ndarray]:
        """Readout at every step; the objective is the sum of the steps' losses.

        Returns the predictions (N, L, O), the gradients and the final state."""
        hs, final, caches = forward(self.cell, self.params, xs, state)
        pred = self._readout(hs)  # (N, L, O)
        g = self.training.loss.grad(pred, ys)
        if self.training.loss.reduction == "mean":  # each step is its own mean: undo the 1/L
            g = g * np.asarray(xs.shape[1], dtype=g.dtype)
        grads = self._zero_grads()
        self._readout_back(hs, g, grads)
        backward(self.cell, self.params, xs, caches, g @ self.params["W_hy"].T, grads)
        return pred, grads, final

    @staticmethod
    def _sequence_value(loss: Loss, pred: np.ndarray, ys: np.ndarray) -> float:
        total = loss.value(pred, ys)
        return total * pred.shape[1] if loss.reduction == "mean" else total

    # -- readout -------------------------------------------------------------
    def _readout(self, h: np.ndarray) -> np.ndarray:
        return self._readout_with(self.params, h)

    def _readout_with(self, p: Params, h: np.ndarray) -> np.ndarray:
        y = h @ p["W_hy"]
        return y + p["b_y"] if self.model.readout_bias else y

    def _readout_back(self, h: np.ndarray, g: np.ndarray, grads: Params) -> None:
        hidden, out = self.params["W_hy"].shape
        grads["W_hy"] += h.reshape(-1, hidden).T @ g.reshape(-1, out)
        if self.model.readout_bias:
            grads["b_y"] += g.reshape(-1, out).sum(axis=0)

    def _zero_grads(self) -> Params:
        return {name: np.zeros_like(value) for name, value in self.params.items()}

    # -- prediction ----------------------------------------------------------
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs from a zero state: (N, O) for readout 'last', (N, L, O) for 'every'."""
        hs = forward(self.cell, self.params, x.astype(self.dtype), None)[0]
        return self._readout(hs if self.model.readout == "every" else hs[:, -1])
