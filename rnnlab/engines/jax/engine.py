"""The JAX engine: the NumPy engine's model and schedule, differentiated by JAX and
compiled by XLA, a whole chunk of epochs per call (rnnlab.engines.jax.programs)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from rnnlab.engines.base import check_params
from rnnlab.engines.jax import optim
from rnnlab.engines.jax.compiled import CompiledPrograms
from rnnlab.engines.jax.programs import CAPACITY, Programs
from rnnlab.errors import UserError
from rnnlab.spec import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]


def check_gradient(training: TrainingSpec) -> None:
    if training.gradient != "exact":
        raise UserError(f"train.gradient='{training.gradient}' (the primer's approximate gradient) exists in "
                        "the numpy engine only; use run.engine=numpy, or train.gradient=exact")


class JaxEngine:
    """Trains a ModelSpec with a TrainingSpec on the CPU; see rnnlab.engines.base for the contract.

    NaN and infinity are not raised: they show in the losses and parameters."""

    name = "jax"

    def __init__(self, model: ModelSpec, training: TrainingSpec, dtype: str) -> None:
        check_gradient(training)
        self.model, self.training, self.dtype = model, training, jnp.dtype(dtype)
        self.programs = Programs(model, training)
        self.compiled = CompiledPrograms()
        self.lr = jnp.asarray(training.lr, jnp.float64)
        self.p: dict[str, jax.Array] = {}
        self.opt: optim.OptState = {}
        self.x = self.y = jnp.zeros(0)

    def device(self) -> str:
        return str(jax.devices()[0].platform)

    def info(self) -> dict[str, Any]:
        from rnnlab.engines.jax.runtime import cache_dir

        return {"jax_version": jax.__version__, "compile_seconds": round(self.compiled.seconds, 4),
                "compiled_programs": self.compiled.count, "compile_cache": str(cache_dir() or "off")}

    # -- parameters and data -------------------------------------------------
    def set_params(self, params: Params) -> None:
        check_params(self.model, params)
        self.p = {name: jnp.asarray(value, self.dtype) for name, value in params.items()}
        self.opt = optim.init_state(self.training, self.p)

    def get_params(self) -> Params:
        return {name: np.array(value) for name, value in self.p.items()}

    def set_data(self, x: np.ndarray, y: np.ndarray) -> None:
        """Encoded inputs (N, L, D) and targets: (N, O), or (N, L, O) for readout 'every'."""
        self.x, self.y = jnp.asarray(x, self.dtype), jnp.asarray(y, self.dtype)

    def optimizer_state(self) -> dict[str, np.ndarray]:
        return optim.export_state(self.training, self.opt)

    def load_optimizer_state(self, state: dict[str, np.ndarray]) -> None:
        self.opt = optim.import_state(self.training, self.p, state)

    # -- training ------------------------------------------------------------
    def train(self, epochs: int) -> np.ndarray:
        """Run `epochs` epochs; returns each epoch's reported loss, measured before its updates."""
        out = []
        for start in range(0, epochs, CAPACITY):
            n = min(CAPACITY, epochs - start)
            self.p, self.opt, losses = self.compiled.call(
                "train", self.programs.train_chunk, self.p, self.opt, self.x, self.y, self.lr,
                jnp.asarray(n, jnp.int64))
            out.append(np.asarray(losses)[:n])
        return np.concatenate(out) if out else np.zeros(0)

    # -- values --------------------------------------------------------------
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs from a zero state: (N, O) for readout 'last', (N, L, O) for 'every'."""
        return np.array(self.compiled.call("predict", self.programs.outputs, self.p, jnp.asarray(x, self.dtype)))

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
        """Objective and its autodiff gradient at the current parameters from a zero state,
        no update. For readout 'every' this is full BPTT over the whole sequence."""
        value, grads = self.compiled.call("gradients", self.programs.gradients, self.p,
                                          jnp.asarray(x, self.dtype), jnp.asarray(y, self.dtype))
        return float(value), {name: np.array(g) for name, g in grads.items()}

    def objective(self, params: Params, x: np.ndarray, y: np.ndarray) -> float:
        """The training objective at `params` (for finite differences)."""
        check_params(self.model, params)
        p = {name: jnp.asarray(value, self.dtype) for name, value in params.items()}
        return float(self.compiled.call("objective", self.programs.objective, p, jnp.asarray(x, self.dtype),
                                        jnp.asarray(y, self.dtype)))
