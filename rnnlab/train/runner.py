"""Run a recipe end to end: data, engine, training loop, run folder, plots, summary.

`run` and `resume` share one path: a Session is started (new folder) or reopened
(from the folder's config and checkpoint), trained to the end with checkpoints, then
finished (metrics, parameters, plots, and summary.json last). The plots are drawn by a
process started with training (rnnlab.viz.background), so its imports overlap training.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rnnlab.config import Config, load, to_toml
from rnnlab.engines.base import Engine
from rnnlab.errors import Interrupted, UserError
from rnnlab.runs import checkpoint
from rnnlab.runs import folder as rf
from rnnlab.runs.folder import read_npz
from rnnlab.runs.inspection import NAME as INSPECTION
from rnnlab.runs.inspection import write_inspection
from rnnlab.runs.records import LogRecord, TrainState
from rnnlab.runs.status import restart_forecast, run_status
from rnnlab.runs.summary import build_summary
from rnnlab.train.auto import resolve_engine
from rnnlab.train.callbacks import Callback, Evaluation, RecordHistory
from rnnlab.train.completion import complete
from rnnlab.train.experiment import (
    Experiment,
    build_engine,
    flatten_predictions,
    initial_params,
    prepare,
    resolved_rng,
)
from rnnlab.train.guard import divergence_guard
from rnnlab.train.inspection import Inspector, RecordInspection, first_window
from rnnlab.train.loop import Checkpoints, train
from rnnlab.train.members import Members, OneEngine
from rnnlab.train.schedule import LogSchedule
from rnnlab.train.stop import StopRequest

if TYPE_CHECKING:
    from rnnlab.viz.background import BackgroundRenderer


@dataclass
class Session:
    """A run in progress: its folder, experiment and engine, and where training stands."""

    out: Path
    config_text: str  # config.toml as in the folder: checkpoints carry its fingerprint
    exp: Experiment
    engine: Engine
    state: TrainState
    inspector: Inspector  # the inside views at log points (inspection.npz)
    resumed_from: int | None = None  # the epoch this session took over at
    checkpoint_every: int | None = None  # as the run was started (kept by its checkpoint)
    started: float = field(default_factory=time.perf_counter)


def evaluation(exp: Experiment) -> Evaluation:
    """The rows and GIF frames of a single run: predictions on the evaluation data."""
    def predict(members: Members) -> list[np.ndarray]:
        return [flatten_predictions(exp, p) for p in members.predict([exp.eval_x])]

    def test_loss(member: int, pred: np.ndarray) -> float | None:
        return exp.training.report.value(pred, exp.eval_y) if exp.has_test else None

    return Evaluation(predict, test_loss, exp.updates_per_epoch)


def run(cfg: Config, out: Path, *, argv: list[str], callbacks: list[Callback], plots: bool = True,
        checkpoint_every: int | None = None, stop: StopRequest | None = None) -> dict[str, Any]:
    """Train `cfg` into the run folder `out` (created, must be new). Returns the summary.

    `checkpoint_every` N epochs (None: every few seconds, so short runs write none; 0: only
    when `stop` is set). Raises Interrupted after saving when `stop` is set, Diverged when
    training blows up.
    """
    return _train_and_finish(start(cfg, out), argv, callbacks, plots, checkpoint_every, stop)


def resume(run_dir: Path, *, argv: list[str], callbacks: list[Callback], plots: bool = True,
           checkpoint_every: int | None = None, stop: StopRequest | None = None) -> dict[str, Any]:
    """Continue the incomplete run in `run_dir` from its checkpoint (from epoch 0 if it has
    none yet); it ends exactly where the uninterrupted run would. Plots cover the whole run.
    `checkpoint_every` None keeps the interval the run was started with."""
    session = reopen(run_dir)
    every = session.checkpoint_every if checkpoint_every is None else checkpoint_every
    return _train_and_finish(session, argv, callbacks, plots, every, stop)


def random_sources(cfg: Config) -> dict[str, Any]:
    """The seeds setup draws from; kept in checkpoints and checked when resuming."""
    return {"data_order": {"seed": cfg.run.seed, "shuffled": cfg.data.shuffle},
            "init": {"seed": cfg.run.seed, "generator": resolved_rng(cfg)}}


def start(cfg: Config, out: Path) -> Session:
    """A new session: data and engine ready, folder created with its config.toml."""
    cfg = resolve_engine(cfg)  # --engine auto: config.toml names the engine used
    exp = prepare(cfg)
    engine = build_engine(exp, initial_params(cfg, exp.spec))
    rf.create_run_dir(out)
    session = Session(out, to_toml(cfg), exp, engine, TrainState(random=random_sources(cfg)), inspector(exp))
    rf.write_text(out / "config.toml", session.config_text)
    return session


def reopen(run_dir: Path) -> Session:
    """The session of an incomplete run folder, at its latest checkpoint."""
    if not run_dir.is_dir():
        raise UserError(f"{run_dir}: no such run folder" if not run_dir.exists() else f"{run_dir}: not a folder")
    status = run_status(run_dir)
    if status.state == "complete":
        raise UserError(f"{run_dir}: the run is complete (summary.json exists); nothing to resume")
    if status.state != "incomplete":
        raise UserError(f"{run_dir}: not an rnnlab run folder (no config.toml); resume continues what "
                        "`rnnlab run` started")
    if status.kind == "forecast":
        raise UserError(f"{run_dir}: an unfinished forecast, which resume cannot continue (it continues `rnnlab run`); "
                        f"start it again into a new folder: {restart_forecast(run_dir)}")
    cfg = load(run_dir / "config.toml")
    config_text = (run_dir / "config.toml").read_text(encoding="utf-8")
    exp = prepare(cfg)
    path = run_dir / checkpoint.NAME
    if not path.exists():  # stopped before its first checkpoint: start over, same result
        session = Session(run_dir, config_text, exp, build_engine(exp, initial_params(cfg, exp.spec)),
                          TrainState(random=random_sources(cfg)), inspector(exp), resumed_from=0)
    else:
        session = _from_checkpoint(run_dir, exp, checkpoint.load(path), config_text)
    rf.remove_temporaries(run_dir)
    return session


def _from_checkpoint(run_dir: Path, exp: Experiment, ckpt: checkpoint.Checkpoint, config_text: str) -> Session:
    cfg, path = exp.config, run_dir / checkpoint.NAME
    if ckpt.fingerprint != checkpoint.config_fingerprint(config_text):
        raise UserError(f"{path}: belongs to another run (it was written for a different config.toml); "
                        "refusing to mix them")
    if ckpt.state.random != random_sources(cfg):
        raise UserError(f"{path}: its random seeds do not match config.toml; refusing to mix them")
    if not 0 <= ckpt.state.epoch <= cfg.train.epochs:
        raise UserError(f"{path}: epoch {ckpt.state.epoch} is outside the run's 0..{cfg.train.epochs}")
    try:
        engine = build_engine(exp, ckpt.params)
        engine.load_optimizer_state(ckpt.optimizer)
    except (ValueError, KeyError) as err:
        raise UserError(f"{path}: does not fit the model in config.toml ({err})") from err
    every = ckpt.options.get("checkpoint_every")
    views = inspector(exp)
    if (run_dir / INSPECTION).is_file():  # written with the checkpoint; records past it are logged again
        views.resume(read_npz(run_dir / INSPECTION), ckpt.state.epoch)
    return Session(run_dir, config_text, exp, engine, ckpt.state, views, ckpt.state.epoch,
                   every if isinstance(every, int) else None)


def inspector(exp: Experiment) -> Inspector:
    """The inside views of a run, on its first evaluation window (rnnlab.train.inspection)."""
    return Inspector(exp.spec, first_window(exp.eval_x, exp.eval_y), exp.training.loss)


def _train_and_finish(session: Session, argv: list[str], callbacks: list[Callback], plots: bool,
                      checkpoint_every: int | None, stop: StopRequest | None) -> dict[str, Any]:
    exp, engine = session.exp, session.engine
    epochs, fingerprint = exp.config.train.epochs, checkpoint.config_fingerprint(session.config_text)

    def capture(state: TrainState) -> checkpoint.Checkpoint:
        return checkpoint.Checkpoint(fingerprint, engine.get_params(), engine.optimizer_state(), state.snapshot(),
                                     epochs, {"checkpoint_every": checkpoint_every})

    def write(ckpt: checkpoint.Checkpoint) -> None:
        write_inspection(session.out / INSPECTION, session.inspector.arrays())  # resume trims it to the checkpoint
        checkpoint.save(session.out / checkpoint.NAME, ckpt)

    with _renderer(plots) as renderer:  # its process imports the plotting code while we train
        try:
            train(OneEngine(engine), session.state, LogSchedule.of(exp.config.log, epochs),
                  callbacks=[evaluation(exp), RecordHistory(), RecordInspection(session.inspector, epochs), *callbacks], guard=divergence_guard(exp.config), stop=stop,
                  checkpoints=Checkpoints(capture, write, checkpoint_every))
        except Interrupted as err:
            raise Interrupted(err.epoch, err.epochs, session.out) from None
        return finish(session, argv, renderer)


def _renderer(plots: bool) -> AbstractContextManager[BackgroundRenderer | None]:
    if not plots:
        return nullcontext()
    from rnnlab.viz.background import BackgroundRenderer

    return BackgroundRenderer()


def finish(session: Session, argv: list[str], renderer: BackgroundRenderer | None) -> dict[str, Any]:
    """Write the results, the plots (if `renderer`), then summary.json: the run is complete,
    and its checkpoint is dropped (rnnlab.train.completion)."""
    exp, engine, out, records = session.exp, session.engine, session.out, session.state.records
    final = flatten_predictions(exp, engine.predict(exp.eval_x))
    rf.write_metrics(out / "metrics.csv", records)
    rf.write_npz(out / "history.npz", session.state.history.arrays())
    rf.write_npz(out / "params.npz", engine.get_params())
    rf.write_npz(out / "predictions.npz", prediction_arrays(exp, records, final))
    write_inspection(out / INSPECTION, session.inspector.arrays())

    def summary() -> dict[str, Any]:
        return build_summary("run", exp.config, run_results(exp, session.state, final, engine, session.resumed_from),
                             argv=argv, train_seconds=session.state.train_seconds,
                             wall_seconds=time.perf_counter() - session.started, engine_info=engine.info())

    return complete(out, summary, None if renderer is None else lambda: renderer.render(out),
                    after_summary=lambda: (out / checkpoint.NAME).unlink(missing_ok=True))


def run_results(exp: Experiment, state: TrainState, final: np.ndarray, engine: Engine,
                resumed_from: int | None) -> dict[str, Any]:
    """What summary.json reports of a single run."""
    truth = np.asarray(exp.eval_y, dtype=np.float64).reshape(final.shape)
    return {
        "final_loss": float(state.history.loss[-1]) if len(state.history.loss) else None,
        "final_epoch": int(state.history.epoch[-1]) if len(state.history.epoch) else None,
        "test_rmse": float(np.sqrt(np.mean((final.astype(np.float64) - truth) ** 2))),
        "evaluated_on": "test windows" if exp.has_test else "the training sequence, from h = 0",
        "device": engine.device(),
        "resumed_from_epoch": resumed_from,
    }


def prediction_arrays(exp: Experiment, records: list[LogRecord], final: np.ndarray) -> dict[str, np.ndarray]:
    """The arrays rnnlab.viz draws (see its module docstring for the contract)."""
    ds = exp.dataset
    epochs = np.array([r.epoch for r in records], dtype=np.int64)
    snapshots = np.stack([r.predictions for r in records]) if records else np.zeros((0, *final.shape))
    common = {"epochs": epochs, "snapshots": snapshots.astype(np.float64), "final": final.astype(np.float64)}
    if ds.framing == "next_step":
        return {"kind": np.array("next_step"), "time": ds.time, "actual": ds.series, **common}
    return {"kind": np.array("windows"), "truth": ds.test_y.astype(np.float64),
            "grid_step": np.array(ds.grid_step), **common}
