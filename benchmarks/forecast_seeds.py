"""Forecast every bundled series with default settings over several seeds; print the
tables of docs/forecasting.md (markdown) and, with --plots DIR, save each series'
forecast.png there.

    python -m benchmarks.forecast_seeds                       # 5 seeds, the default cell
    python -m benchmarks.forecast_seeds --seeds 3 --set model.cell=lstm

Where statsmodels is installed, an exponential smoothing row (Holt-Winters, additive
damped trend, additive season when there is one) is added for context: refitted at
every origin on all values up to it, so it sees more data than the network, which is
trained on the training part only.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from rnnlab.config import Config, override
from rnnlab.data.bundled import DATASETS
from rnnlab.forecast.job import run_forecast
from rnnlab.forecast.metrics import METRICS, accuracy


def run_one(name: str, seed: int, sets: list[str], out: Path, plots: bool) -> tuple[dict, float]:
    keys = [f"forecast.series={name}", f"run.seed={seed}", *sets]
    started = time.perf_counter()
    summary = run_forecast(override(Config(), keys), {k.partition("=")[0] for k in keys}, out, argv=[],
                           plots=plots)
    return summary, time.perf_counter() - started


def ets_metrics(out: Path, summary: dict) -> dict[str, float] | None:
    """Holt-Winters at the run's own origins, scored like the model (None without statsmodels)."""
    try:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
    except ModuleNotFoundError:
        return None
    with np.load(out / "forecast.npz") as z:
        values, origins, model = z["values"], z["origins"], z["model"]
        actual = np.where(z["missing"], np.nan, values)
    h, season = model.shape[1], summary["season"]
    rows = []
    for o in origins:
        fit = ExponentialSmoothing(values[:o + 1], trend="add", damped_trend=True,
                                   seasonal="add" if season > 1 else None,
                                   seasonal_periods=season if season > 1 else None).fit()
        rows.append(fit.forecast(h))
    actual_h = actual[origins[:, None] + np.arange(1, h + 1)[None, :]]
    return accuracy(actual_h, np.array(rows), summary["mase_scale"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--plots", type=Path, help="copy each series' forecast.png (seed 0) here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rnnlab-forecast-seeds-"))
    spread_rows, detail = [], []
    for name in DATASETS:
        mase, seconds, chosen = [], [], []
        for seed in range(args.seeds):
            out = work / f"{name}-{seed}"
            summary, dt = run_one(name, seed, args.sets, out, plots=args.plots is not None and seed == 0)
            mase.append(summary["metrics"]["model"]["mase"])
            seconds.append(dt)
            chosen.append(summary["chosen"])
            if seed == 0:
                first, ets = summary, ets_metrics(out, summary)
                if args.plots is not None:
                    args.plots.mkdir(parents=True, exist_ok=True)
                    shutil.copy(out / "forecast.png", args.plots / f"forecast-{name}.png")
        m = first["metrics"]
        ets_cell = f" {ets['mase']:.3f} |" if ets else " |"
        spread_rows.append(
            f"| {name} | {first['points']} | {first['season']} | {first['horizon']} | {first['window']} | "
            f"{statistics.mean(mase):.3f} ± {statistics.pstdev(mase):.3f} ({min(mase):.3f}-{max(mase):.3f}) | "
            f"{m['naive']['mase']:.3f} | {m['seasonal_naive']['mase']:.3f} | {m['mean']['mase']:.3f} |{ets_cell} "
            f"{'; '.join(sorted(set(chosen)))} | {statistics.mean(seconds):.1f} |")
        rows = {"model (seed 0)": m["model"], "naive": m["naive"], "seasonal naive": m["seasonal_naive"],
                "mean": m["mean"]}
        if ets:
            rows["exp. smoothing (context)"] = ets
        detail.append((name, rows))
    print(f"settings: defaults{' + ' + ' '.join(args.sets) if args.sets else ''}; {args.seeds} seeds\n")
    print("| series | points | season | horizon | window | model MASE, mean ± sd (min-max) | naive | "
          "seasonal naive | mean | exp. smoothing | normalisation chosen | seconds per run |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(spread_rows))
    for name, rows in detail:
        print(f"\n{name}\n\n| forecast | MAE | RMSE | sMAPE % | MASE |\n|---|---|---|---|---|")
        for label, metrics in rows.items():
            print(f"| {label} | " + " | ".join(f"{metrics[k]:.4g}" for k in METRICS) + " |")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
