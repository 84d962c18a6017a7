"""A finished forecast run applied to a history: `rnnlab predict RUN --series FILE`.

The run folder's refitted models (params.npz "refit<k>/...", forecaster.json) forecast the
`horizon` steps after the end of the given series, read with the run's own settings
(column, time, id and feature columns), with the run's conformal interval widths scaled to
each series. Without a file, the run's own series: the result is its future.csv again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.config import Config, load
from rnnlab.data.future_features import load_future_features
from rnnlab.data.series import Series, load_panel
from rnnlab.data.timeaxis import TimeAxis, future_axis
from rnnlab.engines import create_engine
from rnnlab.errors import UserError
from rnnlab.forecasting.fit import Forecaster, Windows
from rnnlab.forecasting.problem import reading_of
from rnnlab.forecasting.scaling import Normaliser
from rnnlab.forecasting.splits import Split, fill_missing
from rnnlab.runs.folder import NPZ_ERRORS, load_params
from rnnlab.runs.status import restart_forecast, run_status
from rnnlab.spec import ModelSpec
from rnnlab.train.experiment import training_spec


@dataclass(frozen=True)
class ForecastPrediction:
    run_dir: Path
    source: str  # the history forecast from
    panel: list[Series]
    axes: list[TimeAxis]  # each series' future steps
    forecast: np.ndarray  # (S, H)
    levels: list[float]
    bounds: np.ndarray  # (L, 2, S, H)
    saved_difference: float | None  # max |forecast - the run's own future.csv|, for the run's own series


def is_forecast_run(run_dir: Path) -> bool:
    return run_dir.is_dir() and run_status(run_dir).kind == "forecast"


def predict_forecast(run_dir: Path, series: str | None = None, future_features: str | None = None) -> ForecastPrediction:
    """Forecast after the end of `series` (default: the run's own) with the run's refitted ensemble."""
    run_dir = Path(run_dir)
    status = run_status(run_dir)
    if status.state != "complete":
        raise UserError(f"{run_dir}: the forecast did not finish (no summary.json); {restart_forecast(run_dir)}")
    if not (run_dir / "forecaster.json").is_file():
        raise UserError(f"{run_dir}: no forecaster.json: the run made no forecast beyond its data (forecast.future "
                        "was off); run the forecast again without --no-future")
    cfg = load(run_dir / "config.toml")
    state = _read_json(run_dir / "forecaster.json")
    params = load_params(run_dir / "params.npz")
    if series:
        cfg = replace(cfg, forecast=replace(cfg.forecast, series=series))
    if future_features:
        cfg = replace(cfg, forecast=replace(cfg.forecast, future_features=future_features))
    reading = reading_of(cfg)
    panel, _ = load_panel(cfg.forecast.series, reading)
    known = {key: i for i, key in enumerate(state["series"])}
    unknown = [s.key for s in panel if s.key not in known]
    if unknown:
        raise UserError(f"{cfg.forecast.series}: series {', '.join(repr(k) for k in unknown[:3])} not in the run's "
                        f"panel ({', '.join(repr(k) for k in state['series'][:5])}); a trained panel forecasts its own series")
    sid = np.array([known[s.key] for s in panel])
    h = int(state["horizon"])
    axes = [future_axis(s.time, h) for s in panel]
    if reading.features and not cfg.forecast.future_features:
        raise UserError(f"forecast.features: a forecast needs the future values of {', '.join(reading.features)}; "
                        "give them with --future-features FILE")
    feats = load_future_features(cfg.forecast.future_features, reading, panel, axes) if reading.features else None
    forecast = np.zeros((len(panel), h))
    for member, weight in zip(state["members"], state["weights"]):
        forecast += weight * _member_forecast(cfg, state, member, params, panel, sid, feats)
    levels = [float(v) for v in state["interval"]["levels"]]
    half = np.asarray(state["interval"]["half_widths"], dtype=np.float64).reshape(len(levels), h)
    scale = np.asarray(state["mase_scale"], dtype=np.float64)[sid]
    unit = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    widths = half[:, None, :] * unit[None, :, None]
    bounds = np.stack([forecast[None] - widths, forecast[None] + widths], axis=1)
    floor = state.get("floor")  # the run's: a series that never went below 0 in training
    if floor is not None:
        forecast, bounds = np.maximum(forecast, floor), np.maximum(bounds, floor)
    own = None if series else _saved_difference(run_dir, forecast)
    return ForecastPrediction(run_dir, cfg.forecast.series, panel, axes, forecast, levels, bounds, own)


def _member_forecast(cfg: Config, state: dict[str, Any], member: dict[str, Any], params: dict[str, np.ndarray],
                     panel: list[Series], sid: np.ndarray, feats: np.ndarray | None) -> np.ndarray:
    norm = Normaliser.from_state(member["normaliser"])
    m = cfg.model
    spec = ModelSpec(m.cell, m.activation, int(member["input_size"]), m.hidden, int(member["output_size"]), m.bias,
                     m.readout_bias, "last", m.layers)
    prefix = member["params"] + "/"
    own = {k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)}
    engine = create_engine(cfg.run.engine, spec, training_spec(cfg), cfg.run.dtype)
    try:
        engine.set_params(own)
    except (ValueError, KeyError) as err:
        raise UserError(f"params.npz does not fit forecaster.json ({err}); the run folder is damaged") from err
    ctx, w = norm.context, norm.window
    filled = [_filled(s, cfg.forecast.fill) for s in panel]
    for s, v in zip(panel, filled):
        if len(v) < ctx:
            raise UserError(f"{s.label}: {len(v)} values; the trained forecaster reads the last {ctx}")
    hist = np.stack([v[-ctx:] for v in filled])
    past = np.stack([s.features[-w:] for s in panel])
    f = np.concatenate([past, feats], axis=1) if feats is not None else np.zeros((len(panel), w, 0))
    count = np.array([len(v) for v in filled])
    rows = Windows(np.zeros(len(panel), dtype=np.int64), sid, hist, f, np.zeros((len(panel), 0)),
                   np.array([float(np.mean(v)) for v in filled]), count)
    return Forecaster(engine, norm, str(state["strategy"]), int(state["horizon"]))(rows)


def _filled(series: Series, fill: str) -> np.ndarray:
    """The series' values, gaps filled the run's way."""
    return fill_missing(series.values, Split(len(series), len(series), len(series)), fill if fill != "drop" else "ffill")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise UserError(f"{path}: cannot read it ({err}); the run folder is damaged") from None


def _saved_difference(run_dir: Path, forecast: np.ndarray) -> float | None:
    """How far the forecast is from the run's own (forecast.npz's future_model, the first series)."""
    try:
        with np.load(run_dir / "forecast.npz", allow_pickle=False) as z:
            saved = np.asarray(z["future_model"], dtype=np.float64)
    except (*NPZ_ERRORS, KeyError):
        return None
    return float(np.abs(saved - forecast[0]).max()) if saved.shape == forecast[0].shape else None
