"""Run a recipe end to end: data, engine, training loop, run folder, plots, summary.

`run` and `resume` share one path: a Session is started (new folder) or reopened
(from the folder's config and checkpoint), trained to the end with checkpoints, then
finished (metrics, parameters, plots, and summary.json last). The plots are drawn by a
process started with training (rnnlab.viz.background), so its imports overlap training.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from rnnlab.config import Config, override, parse, to_toml
from rnnlab.engines.base import Engine
from rnnlab.errors import Diverged, Interrupted, UserError
from rnnlab.runs import checkpoint
from rnnlab.runs import folder as rf
from rnnlab.runs.folder import read_npz
from rnnlab.runs.inspection import NAME as INSPECTION
from rnnlab.runs.inspection import write_inspection
from rnnlab.runs.metrics_log import MetricsLog
from rnnlab.runs.records import Frames, TrainState
from rnnlab.runs.status import DIVERGED, restart_forecast, run_status
from rnnlab.runs.summary import build_summary
from rnnlab.train.auto import resolve_engine
from rnnlab.train.callbacks import Callback, Evaluation, RecordHistory
from rnnlab.train.completion import complete
from rnnlab.train.experiment import (
    Experiment,
    build_engine,
    check_fits,
    check_state,
    flatten_predictions,
    initial_losses,
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

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.exp.config)


def evaluation(exp: Experiment, log: MetricsLog | None) -> Evaluation:
    """The rows and GIF frames of a single run: predictions on the evaluation data."""
    def predict(members: Members) -> list[np.ndarray]:
        return [flatten_predictions(exp, p) for p in members.predict([exp.eval_x])]

    def test_loss(member: int, pred: np.ndarray) -> float | None:
        return exp.training.report.value(pred, exp.eval_y) if exp.has_test else None

    return Evaluation(predict, test_loss, exp.updates_per_epoch, log)


def run(cfg: Config, out: Path, *, argv: list[str], callbacks: list[Callback], plots: bool = True,
        checkpoint_every: int | None = None, stop: StopRequest | None = None) -> dict[str, Any]:
    """Train `cfg` into the run folder `out` (created, must be new). Returns the summary.

    `checkpoint_every` N epochs (None: every few seconds, so short runs write none; 0: only
    when `stop` is set). Raises Interrupted after saving when `stop` is set, Diverged when
    training blows up.
    """
    return _train_and_finish(start(cfg, out), argv, callbacks, plots, checkpoint_every, stop)


def resume(run_dir: Path, *, argv: list[str], callbacks: list[Callback], plots: bool = True,
           checkpoint_every: int | None = None, stop: StopRequest | None = None,
           overrides: Sequence[str] = ()) -> dict[str, Any]:
    """Continue the incomplete run in `run_dir` from its checkpoint (from epoch 0 if it has
    none yet); it ends exactly where the uninterrupted run would. Plots cover the whole run.
    `checkpoint_every` None keeps the interval the run was started with. `overrides`
    ("key=value") may change only RESUMABLE keys, which leave the numbers alone; they are
    saved in config.toml, and let a run that diverged go on."""
    session = reopen(run_dir, overrides)
    every = session.checkpoint_every if checkpoint_every is None else checkpoint_every
    return _train_and_finish(session, argv, callbacks, plots, every, stop)


RESUMABLE = ("train.max_loss_factor",)  # what resuming may change: the guard, not the numbers


def fingerprint(cfg: Config) -> str:
    """Identifies a run's settings, less the RESUMABLE ones: its checkpoints carry it."""
    return checkpoint.config_fingerprint(to_toml(replace(cfg, train=replace(cfg.train, max_loss_factor=0.0))))


def random_sources(cfg: Config) -> dict[str, Any]:
    """The seeds setup draws from; kept in checkpoints and checked when resuming."""
    return {"data_order": {"seed": cfg.run.seed, "shuffled": cfg.data.shuffle},
            "init": {"seed": cfg.run.seed, "generator": resolved_rng(cfg)}}


def start(cfg: Config, out: Path) -> Session:
    """A new session: data and engine ready, folder created with its config.toml."""
    cfg = resolve_engine(cfg)  # --engine auto: config.toml names the engine used
    exp = prepare(cfg)
    check_fits(exp)
    engine = build_engine(exp, initial_params(cfg, exp.spec))
    rf.create_run_dir(out)
    session = Session(out, to_toml(cfg), exp, engine, TrainState(random=random_sources(cfg)), inspector(exp))
    rf.write_text(out / "config.toml", session.config_text)
    return session


