"""The engine contract over the hand-written arithmetic (backprop.py): parameters, data,
training epochs, predictions, gradients and optimizer state. The numpy engine is exactly
this; the numba engine replaces its training loop with a compiled kernel where it can."""

from __future__ import annotations

import numpy as np

from rnnlab.core.init import cast
from rnnlab.engines.base import NumericalError, check_params
from rnnlab.engines.bptt.backprop import Backprop
from rnnlab.engines.bptt.threads import blas_threads, choose_threads
from rnnlab.spec import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]


class BpttEngine:
    """Trains a ModelSpec with a TrainingSpec; see rnnlab.engines.base for the contract."""

    name = "bptt"

    def __init__(self, model: ModelSpec, training: TrainingSpec, dtype: str) -> None:
        self.model, self.training, self.dtype = model, training, np.dtype(dtype)
        self.backprop = Backprop(model, training, training.lr)
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
        return self.backprop.optimizer.state()

    def load_optimizer_state(self, state: dict[str, np.ndarray]) -> None:
        self.backprop.optimizer.load_state(state)

    # -- training ------------------------------------------------------------
    def train(self, epochs: int) -> np.ndarray:
        """Run `epochs` epochs; returns each epoch's reported loss, measured before its updates.

        Overflow, division by zero and invalid operations raise (NumericalError naming the
        epoch) instead of turning silently into inf or NaN."""
        run_epoch, p, x, y = self.backprop.epoch, self.params, self.x, self.y
        losses = np.empty(epochs, dtype=np.float64)
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"), blas_threads(self.threads):
            for i in range(epochs):
                try:
                    losses[i] = run_epoch(p, x, y)
                except FloatingPointError as err:
                    raise NumericalError(str(err), epochs_done=i) from err
        return losses

    # -- gradients -----------------------------------------------------------
    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
        """Objective and gradient at the current parameters from a zero state, no update.

        For readout 'every' this is full BPTT over the whole sequence (one chunk)."""
        x, y = x.astype(self.dtype), y.astype(self.dtype)
        bp, p = self.backprop, self.params
        if self.model.readout == "every":
            value, grads, _ = bp.sequence_grads(p, x, y, None, self.training.loss)
            return float(value), grads
        hs, _, caches = bp.stack.forward(p, x, None)
        value, g = bp.value_and_grad(self.training.loss, bp.readout(p, hs[:, -1]), y)
        return float(value), bp.window_grads(p, x, hs, caches, g)

    def objective(self, params: Params, x: np.ndarray, y: np.ndarray) -> float:
        """The training objective at `params` (for finite differences)."""
        p, x, y = cast(params, self.dtype), x.astype(self.dtype), y.astype(self.dtype)
        pred = self.backprop.outputs(p, x)
        if self.model.readout == "every":
            return float(self.backprop.sequence_value(self.training.loss, pred, y))
        return float(self.training.loss.value(pred, y))

    # -- prediction ----------------------------------------------------------
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs from a zero state: (N, O) for readout 'last', (N, L, O) for 'every'.
        Floating-point errors raise FloatingPointError."""
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"), blas_threads(self.threads):
            return self.backprop.outputs(self.params, x.astype(self.dtype))
