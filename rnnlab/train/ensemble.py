"""`rnnlab run --ensemble N` / `--sweep key=v1,v2`: many independent models at once.

Members are the recipe with seeds S..S+N-1 (--ensemble) and/or one value each of a swept
key (--sweep; with both, every value gets N seeds). Member i is exactly the single run
with its seed and value: same data split, same initial weights, same schedule; the engine
trains them together (batched over a leading member axis on numpy, one vmapped program on
jax, one after another on torch, see rnnlab.engines.ensemble). A member that diverges is
marked and left out of the summary's statistics; the others carry on. Ensembles write no
checkpoints.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from rnnlab.config import Config, ConfigError, override
from rnnlab.engines.ensemble import Ensemble, create_ensemble
from rnnlab.train.auto import resolve_engine
from rnnlab.train.experiment import Experiment, flatten_predictions, initial_params, prepare
from rnnlab.train.guard import DivergenceGuard, divergence_guard
from rnnlab.train.loop import Callback, log_epochs


@dataclass(frozen=True)
class Member:
    index: int
    seed: int
    value: str | None  # the swept value, if any
    config: Config


@dataclass
class MemberLog:
    """What is recorded of one member: rows of metrics.csv and the fate of its training."""

    rows: list[tuple[int, int, float, float | None]] = field(default_factory=list)  # epoch, step, loss, test
    initial_loss: float | None = None
    diverged: tuple[int, str] | None = None  # (epoch, reason)


def parse_sweep(text: str) -> tuple[str, list[str]]:
    """'optim.lr=0.1,0.05' -> ('optim.lr', ['0.1', '0.05'])."""
    key, sep, values = text.partition("=")
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or "." not in key or not items:
        raise ConfigError(f"sweep {text!r}: expected section.key=v1,v2,..., e.g. optim.lr=0.1,0.05")
    return key.strip(), items


def make_members(cfg: Config, seeds: int, sweep: tuple[str, list[str]] | None) -> list[Member]:
    """Every (value, seed) pair, values outer; each member's config validated."""
    key, values = sweep if sweep else ("", [None])
    members = []
    for value in values:
        for s in range(seeds):
            seed = cfg.run.seed + s
            sets = [f"run.seed={seed}"] + ([f"{key}={value}"] if value is not None else [])
            members.append(Member(len(members), seed, value, override(cfg, sets)))
    return members


@dataclass
class EnsembleResult:
    members: list[Member]
    exps: list[Experiment]
    logs: list[MemberLog]
    final: list[np.ndarray]  # each member's predictions after training
    params: list[dict[str, np.ndarray]]
    engine: Ensemble
    train_seconds: float


def train_ensemble(cfg: Config, members: list[Member], callbacks: list[Callback]) -> EnsembleResult:
    """Train every member for cfg.train.epochs, logging at the recipe's log points."""
    exps = [prepare(m.config) for m in members]
    engine = create_ensemble(cfg.run.engine, [(e.spec, e.training) for e in exps], cfg.run.dtype)
    engine.set_params([initial_params(m.config, e.spec) for m, e in zip(members, exps)])
    engine.set_data([e.x for e in exps], [e.y for e in exps])
    epochs = cfg.train.epochs
    log_at = log_epochs(epochs, cfg.log.every, cfg.log.at)
    logs = [MemberLog() for _ in members]
    guard = divergence_guard(cfg)
    done, seconds = 0, 0.0
    for cb in callbacks:
        cb.on_start(0, epochs)
    try:
        for stop in sorted({e + 1 for e in log_at} | {epochs}):
            started = time.perf_counter()
            losses = engine.train(stop - done)  # (M, stop - done)
            seconds += time.perf_counter() - started
            _check(guard, logs, losses, done)
            if stop - 1 in log_at:
                _record(exps, logs, engine, losses[:, -1], stop - 1)
            done = stop
            for cb in callbacks:
                cb.on_progress(done, float(np.nanmedian(losses[:, -1])) if np.isfinite(losses[:, -1]).any()
                               else float("nan"))
    finally:
        for cb in callbacks:
            cb.on_end()
    final = [flatten_predictions(e, p) for e, p in zip(exps, engine.predict([e.eval_x for e in exps]))]
    return EnsembleResult(members, exps, logs, final, engine.get_params(), engine, seconds)


def _check(guard: DivergenceGuard, logs: list[MemberLog], losses: np.ndarray, first_epoch: int) -> None:
    """Mark members whose loss became NaN, infinite or exploded (the divergence guard's rule)."""
    for log, row in zip(logs, losses):
        if log.diverged is not None:
            continue
        if log.initial_loss is None:
            log.initial_loss = float(row[0])
        problem = guard.loss_problem(first_epoch, row, log.initial_loss)
        if problem is not None:
            log.diverged = problem


def _record(exps: list[Experiment], logs: list[MemberLog], engine: Ensemble, losses: np.ndarray,
            epoch: int) -> None:
    preds = engine.predict([e.eval_x for e in exps])
    for exp, log, pred, loss in zip(exps, logs, preds, losses):
        if log.diverged is not None:
            continue
        pred = flatten_predictions(exp, pred)
        with np.errstate(all="ignore"):
            test = exp.training.report.value(pred, exp.eval_y) if exp.has_test else None
        log.rows.append((epoch, epoch * exp.updates_per_epoch, float(loss), test))
