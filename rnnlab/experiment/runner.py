"""Run a recipe end to end: data, engine, training loop, run folder, plots, summary."""

from __future__ import annotations

import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.config import Config, to_toml
from rnnlab.experiment import run_folder as rf
from rnnlab.experiment.setup import Experiment, build_engine, flatten_predictions, initial_params, prepare
from rnnlab.experiment.trainer import Callback, Evaluator, LogRecord, log_epochs, train


@dataclass
class Recorder:
    """Keeps every log record for metrics.csv and the GIF."""

    records: list[LogRecord] = field(default_factory=list)

    def on_start(self, first_epoch: int, total_epochs: int) -> None: ...
    def on_progress(self, epochs_done: int, loss: float) -> None: ...
    def on_log(self, record: LogRecord) -> None:
        self.records.append(record)
    def on_end(self) -> None: ...


def evaluator(exp: Experiment) -> Evaluator:
    def predict(engine: Any) -> np.ndarray:
        return flatten_predictions(exp, engine.predict(exp.eval_x))

    def test_loss(pred: np.ndarray) -> float | None:
        return exp.training.report.value(pred, exp.eval_y) if exp.has_test else None

    return Evaluator(predict, test_loss)


def run(cfg: Config, out: Path, *, argv: list[str], callbacks: list[Callback], plots: bool = True) -> dict[str, Any]:
    """Train `cfg` into the run folder `out` (created, must be new). Returns the summary."""
    started = time.perf_counter()
    exp = prepare(cfg)
    engine = build_engine(exp, initial_params(cfg, exp.spec))
    rf.create_run_dir(out)
    rf.write_text(out / "config.toml", to_toml(cfg))
    recorder = Recorder()
    log_at = log_epochs(cfg.train.epochs, cfg.log.every, cfg.log.at)
    train_start = time.perf_counter()
    train(engine, epochs=cfg.train.epochs, log_at=log_at, updates_per_epoch=exp.updates_per_epoch,
          evaluator=evaluator(exp), callbacks=[recorder, *callbacks])
    train_seconds = time.perf_counter() - train_start
    final = flatten_predictions(exp, engine.predict(exp.eval_x))
    params = engine.get_params()
    rf.write_metrics(out / "metrics.csv", recorder.records)
    rf.write_npz(out / "params.npz", params)
    rf.write_npz(out / "predictions.npz", prediction_arrays(exp, recorder.records, final))
    if plots:
        from rnnlab.viz import render_run

        render_run(out)
    summary = summarise(cfg, exp, recorder.records, final, argv, engine.device(),
                        train_seconds, time.perf_counter() - started)
    rf.write_json(out / "summary.json", summary)
    return summary


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


def summarise(cfg: Config, exp: Experiment, records: list[LogRecord], final: np.ndarray, argv: list[str],
              device: str, train_seconds: float, wall_seconds: float) -> dict[str, Any]:
    truth = np.asarray(exp.eval_y, dtype=np.float64).reshape(final.shape)
    return {
        "recipe": cfg.run.name,
        "final_loss": records[-1].loss if records else None,
        "final_epoch": records[-1].epoch if records else None,
        "test_rmse": float(np.sqrt(np.mean((final.astype(np.float64) - truth) ** 2))),
        "evaluated_on": "test windows" if exp.has_test else "the training sequence, from h = 0",
        "epochs": cfg.train.epochs,
        "engine": cfg.run.engine,
        "device": device,
        "dtype": cfg.run.dtype,
        "seed": cfg.run.seed,
        "train_seconds": round(train_seconds, 4),
        "wall_seconds": round(wall_seconds, 4),
        "argv": argv,
        "versions": versions(),
        "completed_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def versions() -> dict[str, str]:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for pkg in ("rnnlab", "numpy", "matplotlib", "pillow", "torch"):
        if pkg == "torch" and "torch" not in sys.modules:
            continue
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out
