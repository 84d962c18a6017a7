"""`rnnlab forecast` end to end: problem, models, rolling-origin backtest, the forecast beyond
the data, run folder.

Run folder (each file atomic, summary.json last; config.toml first, written the moment
the folder is claimed, so two jobs never share a folder):
  config.toml     the resolved settings (every auto value filled in; the normalisation
                  chosen on validation is in summary.json, and a rerun chooses it again)
  metrics.json    {"model": {...}, "naive": ..., "seasonal_naive": ..., "mean": ...}, each with
                  mae, rmse, smape, mase and, per interval level (80 for 0.8),
                  coverage_80 (the share of test actuals inside) and winkler_80 (interval score);
                  a panel's are over every series (MASE: the mean of the series')
  series_metrics.csv   a panel's: series, forecast, then the same names
  forecast.csv    one row per origin and step: [series,] origin, step, time, actual, the
                  model's and baselines' forecasts, model_lower_80, model_upper_80, ...
  future.csv      the forecast beyond the data: [series,] step, time, forecast, lower_80, upper_80, ...
  metrics.csv     training log: candidate, seed, epoch, train loss, validation MAE (refits last)
  params.npz      "member<k>/<name>": the backtest's ensemble members (k as in summary.json);
                  "refit<k>/<name>": the same members refitted on all data (forecaster.json)
  forecaster.json what `rnnlab predict RUN --series FILE` rebuilds the refitted forecaster from
  forecast.npz    what rnnlab.viz.forecast_plot draws (its docstring has the keys)
  forecast.png, training.gif
  summary.json    split, season, choices, metrics, intervals, the future, timings, versions
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from rnnlab.config import Config, to_toml
from rnnlab.forecasting import outputs
from rnnlab.forecasting.evaluate import Backtest, Future, backtest, forecast_beyond
from rnnlab.forecasting.fit import FittedModel
from rnnlab.forecasting.intervals import calibration_sizes, level_key
from rnnlab.forecasting.problem import ForecastProblem, prepare_forecast
from rnnlab.forecasting.season import CALENDAR_SEASONS
from rnnlab.forecasting.select import SELECTION_SEEDS, Fitted, fit_forecaster
from rnnlab.forecasting.splits import backtest_origins
from rnnlab.runs import folder as rf
from rnnlab.runs.summary import build_summary
from rnnlab.train.completion import complete

SECTIONS = ("run", "model", "init", "loss", "optim", "train", "forecast")


def run_forecast(cfg: Config, explicit: set[str], out: Path, *, argv: list[str],
                 on_member: Callable[[FittedModel], None] | None = None, plots: bool = True) -> dict[str, Any]:
    """Forecast into the run folder `out` (claimed at the start, must be new). Returns the summary."""
    started = time.perf_counter()
    problem = prepare_forecast(cfg, explicit)
    rf.claim_run_dir(out, "config.toml", to_toml(problem.config, SECTIONS))
    fc = problem.config.forecast
    shown = backtest_origins(problem.split, fc.horizon, fc.backtest)  # the plotted series' (the GIF's frames)
    fitted = fit_forecaster(problem, shown, on_member)
    test = backtest(problem, fitted)
    fut = forecast_beyond(problem, fitted, test, on_member) if fc.future else None
    train_seconds = time.perf_counter() - started
    refits = [m for ms in fut.models.values() for m in ms] if fut is not None else []
    rf.write_json(out / "metrics.json", _json_safe(test.metrics))
    if problem.count > 1:
        rf.write_text(out / "series_metrics.csv", outputs.series_metrics_csv(problem, test))
    rf.write_text(out / "forecast.csv", outputs.forecast_csv(problem, test))
    rf.write_text(out / "metrics.csv", outputs.training_log_csv(fitted, refits))
    members = [m for ms in fitted.members.values() for m in ms]
    params = {f"member{k}/{name}": value for k, m in enumerate(members) for name, value in m.params.items()}
    params.update({f"refit{k}/{name}": value for k, m in enumerate(refits) for name, value in m.params.items()})
    rf.write_npz(out / "params.npz", params)
    if fut is not None:
        rf.write_text(out / "future.csv", outputs.future_csv(problem, fut))
        rf.write_json(out / "forecaster.json", _json_safe(outputs.forecaster_state(problem, test, fut)))
    rf.write_npz(out / "forecast.npz", outputs.plot_arrays(problem, fitted, test, fut))

    def draw() -> None:
        from rnnlab.viz.forecast_plot import render_forecast

        render_forecast(out)

    return complete(out, lambda: _json_safe(summarise(problem, fitted, test, fut, argv, train_seconds,
                                                      time.perf_counter() - started)), draw if plots else None)


def summarise(problem: ForecastProblem, fitted: Fitted, test: Backtest, fut: Future | None, argv: list[str],
              train_seconds: float, wall_seconds: float) -> dict[str, Any]:
    cfg, series, split = problem.config, problem.series, problem.split
    labels = series.time.labels
    first = test.sid == 0
    levels = problem.levels
    results = {
        "series": series.name, "column": series.column, "points": split.n,
        "panel": [{"series": s.key, "points": len(s)} for s in problem.panel] if problem.count > 1 else None,
        "notes": list(problem.notes),
        "missing_filled": int(problem.missing.sum()), "fill": cfg.forecast.fill,
        "split": {"train": [labels[0], labels[split.train_end - 1], split.train_end],
                  "validation": [labels[split.train_end], labels[split.val_end - 1], split.val_end - split.train_end],
                  "test": [labels[split.val_end], labels[-1], split.n - split.val_end]},
        "season": problem.season, "season_given": "forecast.season" in problem.explicit,
        "calendar_season": CALENDAR_SEASONS.get(series.time.step or ""),  # the time column's usual season, if any
        "horizon": cfg.forecast.horizon, "window": cfg.forecast.window, "strategy": cfg.forecast.strategy,
        "backtest_origins": [labels[int(o)] for o in test.origins[first]],
        "chosen": fitted.label,
        "normalisation": [fitted.members[c][0].normaliser.state() for c in fitted.chosen],
        "validation_mae": fitted.selection,
        "selection_models": min(SELECTION_SEEDS, cfg.forecast.ensemble),  # models per candidate behind each score
        "members": [{"candidate": m.candidate.label, "seed": m.seed, "best_epoch": m.best_epoch,
                     "epochs_run": m.epochs_run, "validation_mae": m.val_mae}
                    for ms in fitted.members.values() for m in ms],
        "ensemble_validation_mae": fitted.validation_mae,
        "mase_scale": float(test.scales[0]),
        "metrics": test.metrics,
        "intervals": {"levels": levels, "method": "rolling-origin conformal (absolute errors per horizon step)",
                      "calibration_errors_at_first_test_origin": calibration_sizes(
                          test.calib_clock, float(test.origins[0] - problem.starts[1] + 1), problem.horizon)[:1]
                      if levels else [],
                      "coverage": {level_key(v): test.metrics["model"][f"coverage_{level_key(v)}"] for v in levels}},
        "future": _future_summary(problem, fut),
    }
    return build_summary("forecast", cfg, results, argv=argv, train_seconds=train_seconds, wall_seconds=wall_seconds)


def _future_summary(problem: ForecastProblem, fut: Future | None) -> dict[str, Any] | None:
    """The first series' forecast beyond its end (future.csv has every series')."""
    if fut is None:
        return None
    levels = problem.levels
    return {"after": problem.series.time.labels[-1], "times": fut.axes[0].labels,
            "forecast": fut.forecast[0].tolist(),
            "intervals": {level_key(v): [fut.bounds[i, 0, 0].tolist(), fut.bounds[i, 1, 0].tolist()]
                          for i, v in enumerate(levels)},
            "calibration_errors": fut.calibration,
            "refit_epochs": [m.epochs_run for ms in fut.models.values() for m in ms]}


def _json_safe(data: Any) -> Any:
    """NaN (an undefined metric) becomes null: JSON has no NaN; arrays become lists."""
    if isinstance(data, dict):
        return {k: _json_safe(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_json_safe(v) for v in data]
    if isinstance(data, np.ndarray):
        return _json_safe(data.tolist())
    if isinstance(data, (float, np.floating)):
        return float(data) if math.isfinite(data) else None
    if isinstance(data, np.integer):
        return int(data)
    return data