def reopen(run_dir: Path, overrides: Sequence[str] = ()) -> Session:
    """The session of an incomplete run folder, at its latest checkpoint, with `overrides`
    (RESUMABLE keys only) applied and saved in its config.toml."""
    if not run_dir.is_dir():
        raise UserError(f"{run_dir}: no such run folder" if not run_dir.exists() else f"{run_dir}: not a folder")
    status = run_status(run_dir)
    if status.state == "complete":
        for name in status.leftovers:  # worthless once summary.json exists: every result was written before it
            (run_dir / name).unlink(missing_ok=True)
        tidied = f" (removed {', '.join(status.leftovers)}, left by a kill at its very end)" if status.leftovers else ""
        raise UserError(f"{run_dir}: the run is complete (summary.json exists); nothing to resume{tidied}")
    if status.state in ("empty", "not a run"):
        only = "holds no config.toml: it was stopped before its run began; `rnnlab run ... --out` can use it"
        raise UserError(f"{run_dir}: not an rnnlab run folder ({only if status.state == 'empty' else 'no config.toml'})"
                        "; resume continues what `rnnlab run` started")
    if status.state == "damaged":
        raise UserError(status.problem)
    if status.kind == "forecast":
        raise UserError(f"{run_dir}: an unfinished forecast, which resume cannot continue (it continues `rnnlab run`); "
                        f"start it again into a new folder: {restart_forecast(run_dir)}")
    if status.state == "diverged" and not overrides:
        raise UserError(f"{run_dir}: {status.problem}")
    cfg = _settings(run_dir, overrides)
    exp = prepare(cfg)
    check_fits(exp)
    path = run_dir / checkpoint.NAME
    if not path.exists():  # stopped before its first checkpoint: start over, same result
        session = Session(run_dir, to_toml(cfg), exp, build_engine(exp, initial_params(cfg, exp.spec)),
                          TrainState(random=random_sources(cfg)), inspector(exp), resumed_from=0)
    else:
        session = _from_checkpoint(run_dir, exp, checkpoint.load(path), to_toml(cfg))
    if overrides:
        rf.write_text(run_dir / "config.toml", session.config_text)
        (run_dir / DIVERGED).unlink(missing_ok=True)
    rf.remove_temporaries(run_dir)
    return session


def _settings(run_dir: Path, overrides: Sequence[str]) -> Config:
    """config.toml of `run_dir`, with `overrides` of RESUMABLE keys applied."""
    path = run_dir / "config.toml"
    try:
        cfg = parse(rf.read_text(path), path)
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot be read ({err.strerror if isinstance(err, OSError) else err})") from err
    except UserError as err:
        raise UserError(f"{path}: {err}" if not str(err).startswith(str(path)) else str(err)) from err
    for item in overrides:
        key = item.partition("=")[0].strip()
        if key not in RESUMABLE:
            raise UserError(f"{key}: cannot change when resuming (the run's numbers depend on it); resuming may "
                            f"change {', '.join(RESUMABLE)}; for anything else start a new run from "
                            f"{run_dir / 'config.toml'}")
    return override(cfg, list(overrides))


