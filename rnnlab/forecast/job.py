"""`rnnlab forecast` end to end: problem, models, rolling-origin backtest, run folder.

Run folder (each file atomic, summary.json last):
  config.toml     the resolved settings (every auto value filled in; the normalisation
                  chosen on validation is in summary.json, and a rerun chooses it again)
  metrics.json    {"model": {mae, rmse, smape, mase}, "naive": ..., "seasonal_naive": ..., "mean": ...}
  forecast.csv    one row per origin and step: times, actual, model and baseline forecasts
  metrics.csv     training log: candidate, seed, epoch, train loss, validation MAE
  params.npz      every ensemble member's parameters, "member<k>/<name>" (k as in summary.json)
  forecast.npz    what rnnlab.viz.forecast_plot draws (its docstring has the keys)
  forecast.png, training.gif
  summary.json    split, season, choices, metrics, timings, versions
"""

from __future__ import annotations

import csv
import io
import math
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from rnnlab.config import Config, to_toml
from rnnlab.forecast.baselines import BASELINES, all_baselines
from rnnlab.forecast.fit import FittedModel
from rnnlab.forecast.metrics import accuracy, mase_scale
from rnnlab.forecast.problem import ForecastProblem, prepare_forecast
from rnnlab.forecast.select import Fitted, ensemble_forecast, fit_forecaster
from rnnlab.forecast.splits import backtest_origins, future
from rnnlab.runs import folder as rf
from rnnlab.runs.summary import build_summary
from rnnlab.train.completion import complete

SECTIONS = ("run", "model", "init", "loss", "optim", "train", "forecast")
MAX_GIF_FRAMES = 30


def run_forecast(cfg: Config, explicit: set[str], out: Path, *, argv: list[str],
                 on_member: Callable[[FittedModel], None] | None = None, plots: bool = True) -> dict[str, Any]:
    """Forecast into the run folder `out` (created, must be new). Returns the summary."""
    started = time.perf_counter()
    problem = prepare_forecast(cfg, explicit)
    rf.create_run_dir(out)
    fc = problem.config.forecast
    origins = backtest_origins(problem.split, fc.horizon, fc.backtest)
    fitted = fit_forecaster(problem, origins, on_member)
    train_seconds = time.perf_counter() - started
    forecasts = {"model": ensemble_forecast(problem, fitted, origins),
                 **all_baselines(problem.values, origins, fc.horizon, problem.season)}
    actual = future(np.where(problem.series.missing, np.nan, problem.values), origins, fc.horizon)
    scale = mase_scale(problem.values[:problem.split.train_end], problem.season)
    metrics = {name: accuracy(actual, f, scale) for name, f in forecasts.items()}
    rf.write_text(out / "config.toml", to_toml(problem.config, SECTIONS))
    rf.write_json(out / "metrics.json", _json_safe(metrics))
    rf.write_text(out / "forecast.csv", forecast_csv(problem, origins, actual, forecasts))
    rf.write_text(out / "metrics.csv", training_log_csv(fitted))
    members = [m for ms in fitted.members.values() for m in ms]
    rf.write_npz(out / "params.npz", {f"member{k}/{name}": value for k, m in enumerate(members)
                                      for name, value in m.params.items()})
    rf.write_npz(out / "forecast.npz", plot_arrays(problem, fitted, origins, forecasts, metrics))

    def draw() -> None:
        from rnnlab.viz.forecast_plot import render_forecast

        render_forecast(out)

    return complete(out, lambda: _json_safe(summarise(problem, fitted, origins, metrics, scale, argv, train_seconds,
                                                      time.perf_counter() - started)), draw if plots else None)


def forecast_csv(problem: ForecastProblem, origins: np.ndarray, actual: np.ndarray,
                 forecasts: dict[str, np.ndarray]) -> str:
    labels = problem.series.time.labels
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["origin", "step", "time", "actual", *forecasts])
    for i, o in enumerate(origins):
        for k in range(actual.shape[1]):
            writer.writerow([labels[o], k + 1, labels[o + k + 1], _num(actual[i, k]),
                             *(_num(f[i, k]) for f in forecasts.values())])
    return buf.getvalue()


