"""M members in one compiled program: the engine's chunk of epochs `vmap`ped over a
leading member axis of parameters, optimizer state, learning rate and (when the members'
data differ) data. Member i computes what a JaxEngine alone would, to rounding."""

from __future__ import annotations

from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from rnnlab.engines.base import check_params
from rnnlab.engines.jax import optim
from rnnlab.engines.jax.compiled import CompiledPrograms
from rnnlab.engines.jax.engine import check_gradient
from rnnlab.engines.jax.programs import CAPACITY, Programs
from rnnlab.spec import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]


class JaxEnsemble:
    """Members share `model` and every training setting but the learning rate."""

    name = "jax"
    vectorised = True

    def __init__(self, model: ModelSpec, trainings: Sequence[TrainingSpec], dtype: str) -> None:
        check_gradient(trainings[0])
        self.model, self.training, self.dtype = model, trainings[0], jnp.dtype(dtype)
        self.members = len(trainings)
        self.programs = Programs(model, self.training)
        self.compiled = CompiledPrograms()
        self.lr = jnp.asarray([t.lr for t in trainings], jnp.float64)  # (M,)
        self.p: dict[str, jax.Array] = {}
        self.opt: optim.OptState = {}
        self.x = self.y = jnp.zeros(0)
        self.shared_data = True

    def info(self) -> dict[str, Any]:
        return {"jax_version": jax.__version__, "compile_seconds": round(self.compiled.seconds, 4),
                "compiled_programs": self.compiled.count, "vectorised_members": self.members}

    def set_params(self, params: Sequence[Params]) -> None:
        for p in params:
            check_params(self.model, p)
        self.p = {name: jnp.asarray(np.stack([p[name] for p in params]), self.dtype) for name in params[0]}
        self.opt = jax.vmap(lambda p: optim.init_state(self.training, p))(self.p)

    def get_params(self) -> list[Params]:
        stacked = {name: np.array(value) for name, value in self.p.items()}
        return [{name: value[i] for name, value in stacked.items()} for i in range(self.members)]

    def set_data(self, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> None:
        """One (x, y) per member; kept once when all members have the same data."""
        self.shared_data = all(np.array_equal(x, xs[0]) and np.array_equal(y, ys[0]) for x, y in zip(xs, ys))
        pick = (lambda a: a[0]) if self.shared_data else np.stack
        self.x, self.y = jnp.asarray(pick(xs), self.dtype), jnp.asarray(pick(ys), self.dtype)

    def train(self, epochs: int) -> np.ndarray:
        data_axis = None if self.shared_data else 0
        run = jax.vmap(self.programs.train_chunk, in_axes=(0, 0, data_axis, data_axis, 0, None))
        out = []
        for start in range(0, epochs, CAPACITY):
            n = min(CAPACITY, epochs - start)
            self.p, self.opt, losses = self.compiled.call("train", run, self.p, self.opt, self.x, self.y, self.lr,
                                                          jnp.asarray(n, jnp.int64))
            out.append(np.asarray(losses)[:, :n])
        return np.concatenate(out, axis=1) if out else np.zeros((self.members, 0))

    def predict(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
        shared = all(np.array_equal(x, xs[0]) for x in xs)
        x = jnp.asarray(xs[0] if shared else np.stack(xs), self.dtype)
        run = jax.vmap(self.programs.outputs, in_axes=(0, None if shared else 0))
        return list(np.array(self.compiled.call("predict", run, self.p, x)))
