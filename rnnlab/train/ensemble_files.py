"""The run folder of an ensemble. Files (summary.json last, so its presence means complete;
config.toml after the results, so an unfinished ensemble is never taken for a resumable run):

  members.csv      member, seed, [the swept key], final_loss, test_rmse, diverged_epoch
  metrics.csv      member, epoch, step, loss, test_loss at every log point of every member
                   (written while training: rnnlab.runs.metrics_log)
  params.npz       final parameters, each with a leading member axis (M, ...); when a sweep
                   changes their shapes, one entry per member instead: "<name>@<member>"
  predictions.npz  "final": predictions after training (M, ...), "truth" the targets
                   (M, ...); per-member entries "final@<member>" when shapes differ
  ensemble.png     every member's loss curve, and the spread of the final test error
  config.toml      the base recipe (member i: run.seed + i, and its swept value)
  summary.json     ensemble size, seeds, sweep, engine, spread statistics, timings
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.config import Config, to_toml
from rnnlab.runs import folder as rf
from rnnlab.runs.summary import build_summary
from rnnlab.train.completion import complete
from rnnlab.train.ensemble import EnsembleResult


def stacked(arrays: list[np.ndarray], name: str) -> dict[str, np.ndarray]:
    """One array with a leading member axis, or one entry per member when shapes differ."""
    if all(a.shape == arrays[0].shape for a in arrays):
        return {name: np.stack(arrays)}
    return {f"{name}@{i}": a for i, a in enumerate(arrays)}


def test_rmse(result: EnsembleResult) -> list[float]:
    out = []
    for exp, final in zip(result.exps, result.final):
        truth = np.asarray(exp.eval_y, dtype=np.float64).reshape(final.shape)
        with np.errstate(all="ignore"):
            out.append(float(np.sqrt(np.mean((final.astype(np.float64) - truth) ** 2))))
    return out


def write(out: Path, cfg: Config, result: EnsembleResult, sweep: tuple[str, list[str]] | None, argv: list[str],
          plots: bool, started: float) -> dict[str, Any]:
    """Every file of the ensemble's folder, summary.json last (`started`: the job's start)."""
    rmse = test_rmse(result)
    rf.write_text(out / "members.csv", _members_csv(result, rmse, sweep[0] if sweep else None))
    params: dict[str, np.ndarray] = {}
    for name in result.params[0]:
        params.update(stacked([p[name] for p in result.params], name))
    rf.write_npz(out / "params.npz", params)
    truth = [np.asarray(e.eval_y, dtype=np.float64).reshape(f.shape) for e, f in zip(result.exps, result.final)]
    rf.write_npz(out / "predictions.npz", {**stacked([f.astype(np.float64) for f in result.final], "final"),
                                           **stacked(truth, "truth")})
    rf.write_text(out / "config.toml", to_toml(cfg))

    def draw() -> None:
        from rnnlab.viz.ensemble_plot import render_ensemble

        render_ensemble(out)

    return complete(out, lambda: _summary(cfg, result, rmse, sweep, argv, time.perf_counter() - started),
                    draw if plots else None)


def _members_csv(result: EnsembleResult, rmse: list[float], key: str | None) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["member", "seed", *([key] if key else []), "final_loss", "test_rmse", "diverged_epoch"])
    diverged = result.state.diverged
    for member, err in zip(result.members, rmse):
        last, bad = result.state.last_logged.get(member.index), diverged.get(member.index)
        final = repr(last) if last is not None and bad is None else ""
        writer.writerow([member.index, member.seed, *([member.value] if key else []), final,
                         "" if bad else repr(err), "" if bad is None else bad[0]])
    return buf.getvalue()


def _spread(values: list[float]) -> dict[str, float] | None:
    v = np.array([x for x in values if np.isfinite(x)])
    if not v.size:
        return None
    return {"median": float(np.median(v)), "mean": float(v.mean()), "std": float(v.std()),
            "min": float(v.min()), "max": float(v.max())}


def _summary(cfg: Config, result: EnsembleResult, rmse: list[float], sweep: tuple[str, list[str]] | None,
             argv: list[str], wall_seconds: float) -> dict[str, Any]:
    ok = [m.index not in result.state.diverged for m in result.members]
    first = result.exps[0]
    last = result.state.last_logged
    finals = [last[m.index] for m, good in zip(result.members, ok) if good and m.index in last]
    results = {
        "ensemble": {"members": len(result.members),
                     "seeds": {"first": min(m.seed for m in result.members), "last": max(m.seed for m in result.members)},
                     "sweep": {"key": sweep[0], "values": sweep[1]} if sweep else None,
                     "vectorised": result.engine.vectorised},
        "final_loss": _spread(finals),
        "test_rmse": _spread([err for err, good in zip(rmse, ok) if good]),
        "evaluated_on": "test windows" if first.has_test else "the training sequence, from h = 0",
        "diverged_members": [m.index for m, good in zip(result.members, ok) if not good],
    }
    return build_summary("ensemble", cfg, results, argv=argv, train_seconds=result.state.train_seconds,
                         wall_seconds=wall_seconds, engine_info=result.engine.info())
