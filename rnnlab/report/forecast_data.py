"""The data of a forecast's report, from forecast.npz (rnnlab.viz.forecast_plot documents
its keys), metrics.json and the training log metrics.csv.

Optional keys of forecast.npz, drawn when present:
  model_lower, model_upper  (N, H)  a prediction interval around each backtest forecast
  future_x                  (F,)    positions of the steps after the series' end
  future_model              (F,)    the forecast beyond the data
  future_lower, future_upper (F,)   its interval
  interval_level            0-d float, e.g. 0.9 (the interval's nominal coverage)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.report.reading import read_csv_rows, to_float
from rnnlab.report.sample import keep_extremes, plain
from rnnlab.runs.folder import read_npz

BASELINES = ("naive", "seasonal_naive", "mean")
OPTIONAL = ("model_lower", "model_upper", "future_x", "future_model", "future_lower", "future_upper")
MS_PER_DAY = 86_400_000  # matplotlib date units are days since 1970-01-01


def forecast(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / "forecast.npz"
    if not path.is_file():
        return None
    z = read_npz(path)
    is_date = bool(z.get("is_date", np.array(False)))
    scale = MS_PER_DAY if is_date else 1.0
    x = z["x"].astype(np.float64)
    origins = z["origins"].astype(np.int64)
    h = z["model"].shape[1]
    steps = origins[:, None] + np.arange(1, h + 1)[None, :]
    values = z["values"].astype(np.float64)
    actual = np.where(z.get("missing", np.zeros(len(values), bool))[steps], np.nan, values[steps])
    season = int(z.get("season", np.array(1)))
    # without a season, seasonal naive is naive: drawn once (as rnnlab.viz.forecast_plot does)
    names = ["model", *[b for b in BASELINES if b in z and not (b == "seasonal_naive" and season <= 1)]]
    out: dict[str, Any] = {
        "title": str(z["title"]), "is_date": is_date, "x": plain(x * scale), "values": plain(values),
        "train_end": int(z["train_end"]), "val_end": int(z["val_end"]), "origins": plain(origins),
        "season": season,
        "forecasts": {name: plain(z[name]) for name in names},
        "error_by_step": {name: plain(np.nanmean(np.abs(z[name] - actual), axis=0)) for name in names},
        "step_x": plain(x[steps] * scale),
    }
    for key in OPTIONAL:
        if key in z:
            out[key] = plain(z[key] * (scale if key == "future_x" else 1.0))
    if "interval_level" in z:
        out["interval_level"] = plain(z["interval_level"])
    return out


def metrics(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / "metrics.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def training_curves(run_dir: Path) -> list[dict[str, Any]] | None:
    """Validation MAE against epoch for every model trained (candidate and seed)."""
    path = run_dir / "metrics.csv"
    if not path.is_file():
        return None
    series: dict[str, list[tuple[float, float]]] = {}
    for r in read_csv_rows(path):
        if "val_mae" not in r:
            return None
        series.setdefault(f"{r.get('candidate', '')} seed {r.get('seed', '')}".strip(), []).append(
            (to_float(r.get("epoch")), to_float(r.get("val_mae"))))
    out = []
    for name, points in series.items():
        x, y = keep_extremes(np.array([p[0] for p in points]), np.array([p[1] for p in points]), 600)
        out.append({"name": name, "x": plain(x), "y": plain(y)})
    return out