def _from_checkpoint(run_dir: Path, exp: Experiment, ckpt: checkpoint.Checkpoint, config_text: str) -> Session:
    cfg, path = exp.config, run_dir / checkpoint.NAME
    if ckpt.fingerprint != fingerprint(cfg):
        raise UserError(f"{path}: belongs to another run (it was written for a different config.toml); "
                        "refusing to mix them")
    if ckpt.state.random != random_sources(cfg):
        raise UserError(f"{path}: its random seeds do not match config.toml; refusing to mix them")
    if not 0 <= ckpt.state.epoch <= cfg.train.epochs:
        raise UserError(f"{path}: epoch {ckpt.state.epoch} is outside the run's 0..{cfg.train.epochs}")
    try:
        check_state(exp, ckpt.params, ckpt.optimizer, ckpt.state.epoch)
        engine = build_engine(exp, ckpt.params)
        engine.load_optimizer_state(ckpt.optimizer)
    except (ValueError, KeyError) as err:
        raise UserError(f"{path}: does not fit the model in config.toml ({err}); remove it and `rnnlab resume` "
                        "restarts the run from epoch 0") from err
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
    exp, engine, state = session.exp, session.engine, session.state
    epochs = exp.config.train.epochs
    log = MetricsLog(session.out, size=state.rows[0], crc=state.rows[1])

    def capture(state: TrainState) -> checkpoint.Checkpoint:
        return checkpoint.Checkpoint(session.fingerprint, engine.get_params(), engine.optimizer_state(),
                                     state.snapshot(), epochs, {"checkpoint_every": checkpoint_every})

    def write(ckpt: checkpoint.Checkpoint) -> None:
        log.sync()  # the rows it counts on are on disk before it is
        write_inspection(session.out / INSPECTION, session.inspector.arrays())  # resume trims it to the checkpoint
        checkpoint.save(session.out / checkpoint.NAME, ckpt)

    with _renderer(plots) as renderer:  # its process imports the plotting code while we train
        try:
            train(OneEngine(engine), state, LogSchedule.of(exp.config.log, epochs),
                  callbacks=[evaluation(exp, log), RecordHistory(), RecordInspection(session.inspector, epochs),
                             *callbacks],
                  guard=divergence_guard(exp.config, initial_losses([exp])), stop=stop,
                  checkpoints=Checkpoints(capture, write, checkpoint_every))
            return finish(session, log, argv, renderer)
        except Interrupted as err:
            raise Interrupted(err.epoch, err.epochs, session.out, err.saved) from None
        except Diverged as err:
            _mark_diverged(session, err)
            raise
        finally:
            log.close()


def _mark_diverged(session: Session, err: Diverged) -> None:
    """diverged.json, so `rnnlab runs` and `rnnlab resume` tell what happened (best effort:
    the one-line message says it too)."""
    cfg = session.exp.config
    with suppress(OSError):
        rf.write_json(session.out / DIVERGED, {"epoch": err.epoch, "reason": err.reason,
                                                "checkpoint_epoch": err.checkpoint_epoch, "lr": cfg.optim.lr,
                                                "max_loss_factor": cfg.train.max_loss_factor})


def _renderer(plots: bool) -> AbstractContextManager[BackgroundRenderer | None]:
    if not plots:
        return nullcontext()
    from rnnlab.viz.background import BackgroundRenderer

    return BackgroundRenderer()


def finish(session: Session, log: MetricsLog, argv: list[str], renderer: BackgroundRenderer | None) -> dict[str, Any]:
    """Write the results, the plots (if `renderer`), then summary.json: the run is complete,
    and its checkpoint and working rows are dropped (rnnlab.train.completion)."""
    exp, engine, out = session.exp, session.engine, session.out
    final = flatten_predictions(exp, engine.predict(exp.eval_x))
    log.publish()
    rf.write_npz(out / "history.npz", session.state.history.arrays())
    rf.write_npz(out / "params.npz", engine.get_params())
    rf.write_npz(out / "predictions.npz", prediction_arrays(exp, session.state.frames, final))
    write_inspection(out / INSPECTION, session.inspector.arrays())

    def summary() -> dict[str, Any]:
        return build_summary("run", exp.config, run_results(exp, session.state, final, engine, session.resumed_from),
                             argv=argv, train_seconds=session.state.train_seconds,
                             wall_seconds=time.perf_counter() - session.started, engine_info=engine.info())

    def drop() -> None:
        (out / checkpoint.NAME).unlink(missing_ok=True)
        log.discard()

    return complete(out, summary, None if renderer is None else lambda: renderer.render(out), after_summary=drop)


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


def prediction_arrays(exp: Experiment, frames: Frames, final: np.ndarray) -> dict[str, np.ndarray]:
    """The arrays rnnlab.viz draws (see its module docstring for the contract)."""
    ds = exp.dataset
    logged, kept = frames.all()
    epochs = np.array(logged, dtype=np.int64)
    snapshots = np.stack(kept) if kept else np.zeros((0, *final.shape))
    common = {"epochs": epochs, "snapshots": snapshots.astype(np.float64), "final": final.astype(np.float64)}
    if ds.framing == "next_step":
        return {"kind": np.array("next_step"), "time": ds.time, "actual": ds.series, **common}
    return {"kind": np.array("windows"), "truth": ds.test_y.astype(np.float64),
            "grid_step": np.array(ds.grid_step), **common}
