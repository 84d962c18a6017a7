"""The files of a forecast run folder, as text and arrays (rnnlab.forecasting.job writes them)."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import numpy as np

from rnnlab.forecasting.evaluate import Backtest, Future
from rnnlab.forecasting.fit import FittedModel
from rnnlab.forecasting.intervals import level_key
from rnnlab.forecasting.problem import ForecastProblem
from rnnlab.forecasting.select import Fitted

MAX_GIF_FRAMES = 30


def _writer() -> tuple[io.StringIO, Any]:
    buf = io.StringIO()
    return buf, csv.writer(buf, lineterminator="\n")


def _num(value: float) -> str:
    return "" if math.isnan(value) else repr(float(value))


def forecast_csv(problem: ForecastProblem, test: Backtest) -> str:
    """One row per origin and step: times, actual, forecasts, and the model's interval bounds."""
    buf, writer = _writer()
    panel = problem.count > 1
    levels = [level_key(v) for v in problem.levels]
    bounds = [f"model_{side}_{k}" for k in levels for side in ("lower", "upper")]
    writer.writerow([*(["series"] if panel else []), "origin", "step", "time", "actual", *test.forecasts, *bounds])
    b = test.bounds["model"]
    for i, o in enumerate(test.origins):
        s = int(test.sid[i])
        series, local = problem.panel[s], int(o - problem.starts[s])
        labels = series.time.labels
        for k in range(test.actual.shape[1]):
            cells = [_num(b[j, side, i, k]) for j in range(len(levels)) for side in (0, 1)]
            writer.writerow([*([series.key] if panel else []), labels[local], k + 1, labels[local + k + 1],
                             _num(test.actual[i, k]), *(_num(f[i, k]) for f in test.forecasts.values()), *cells])
    return buf.getvalue()


def future_csv(problem: ForecastProblem, fut: Future) -> str:
    """One row per series and step after its end: time, forecast, interval bounds per level."""
    buf, writer = _writer()
    panel = problem.count > 1
    levels = [level_key(v) for v in problem.levels]
    writer.writerow([*(["series"] if panel else []), "step", "time", "forecast",
                     *(f"{side}_{k}" for k in levels for side in ("lower", "upper"))])
    for s, axis in enumerate(fut.axes):
        for k, label in enumerate(axis.labels):
            cells = [_num(fut.bounds[j, side, s, k]) for j in range(len(levels)) for side in (0, 1)]
            writer.writerow([*([problem.panel[s].key] if panel else []), k + 1, label, _num(fut.forecast[s, k]),
                             *cells])
    return buf.getvalue()


def series_metrics_csv(problem: ForecastProblem, test: Backtest) -> str:
    """A panel's metrics per series and forecast."""
    buf, writer = _writer()
    names = list(test.per_series[0]["model"])
    writer.writerow(["series", "forecast", *names])
    for series, metrics in zip(problem.panel, test.per_series):
        for method, m in metrics.items():
            writer.writerow([series.key, method, *(_num(m[n]) for n in names)])
    return buf.getvalue()


def training_log_csv(fitted: Fitted, refits: list[FittedModel]) -> str:
    """Every member trained, the candidates compared on validation included; refits have no validation."""
    buf, writer = _writer()
    writer.writerow(["candidate", "seed", "epoch", "loss", "val_mae"])
    for member in fitted.trained:
        for epoch, loss, val in member.history:
            writer.writerow([member.candidate.label, member.seed, epoch, repr(loss), repr(val)])
    for member in refits:
        writer.writerow([f"{member.candidate.label} (refit on all data)", member.seed, member.epochs_run, "", ""])
    return buf.getvalue()


def plot_arrays(problem: ForecastProblem, fitted: Fitted, test: Backtest, fut: Future | None) -> dict[str, np.ndarray]:
    """The arrays rnnlab.viz.forecast_plot draws, for the first series (see its docstring)."""
    series, fc = problem.series, problem.config.forecast
    first = fitted.first
    snaps = first.snapshots[:: max(1, math.ceil(len(first.snapshots) / MAX_GIF_FRAMES))]
    mine = test.sid == 0
    n = len(series)
    where = f" (series '{series.key}' of {problem.count})" if problem.count > 1 else ""
    title = (f"{series.name}{where}: {series.column}, {fc.horizon}-step forecasts ({fc.strategy}, "
             f"{problem.config.model.cell}, {fitted.label})")
    forecasts = {name: f[mine] for name, f in test.forecasts.items()}
    out: dict[str, np.ndarray] = {
        "title": np.array(title), "x": series.time.x, "is_date": np.array(series.time.is_date),
        "values": problem.values[:n], "missing": series.missing,
        "train_end": np.array(problem.split.train_end), "val_end": np.array(problem.split.val_end),
        "origins": test.origins[mine], **forecasts,
        "mase": np.array([test.per_series[0][name]["mase"] for name in test.forecasts]),
        "season": np.array(problem.season),
        "epochs": np.array([e for e, _ in snaps], dtype=np.int64),
        "snapshots": np.stack([s for _, s in snaps]) if snaps else np.zeros((0, *forecasts["model"].shape)),
    }
    levels = problem.levels
    if levels:
        b = test.bounds["model"][:, :, mine]
        out.update({"interval_levels": np.array(levels), "interval_level": np.array(levels[-1]),
                    "model_lowers": b[:, 0], "model_uppers": b[:, 1],
                    "model_lower": b[-1, 0], "model_upper": b[-1, 1],
                    "coverage": np.array([test.per_series[0]["model"][f"coverage_{level_key(v)}"] for v in levels])})
    if fut is not None:
        out.update({"future_x": fut.axes[0].x, "future_labels": np.array(fut.axes[0].labels),
                    "future_model": fut.forecast[0]})
        if levels:
            out.update({"future_lowers": fut.bounds[:, 0, 0], "future_uppers": fut.bounds[:, 1, 0],
                        "future_lower": fut.bounds[-1, 0, 0], "future_upper": fut.bounds[-1, 1, 0]})
    return out


def forecaster_state(problem: ForecastProblem, test: Backtest, fut: Future) -> dict[str, Any]:
    """What `rnnlab predict RUN --series FILE` needs besides params.npz: the refitted members
    (candidate, seed, scaler, network shape), the series they know, and the intervals' widths."""
    members = [m for ms in fut.models.values() for m in ms]
    return {
        "format": 1,
        "horizon": problem.horizon, "strategy": problem.config.forecast.strategy, "season": problem.season,
        "series": [s.key for s in problem.panel], "features": problem.series.feature_names,
        "mase_scale": [float(v) for v in test.scales],
        "floor": problem.floor,  # forecasts and bounds are cut here (null: not cut)
        "interval": {"levels": problem.levels, "half_widths": fut.widths.tolist(),
                     "calibration_errors": fut.calibration},
        "members": [{"params": f"refit{k}", "candidate": m.candidate.label, "seed": m.seed,
                     "normaliser": m.normaliser.state(), "input_size": m.spec.input_size,
                     "output_size": m.spec.output_size} for k, m in enumerate(members)],
        "weights": [1.0 / (len(fut.models) * len(ms)) for ms in fut.models.values() for _ in ms],
    }
