"""The measurements behind the figures in README.md and docs/ (benchmarks.docs_numbers
renders them). Each is a plain function of its arguments, cached per process, so a block
and the test that checks it share the work."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Callable, Iterable, TypeVar

import numpy as np

from rnnlab.checks import envelope
from rnnlab.checks.compare import Comparison, compare
from rnnlab.config import Config, override
from rnnlab.recipes import resolve
from rnnlab.train.experiment import build_engine, initial_params, prepare

T = TypeVar("T")
NUDGES = (0.0, 1.0, -1.0)  # the start, and the start scaled by 1 + 4 eps and 1 - 4 eps
ENGINES = ("numpy", "torch", "jax", "numba")


def in_parallel(fn: Callable[..., T], jobs: Iterable[tuple]) -> list[T]:
    """fn(*job) for every job, on every core (each in its own process)."""
    jobs = list(jobs)
    spawn = multiprocessing.get_context("spawn")  # torch and jax run threads: forking them is unsafe
    with ProcessPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1), mp_context=spawn) as pool:
        return list(pool.map(fn, *zip(*jobs)))


@dataclass(frozen=True)
class Spread:
    """A figure from a run and from the same run started a few ulps away (NUDGES)."""

    values: tuple[float, ...]

    @property
    def value(self) -> float:
        return self.values[0]

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)


@dataclass(frozen=True)
class Outcome:
    """How a run ends: the last epoch's reported loss and summary.json's test_rmse."""

    final_loss: Spread
    test_rmse: Spread


def trained(cfg: Config, start: dict[str, np.ndarray]) -> tuple[float, float]:
    """(last epoch's reported loss, test RMSE) after training `cfg` from `start`: what
    `rnnlab run` reports (test_rmse as summary.json writes it)."""
    exp = prepare(cfg)
    engine = build_engine(exp, start)
    losses = engine.train(cfg.train.epochs)
    pred = engine.predict(exp.eval_x).astype(np.float64)
    return float(losses[-1]), float(np.sqrt(np.mean((pred - exp.eval_y) ** 2)))


@cache
def outcome(recipe: str, settings: tuple[str, ...] = ()) -> Outcome:
    """`rnnlab run RECIPE --set ...` on the NumPy engine, from its start and from the start
    scaled by 1 + 4 eps and 1 - 4 eps."""
    cfg = override(resolve(recipe), ["run.engine=numpy", *settings])
    exp = prepare(cfg)
    start = initial_params(cfg, exp.spec)
    eps = envelope.NUDGE_ULPS * float(np.finfo(cfg.run.dtype).eps)
    runs = [trained(cfg, {k: v * (1 + s * eps) for k, v in start.items()}) for s in NUDGES]
    return Outcome(Spread(tuple(r[0] for r in runs)), Spread(tuple(r[1] for r in runs)))


def comparison(recipe: str, dtype: str, settings: tuple[str, ...] = (), engines: tuple[str, ...] = ENGINES
               ) -> Comparison:
    """`rnnlab compare RECIPE --engines ... --dtype DTYPE --set ...`."""
    return comparisons([(recipe, dtype, settings, engines)])[0]


_COMPARISONS: dict[tuple, Comparison] = {}


def comparisons(jobs: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]) -> list[Comparison]:
    """comparison(*job) for every job, the ones not yet made in this process in parallel."""
    todo = [job for job in dict.fromkeys(jobs) if job not in _COMPARISONS]
    if len(todo) == 1:
        _COMPARISONS[todo[0]] = _compare(*todo[0])
    elif todo:
        _COMPARISONS.update(zip(todo, in_parallel(_compare, todo)))
    return [_COMPARISONS[job] for job in jobs]


def _compare(recipe: str, dtype: str, settings: tuple[str, ...], engines: tuple[str, ...]) -> Comparison:
    return compare(override(resolve(recipe), [f"run.dtype={dtype}", *settings]), list(engines))


def envelope_ratio(result: Comparison) -> float:
    """The largest ratio over the epochs of an engine's loss difference to the nudged runs'
    (both running maxima, the nudged runs' at least one step's rounding): what the
    envelope's margin has to cover."""
    floor = np.maximum(np.max([envelope.running_max(d.curve) for d in result.nudged], axis=0), result.rounding)
    return max(float(np.max(envelope.running_max(d.curve) / floor)) for d in result.differences)
