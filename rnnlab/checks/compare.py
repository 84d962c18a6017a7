"""Cross-engine agreement: the same start, data and schedule must give the same numbers.

Every engine gets the same initial parameters (drawn once, with NumPy's generator unless
the recipe names one) and the same data, trains the recipe's epochs, and is compared
with the first engine: loss history, final parameters, predictions on the evaluation
data. Used by `rnnlab compare` and the test suite to guard a port.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from rnnlab.config import Config
from rnnlab.errors import UserError
from rnnlab.train.auto import resolve_engine
from rnnlab.train.experiment import Experiment, build_engine, initial_params, prepare

Params = dict[str, np.ndarray]


def default_tolerance(dtype: str) -> float:
    """Agreement expected over 1,000 epochs: 1e-9 in float64, 1e-5 in float32."""
    return 1e-9 if dtype == "float64" else 1e-5


@dataclass(frozen=True)
class EngineRun:
    engine: str
    device: str
    losses: np.ndarray  # (epochs,) reported loss per epoch
    params: Params
    predictions: np.ndarray  # on the evaluation data, as the engine returns them
    seconds: float  # training only


@dataclass(frozen=True)
class Difference:
    """Max relative differences of one engine's run from the reference engine's."""

    engine: str
    losses: float  # per epoch, relative to that epoch's loss
    params: float  # per parameter, relative to its largest entry; the worst parameter
    predictions: float  # relative to the largest prediction
    first_epoch: int | None  # the first epoch whose loss differs by more than the tolerance

    @property
    def worst(self) -> float:
        return max(self.losses, self.params, self.predictions)


@dataclass(frozen=True)
class Comparison:
    recipe: str
    dtype: str
    epochs: int
    tolerance: float
    runs: tuple[EngineRun, ...]  # the first is the reference
    differences: tuple[Difference, ...]  # one per run after the first
    # The reference engine from a start nudged by a few units of rounding: how far rounding
    # alone moves this recipe (None unless asked for). Not part of `ok`.
    sensitivity: Difference | None = None

    @property
    def ok(self) -> bool:
        return all(d.worst <= self.tolerance for d in self.differences)


def compare(cfg: Config, engines: Sequence[str], *, tolerance: float | None = None,
            sensitivity: bool = False) -> Comparison:
    """Train `cfg` on every engine in `engines` from the same start; compare with the first.

    With `sensitivity`, also train the first engine from the start nudged by 4 machine
    epsilons: chaotic stretches of training (a loss spike) amplify rounding, and this shows
    how much, so a difference of that size is not mistaken for a port bug."""
    if len(engines) < 2:
        raise UserError(f"comparing needs at least two engines, e.g. numpy,torch (got {','.join(engines) or 'none'})")
    if cfg.init.rng == "engine":  # one draw for all: NumPy's generator needs nothing installed
        cfg = replace(cfg, init=replace(cfg.init, rng="numpy"))
    engines = [resolve_engine(cfg, engine=name).run.engine for name in engines]
    exp = prepare(cfg)
    start = initial_params(cfg, exp.spec)
    tol = default_tolerance(cfg.run.dtype) if tolerance is None else tolerance
    runs = tuple(_train(exp, start, name) for name in engines)
    differences = tuple(_difference(run, runs[0], tol) for run in runs[1:])
    nudged = None
    if sensitivity:
        factor = 1.0 + 4 * float(np.finfo(cfg.run.dtype).eps)
        nudged = _difference(_train(exp, {k: v * factor for k, v in start.items()}, engines[0]), runs[0], tol)
    return Comparison(cfg.run.name, cfg.run.dtype, cfg.train.epochs, tol, runs, differences, nudged)


def _train(exp: Experiment, start: Params, name: str) -> EngineRun:
    engine = build_engine(exp, start, name)
    began = time.perf_counter()
    try:
        losses = engine.train(exp.config.train.epochs)
    except FloatingPointError as err:
        raise UserError(f"the {name} engine diverged ({err}); lower optim.lr or compare fewer train.epochs") from err
    seconds = time.perf_counter() - began
    return EngineRun(name, engine.device(), losses, engine.get_params(), engine.predict(exp.eval_x), seconds)


def _difference(run: EngineRun, ref: EngineRun, tol: float) -> Difference:
    per_epoch = relative_differences(run.losses, ref.losses)
    over = np.flatnonzero(per_epoch > tol)
    params = max((scaled_difference(run.params[k], ref.params[k]) for k in ref.params), default=0.0)
    return Difference(run.engine, float(per_epoch.max(initial=0.0)), params,
                      scaled_difference(run.predictions, ref.predictions), int(over[0]) if over.size else None)


def relative_differences(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a_i - b_i| / max(|a_i|, |b_i|) per entry: each against its own size (0 where both
    are 0; inf where either is NaN or infinite, or where the shapes differ)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return np.full(max(a.size, b.size, 1), np.inf)
    finite = np.isfinite(a) & np.isfinite(b)
    a, b = np.where(finite, a, 0.0), np.where(finite, b, 0.0)
    scale = np.maximum(np.abs(a), np.abs(b))
    return np.where(finite, np.abs(a - b) / np.where(scale > 0, scale, 1.0), np.inf)


def scaled_difference(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| / max(|a|, |b|) over the whole array: entries near zero are measured
    against the array's scale, not their own. NaN or infinity anywhere gives inf."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf")
    if a.size == 0:
        return 0.0
    scale = max(float(np.abs(a).max()), float(np.abs(b).max()))
    return float(np.abs(a - b).max()) / scale if scale > 0 else 0.0
