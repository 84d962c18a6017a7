"""`rnnlab run --ensemble N` / `--sweep key=v1,v2`: many independent models at once.

Members are the recipe with seeds S..S+N-1 (--ensemble) and/or one value each of a swept
key (--sweep; with both, every value gets N seeds). Member i is exactly the single run
with its seed and value: same data split, same initial weights, same schedule; the engine
trains them together (batched over a leading member axis on numpy, one vmapped program on
jax, one after another on torch, see rnnlab.engines.ensemble). A member that diverges is
marked and left out of the summary's statistics; the others carry on. Training runs in
the one loop (rnnlab.train.loop) over a member axis. Ensembles write no checkpoints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab.config import Config, ConfigError, override
from rnnlab.engines.ensemble import Ensemble, create_ensemble
from rnnlab.runs.metrics_log import MetricsLog
from rnnlab.runs.records import TrainState
from rnnlab.train.callbacks import Callback, Evaluation
from rnnlab.train.experiment import (
    Experiment,
    check_fits,
    flatten_predictions,
    initial_losses,
    initial_params,
    prepare,
)
from rnnlab.train.guard import divergence_guard
from rnnlab.train.loop import train
from rnnlab.train.members import ManyEngines, Members
from rnnlab.train.schedule import LogSchedule


@dataclass(frozen=True)
class EnsembleMember:
    """Member `index`: the recipe with its own seed and, in a sweep, its own value."""

    index: int
    seed: int
    value: str | None  # the swept value, if any
    config: Config


def parse_sweep(text: str) -> tuple[str, list[str]]:
    """'optim.lr=0.1,0.05' -> ('optim.lr', ['0.1', '0.05'])."""
    key, sep, values = text.partition("=")
    items = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or "." not in key or not items:
        raise ConfigError(f"sweep {text!r}: expected section.key=v1,v2,..., e.g. optim.lr=0.1,0.05")
    return key.strip(), items


def make_members(cfg: Config, seeds: int, sweep: tuple[str, list[str]] | None) -> list[EnsembleMember]:
    """Every (value, seed) pair, values outer; each member's config validated."""
    key, values = sweep if sweep else ("", [None])
    members = []
    for value in values:
        for s in range(seeds):
            seed = cfg.run.seed + s
            sets = [f"run.seed={seed}"] + ([f"{key}={value}"] if value is not None else [])
            members.append(EnsembleMember(len(members), seed, value, override(cfg, sets)))
    return members


@dataclass
class EnsembleResult:
    members: list[EnsembleMember]
    exps: list[Experiment]
    state: TrainState  # each member's last logged loss, and which diverged
    final: list[np.ndarray]  # each member's predictions after training
    params: list[dict[str, np.ndarray]]
    engine: Ensemble


def train_ensemble(cfg: Config, members: list[EnsembleMember], callbacks: list[Callback],
                   log: MetricsLog | None = None) -> EnsembleResult:
    """Train every member for cfg.train.epochs, logging at the recipe's log points (rows
    into `log`, if any). A member that diverges stops; the others carry on (Diverged only
    when all have)."""
    first = prepare(members[0].config)
    check_fits(first, len(members))  # before a million members are set up
    exps = [first, *(prepare(m.config) for m in members[1:])]
    engine = create_ensemble(cfg.run.engine, [(e.spec, e.training) for e in exps], cfg.run.dtype)
    engine.set_params([initial_params(m.config, e.spec) for m, e in zip(members, exps)])
    engine.set_data([e.x for e in exps], [e.y for e in exps])
    model = ManyEngines(engine, len(members))

    def predict(model: Members) -> list[np.ndarray]:
        return [flatten_predictions(e, p) for e, p in zip(exps, model.predict([e.eval_x for e in exps]))]

    def test_loss(i: int, pred: np.ndarray) -> float | None:
        return exps[i].training.report.value(pred, exps[i].eval_y) if exps[i].has_test else None

    evaluation = Evaluation(predict, test_loss, exps[0].updates_per_epoch, log, keep_frames=False)
    state = train(model, TrainState(), LogSchedule.of(cfg.log, cfg.train.epochs), callbacks=[evaluation, *callbacks],
                  guard=divergence_guard(cfg, initial_losses(exps)))
    return EnsembleResult(members, exps, state, predict(model), engine.get_params(), engine)
