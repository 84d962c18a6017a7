"""Ensembles: M independent models trained together, member i exactly as one engine would
train it alone.

An engine that can vectorise has an ensemble class in `_VECTORISED`: the jax engine runs
one `vmap`ped program for all members, the numpy engine batched passes of its own
arithmetic over a leading member axis. Any other engine (torch), members that cannot
share one program (different shapes or settings other than the learning rate), or
settings the engine's ensemble leaves out (`_LOOPED`) are trained member by member with
`LoopEnsemble`. All take and give per-member lists in the shared layout.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from typing import Callable, Protocol, Sequence

import numpy as np

from rnnlab.engines import create_engine
from rnnlab.engines.base import Engine
from rnnlab.spec import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]

# engine name -> (module, class) of its vectorised ensemble
_VECTORISED: dict[str, tuple[str, str]] = {
    "jax": ("rnnlab.engines.jax", "JaxEnsemble"),
    "numpy": ("rnnlab.engines.numpy", "NumpyEnsemble"),
}
# engine name -> which training settings its vectorised ensemble leaves to LoopEnsemble
_LOOPED: dict[str, Callable[[TrainingSpec], bool]] = {
    "numpy": lambda t: t.gradient == "primer_approx",  # the primer's forward-mode gradient is one model's
}


class Ensemble(Protocol):
    name: str
    vectorised: bool

    def info(self) -> dict[str, object]: ...
    def set_params(self, params: Sequence[Params]) -> None: ...
    def get_params(self) -> list[Params]: ...
    def set_data(self, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> None: ...

    def train(self, epochs: int) -> np.ndarray:
        """Every member trains `epochs` epochs; their reported losses (M, epochs). A member
        whose arithmetic failed (NumericalError) shows NaN from then on and trains no more."""

    def predict(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]: ...


class LoopEnsemble:
    """One engine per member, trained one after another within each call."""

    vectorised = False

    def __init__(self, name: str, members: Sequence[tuple[ModelSpec, TrainingSpec]], dtype: str) -> None:
        self.name = name
        self.engines: list[Engine] = [create_engine(name, m, t, dtype) for m, t in members]
        self.specs = [m for m, _ in members]
        self.failed = [False] * len(self.engines)

    def info(self) -> dict[str, object]:
        return self.engines[0].info() if self.engines else {}

    def set_params(self, params: Sequence[Params]) -> None:
        for engine, p in zip(self.engines, params, strict=True):
            engine.set_params(p)

    def get_params(self) -> list[Params]:
        return [engine.get_params() for engine in self.engines]

    def set_data(self, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> None:
        for engine, x, y in zip(self.engines, xs, ys, strict=True):
            engine.set_data(x, y)

    def train(self, epochs: int) -> np.ndarray:
        losses = np.full((len(self.engines), epochs), np.nan)
        for i, engine in enumerate(self.engines):
            if self.failed[i]:
                continue
            try:
                losses[i] = engine.train(epochs)
            except FloatingPointError:  # the whole call's losses stay NaN
                self.failed[i] = True
        return losses

    def predict(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Each member's outputs; NaN for a member whose arithmetic failed."""
        out = []
        for i, (engine, spec, x) in enumerate(zip(self.engines, self.specs, xs, strict=True)):
            try:
                out.append(engine.predict(x))
            except FloatingPointError:
                self.failed[i] = True
                shape = (x.shape[0], spec.output_size) if spec.readout == "last" else (*x.shape[:2], spec.output_size)
                out.append(np.full(shape, np.nan))
        return out


def vectorisable(members: Sequence[tuple[ModelSpec, TrainingSpec]]) -> bool:
    """Whether one program can train them all: same model, same settings but the learning rate."""
    model, training = members[0]
    return all(m == model and replace(t, lr=training.lr) == training for m, t in members)


def create_ensemble(name: str, members: Sequence[tuple[ModelSpec, TrainingSpec]], dtype: str) -> Ensemble:
    """The vectorised ensemble of engine `name` when it has one and the members allow it,
    else a LoopEnsemble of `name` engines."""
    looped = _LOOPED.get(name, lambda t: False)
    if name in _VECTORISED and len(members) > 1 and vectorisable(members) and not looped(members[0][1]):
        module, cls = _VECTORISED[name]
        create_engine(name, *members[0], dtype)  # the engine's own checks and install hint first
        return getattr(importlib.import_module(module), cls)(members[0][0], [t for _, t in members], dtype)
    return LoopEnsemble(name, members, dtype)
