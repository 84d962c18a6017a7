"""The backtest and the forecast beyond the data, with their conformal intervals.

Forecasts (the model's and the baselines') are made at every origin of the validation and
test parts whose horizon lies inside its series: the test part's rolling origins are
scored (point metrics, interval coverage and Winkler score), and every origin's errors
calibrate intervals (rnnlab.forecasting.intervals), the backtest's from the errors already
observed at each origin, the future's from all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from rnnlab.data.timeaxis import TimeAxis
from rnnlab.forecasting.baselines import BASELINES, all_baselines
from rnnlab.forecasting.fit import Candidate, FittedModel
from rnnlab.forecasting.intervals import coverage, level_key, rolling_widths, scores_at, winkler
from rnnlab.forecasting.metrics import accuracy, mase_scale
from rnnlab.forecasting.problem import ForecastProblem
from rnnlab.forecasting.select import Fitted, ensemble_forecast, future_forecast, refit_forecaster
from rnnlab.forecasting.splits import backtest_origins, future, origin_range

Bounds = np.ndarray  # (L, 2, N, H): per level, lower and upper



@dataclass(frozen=True)
class Backtest:
    """Rolling-origin forecasts over each series' test part, and what they scored."""

    origins: np.ndarray  # (N,) global origins, series after series
    sid: np.ndarray  # (N,)
    actual: np.ndarray  # (N, H), NaN where the value was filled
    forecasts: dict[str, np.ndarray]  # model and baselines, (N, H)
    bounds: dict[str, Bounds]  # the same, (L, 2, N, H)
    metrics: dict[str, dict[str, float]]  # every series together
    per_series: list[dict[str, dict[str, float]]]
    scales: np.ndarray  # (S,) MASE scale of each series
    calib_clock: np.ndarray  # (M,) steps before the series' last origin
    calib_scores: dict[str, np.ndarray]  # (M, H) scaled absolute errors at every calibration origin


@dataclass(frozen=True)
class Future:
    """The forecast after each series' end, by models refitted on the whole series."""

    axes: list[TimeAxis]  # each series' future steps
    forecast: np.ndarray  # (S, H)
    bounds: np.ndarray  # (L, 2, S, H)
    widths: np.ndarray  # (L, H) conformal half-widths in scaled units
    calibration: int  # errors behind each step's interval (the first step's)
    models: dict[Candidate, list[FittedModel]]


def calibration_origins(problem: ForecastProblem) -> np.ndarray:
    """Every origin from the validation part on whose whole horizon lies in its series."""
    h = problem.horizon
    return problem.origins([origin_range(max(sp.train_end - 1, problem.context - 1), sp.n - h) for sp in problem.splits])


def backtest(problem: ForecastProblem, fitted: Fitted) -> Backtest:
    """Forecasts from every validation and test origin by the models trained on the training part."""
    fc, levels = problem.config.forecast, problem.levels
    calib = calibration_origins(problem)
    origins = problem.origins([backtest_origins(sp, fc.horizon, fc.backtest) for sp in problem.splits])
    sid_c = problem.series_of(calib)
    ends = problem.starts[1:] - 1
    clock = calib - ends[sid_c]
    scales = np.array([mase_scale(problem.values[a:a + sp.train_end], problem.season)
                       for a, sp in zip(problem.starts, problem.splits)])
    unit = np.where(np.isfinite(scales) & (scales > 0), scales, 1.0)
    actual_c = future(np.where(problem.missing, np.nan, problem.values), calib, fc.horizon)
    every = {"model": ensemble_forecast(problem, fitted.members, calib),
             **all_baselines(problem.values, calib, fc.horizon, problem.season, problem.starts[sid_c])}
    scores = {name: scores_at(actual_c, f, unit[sid_c]) for name, f in every.items()}
    pick = np.searchsorted(calib, origins)  # backtest origins are calibration origins
    sid = sid_c[pick]
    query = clock[pick]
    uniq, inverse = np.unique(query, return_inverse=True)
    forecasts = {name: f[pick] for name, f in every.items()}
    bounds = {}
    for name, f in forecasts.items():
        widths = rolling_widths(scores[name], clock, uniq, levels)[:, inverse] * unit[sid][None, :, None]
        bounds[name] = np.stack([f[None] - widths, f[None] + widths], axis=1)
    forecasts = {name: problem.floored(f) for name, f in forecasts.items()}  # after calibrating: the errors as made
    bounds = {name: problem.floored(b) for name, b in bounds.items()}
    actual = actual_c[pick]
    per_series = [_scored(actual[sid == s], {n: f[sid == s] for n, f in forecasts.items()},
                          {n: b[:, :, sid == s] for n, b in bounds.items()}, scales[s], levels)
                  for s in range(problem.count)]
    metrics = _scored(actual, forecasts, bounds, scales[0], levels)
    if problem.count > 1:  # MASE of a panel: the mean of its series' (each in its own scale)
        for name in metrics:
            metrics[name]["mase"] = float(np.nanmean([p[name]["mase"] for p in per_series]))
    return Backtest(origins, sid, actual, forecasts, bounds, metrics, per_series, scales, clock, scores)


def _scored(actual: np.ndarray, forecasts: dict[str, np.ndarray], bounds: dict[str, Bounds], scale: float,
            levels: list[float]) -> dict[str, dict[str, float]]:
    out = {}
    for name, f in forecasts.items():
        m = accuracy(actual, f, scale)
        for i, level in enumerate(levels):
            lo, hi = bounds[name][i]
            m[f"coverage_{level_key(level)}"] = coverage(actual, lo, hi)
            m[f"winkler_{level_key(level)}"] = winkler(actual, lo, hi, level)
        out[name] = m
    return out


def forecast_beyond(problem: ForecastProblem, fitted: Fitted, test: Backtest,
                    on_member: Callable[[FittedModel], None] | None = None) -> Future:
    """Refit the chosen members on the whole series; forecast `horizon` steps after each end,
    with intervals from every calibration error observed."""
    models = refit_forecaster(problem, fitted, "all", on_member)
    forecast = future_forecast(problem, models)
    levels = problem.levels
    widths = rolling_widths(test.calib_scores["model"], test.calib_clock, np.zeros(1), levels)[:, 0]  # (L, H)
    unit = np.where(np.isfinite(test.scales) & (test.scales > 0), test.scales, 1.0)
    half = widths[:, None, :] * unit[None, :, None]  # (L, S, H)
    bounds = problem.floored(np.stack([forecast[None] - half, forecast[None] + half], axis=1))
    return Future(problem.future_axes(), problem.floored(forecast), bounds, widths,
                  int(np.sum(test.calib_clock + 1 <= 0)), models)


__all__ = ["BASELINES", "Backtest", "Future", "backtest", "calibration_origins", "forecast_beyond"]
