"""What a worker process does for a sweep: train one trial, or one batch of trials, into
their run folders. Plain functions of strings, so any executor can send them anywhere.

A trial's folder says where it stands, so a retried or rerun trial never trains twice:
summary.json means complete (returned as it is), diverged.json means diverged, config.toml
alone means interrupted (continued from its checkpoint: a retry on another worker ends
bit for bit where the first attempt would have), nothing means not started.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from rnnlab.config import Config, from_dict, to_toml
from rnnlab.errors import Diverged
from rnnlab.runs import folder as rf
from rnnlab.runs.metrics_log import write_metrics
from rnnlab.runs.records import LogRecord
from rnnlab.runs.status import DIVERGED
from rnnlab.runs.summary import build_summary

Result = dict[str, Any]


def trial_result(folder: Path) -> Result | None:
    """The recorded outcome of the trial in `folder`, or None while it has none."""
    for name, status in (("summary.json", "complete"), (DIVERGED, "diverged")):
        path = folder / name
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            result = {"name": folder.name, "status": status, "test_rmse": data.get("test_rmse"),
                      "final_loss": data.get("final_loss"), "diverged_epoch": data.get("diverged_epoch"),
                      "reason": data.get("reason"), "train_seconds": data.get("train_seconds")}
            if data.get("kind") == "forecast":  # ranked by validation; the backtest's scores beside
                model = data["metrics"]["model"]
                result.update(val_mae=data["ensemble_validation_mae"], test_rmse=model["rmse"], mase=model["mase"])
            return result
    return None


def run_trial(folder: str, config: dict[str, Any], plots: bool = False, explicit: list[str] | None = None) -> Result:
    """Train the trial into `folder` (or continue it, or return what it already has). With
    `explicit` (the keys given; forecast chooses the rest from the series) it is a forecast."""
    from threadpoolctl import threadpool_limits

    from rnnlab.train.runner import resume, run

    out = Path(folder)
    done = trial_result(out)
    if done is not None:
        return done
    cfg = from_dict(config)
    started = time.perf_counter()
    try:
        with threadpool_limits(1):  # one BLAS thread per trial: workers share the cores, results stay the same
            if explicit is not None:
                _forecast(cfg, set(explicit), out, plots)
            elif (out / "config.toml").is_file():
                resume(out, argv=[], callbacks=[], plots=plots)
            else:
                run(cfg, out, argv=[], callbacks=[], plots=plots)
    except Diverged as err:
        _write_diverged(out, cfg, err.epoch, err.reason, time.perf_counter() - started)
    result = trial_result(out)
    assert result is not None
    return result


def _forecast(cfg: Config, explicit: set[str], out: Path, plots: bool) -> None:
    """A forecast has no checkpoint: an interrupted one (its folder without summary.json)
    starts again, to the same numbers."""
    import shutil

    from rnnlab.forecasting.job import run_forecast

    if out.exists():
        shutil.rmtree(out)
    run_forecast(cfg, explicit, out, argv=[], plots=plots)


def run_batch(folders: list[str], configs: list[dict[str, Any]]) -> list[Result]:
    """Train trials that differ only in seed and learning rate as one batched program
    (rnnlab.train.ensemble), then write each one's run folder. Trials already recorded
    are returned as they are; a batch has no checkpoint: a retry trains it again, to the
    same numbers."""
    from threadpoolctl import threadpool_limits

    from rnnlab.train.ensemble import EnsembleMember, train_ensemble

    outs = [Path(f) for f in folders]
    todo = [i for i, out in enumerate(outs) if trial_result(out) is None]
    if todo:
        cfgs = [from_dict(configs[i]) for i in todo]
        members = [EnsembleMember(k, cfg.run.seed, None, cfg) for k, cfg in enumerate(cfgs)]
        started = time.perf_counter()
        rows = MemberRows()
        with threadpool_limits(1):
            result = train_ensemble(cfgs[0], members, [], rows)
        seconds = (time.perf_counter() - started) / len(todo)
        for k, i in enumerate(todo):
            _write_member(outs[i], cfgs[k], result, k, rows.rows.get(k, []), len(todo), seconds)
    return [trial_result(out) or {"name": out.name, "status": "missing"} for out in outs]


class MemberRows:
    """The metrics rows of a batch, kept per member (rnnlab.train.callbacks.RowLog): each
    trial's are those of one ordinary run, a few hundred at most."""

    size, crc = 0, 0  # nothing checkpointed: a batch has no checkpoint

    def __init__(self) -> None:
        self.rows: dict[int, list[LogRecord]] = {}

    def append(self, records: Sequence[LogRecord]) -> None:
        for r in records:
            self.rows.setdefault(r.member, []).append(replace(r, member=0))


def _write_member(out: Path, cfg: Config, result: Any, k: int, rows: list[LogRecord], batch: int,
                  seconds: float) -> None:
    """Member k of a batch (its metrics rows: `rows`) as a run folder of its own,
    summary.json (or diverged.json) last."""
    from rnnlab.runs.records import Frames
    from rnnlab.train.runner import prediction_arrays

    exp = result.exps[k]
    out.mkdir(parents=True, exist_ok=True)  # a retried batch writes over what its first try left
    rf.write_text(out / "config.toml", to_toml(cfg))
    if k in result.state.diverged:
        epoch, reason = result.state.diverged[k]
        _write_diverged(out, cfg, epoch, reason, seconds)
        return
    final = result.final[k]
    write_metrics(out / "metrics.csv", rows)
    rf.write_npz(out / "params.npz", result.params[k])
    rf.write_npz(out / "predictions.npz", prediction_arrays(exp, Frames(), final))
    truth = np.asarray(exp.eval_y, dtype=np.float64).reshape(final.shape)
    results = {"final_loss": rows[-1].loss if rows else None, "final_epoch": rows[-1].epoch if rows else None,
               "test_rmse": float(np.sqrt(np.mean((final.astype(np.float64) - truth) ** 2))),
               "evaluated_on": "test windows" if exp.has_test else "the training sequence, from h = 0",
               "batched_with": batch}
    rf.write_json(out / "summary.json", build_summary("run", cfg, results, argv=[], train_seconds=seconds,
                                                      wall_seconds=seconds, engine_info=result.engine.info()))


def _write_diverged(out: Path, cfg: Config, epoch: int, reason: str, seconds: float) -> None:
    rf.write_json(out / DIVERGED, {"recipe": cfg.run.name, "diverged_epoch": epoch, "reason": reason,
                                   "train_seconds": round(seconds, 4)})