def training_log_csv(fitted: Fitted) -> str:
    """Every member trained, the candidates compared on validation included."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["candidate", "seed", "epoch", "loss", "val_mae"])
    for member in fitted.trained:
        for epoch, loss, val in member.history:
            writer.writerow([member.candidate.label, member.seed, epoch, repr(loss), repr(val)])
    return buf.getvalue()


def plot_arrays(problem: ForecastProblem, fitted: Fitted, origins: np.ndarray, forecasts: dict[str, np.ndarray],
                metrics: dict[str, dict[str, float]]) -> dict[str, np.ndarray]:
    """The arrays rnnlab.viz.forecast_plot draws (see its docstring for the contract)."""
    series = problem.series
    first = fitted.first
    snaps = first.snapshots[:: max(1, math.ceil(len(first.snapshots) / MAX_GIF_FRAMES))]
    fc = problem.config.forecast
    title = (f"{series.name}: {series.column}, {fc.horizon}-step forecasts ({fc.strategy}, "
             f"{problem.config.model.cell}, {fitted.label})")
    return {
        "title": np.array(title), "x": series.time.x, "is_date": np.array(series.time.is_date),
        "values": problem.values, "missing": series.missing,
        "train_end": np.array(problem.split.train_end), "val_end": np.array(problem.split.val_end),
        "origins": origins, **forecasts,
        "mase": np.array([metrics[name]["mase"] for name in ("model", *BASELINES)]),
        "season": np.array(problem.season),
        "epochs": np.array([e for e, _ in snaps], dtype=np.int64),
        "snapshots": np.stack([s for _, s in snaps]) if snaps else np.zeros((0, *forecasts["model"].shape)),
    }


def summarise(problem: ForecastProblem, fitted: Fitted, origins: np.ndarray, metrics: dict[str, dict[str, float]],
              scale: float, argv: list[str], train_seconds: float, wall_seconds: float) -> dict[str, Any]:
    cfg, series, split = problem.config, problem.series, problem.split
    labels = series.time.labels
    results = {
        "series": series.name, "column": series.column, "points": split.n,
        "missing_filled": int(series.missing.sum()), "fill": cfg.forecast.fill,
        "split": {"train": [labels[0], labels[split.train_end - 1], split.train_end],
                  "validation": [labels[split.train_end], labels[split.val_end - 1], split.val_end - split.train_end],
                  "test": [labels[split.val_end], labels[-1], split.n - split.val_end]},
        "season": problem.season, "season_given": "forecast.season" in problem.explicit,
        "horizon": cfg.forecast.horizon, "window": cfg.forecast.window, "strategy": cfg.forecast.strategy,
        "backtest_origins": [labels[o] for o in origins],
        "chosen": fitted.label,
        "normalisation": [fitted.members[c][0].normaliser.state() for c in fitted.chosen],
        "validation_mae": fitted.selection,
        "members": [{"candidate": m.candidate.label, "seed": m.seed, "best_epoch": m.best_epoch,
                     "epochs_run": m.epochs_run, "validation_mae": m.val_mae}
                    for ms in fitted.members.values() for m in ms],
        "ensemble_validation_mae": fitted.validation_mae,
        "mase_scale": scale,
        "metrics": metrics,
    }
    return build_summary("forecast", cfg, results, argv=argv, train_seconds=train_seconds, wall_seconds=wall_seconds)


def _num(value: float) -> str:
    return "" if math.isnan(value) else repr(float(value))


def _json_safe(data: Any) -> Any:
    """NaN (an undefined metric) becomes null: JSON has no NaN."""
    if isinstance(data, dict):
        return {k: _json_safe(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_json_safe(v) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data

