"""Forecast every bundled series with default settings over several seeds, beside the
baselines and, where statsmodels is installed, exponential smoothing and SARIMA; save the
results as JSON and write the tables of README.md and docs/forecasting.md from them.

    python -m benchmarks.forecast_seeds --plots docs/img   # 5 seeds: results JSON, the tables, the pictures
    python -m benchmarks.forecast_seeds --tables-only      # the tables again from the committed JSON
    python -m benchmarks.forecast_seeds --seeds 3 --set model.cell=gru --json /tmp/gru.json --no-write

The tables are the blocks forecast-readme (README.md), forecast-bundled and forecast-intervals
(docs/forecasting.md) of benchmarks.docs_numbers, which checks that the committed tables are
this script's formatting of the committed JSON; tests/forecast/test_forecast_tables.py also
reruns one series and checks the quality bar on the committed results.

Exponential smoothing (Holt-Winters, additive damped trend, additive season when there is
one) and SARIMA (the "airline" model (0,1,1)(0,1,1)m, for seasons up to 12) are refitted at
every origin on all values up to it: they see more data than the network, which learns
from the training part alone. They are context, not baselines the model is held to.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.doc_blocks import find_blocks, write_block
from rnnlab.config import Config, override
from rnnlab.data.bundled import DATASETS
from rnnlab.forecasting.job import run_forecast
from rnnlab.forecasting.metrics import accuracy

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "forecast_results.json"
BASELINE_NAMES = ("naive", "seasonal_naive", "mean")


def run_one(name: str, seed: int, sets: list[str], out: Path) -> tuple[dict[str, Any], float]:
    keys = [f"forecast.series={name}", f"run.seed={seed}", *sets]
    started = time.perf_counter()
    summary = run_forecast(override(Config(), keys), {k.partition("=")[0] for k in keys}, out, argv=[], plots=False)
    return summary, time.perf_counter() - started


def statistical(out: Path, summary: dict[str, Any]) -> dict[str, float | None]:
    """MASE of exponential smoothing and SARIMA at the run's own origins (None: not installed,
    or not fitted for this series)."""
    try:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing
        from statsmodels.tsa.statespace.sarimax import SARIMAX
    except ModuleNotFoundError:
        return {"ets": None, "sarima": None}
    with np.load(out / "forecast.npz") as z:
        values, origins, h = z["values"], z["origins"], z["model"].shape[1]
        actual = np.where(z["missing"], np.nan, values)
    m = summary["season"]
    target = actual[origins[:, None] + np.arange(1, h + 1)[None, :]]
    ets, sarima = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter of the statistical fits
        for o in origins:
            fit = ExponentialSmoothing(values[:o + 1], trend="add", damped_trend=True,
                                       seasonal="add" if m > 1 else None, seasonal_periods=m if m > 1 else None).fit()
            ets.append(fit.forecast(h))
            if 1 < m <= 12:
                model = SARIMAX(values[:o + 1], order=(0, 1, 1), seasonal_order=(0, 1, 1, m))
                sarima.append(model.fit(disp=False).forecast(h))
    scale = summary["mase_scale"]
    return {"ets": accuracy(target, np.array(ets), scale)["mase"],
            "sarima": accuracy(target, np.array(sarima), scale)["mase"] if sarima else None}


def measure(seeds: int, sets: list[str], plots: Path | None = None) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="rnnlab-forecast-seeds-"))
    series = {}
    for name, ds in DATASETS.items():
        runs = []
        for seed in range(seeds):
            out = work / f"{name}-{seed}"
            summary, seconds = run_one(name, seed, sets, out)
            m = summary["metrics"]
            runs.append({"seed": seed, "mase": m["model"]["mase"], "seconds": round(seconds, 1),
                         "chosen": summary["chosen"],
                         "coverage": {k: m["model"][f"coverage_{k}"] for k in summary["intervals"]["coverage"]}})
            if seed == 0:
                first = summary
                extra = statistical(out, summary) if not ds.id_column else {"ets": None, "sarima": None}
                if plots is not None:
                    from rnnlab.viz.forecast_plot import render_forecast

                    render_forecast(out, gif=False)
                    plots.mkdir(parents=True, exist_ok=True)
                    shutil.copy(out / "forecast.png", plots / f"forecast-{name}.png")
        m = first["metrics"]
        series[name] = {"points": first["points"], "series": len(first["panel"]) if first["panel"] else 1,
                        "season": first["season"], "horizon": first["horizon"], "window": first["window"],
                        "baselines": {b: m[b]["mase"] for b in BASELINE_NAMES},
                        "baseline_coverage": {b: {k: m[b][f"coverage_{k}"] for k in first["intervals"]["coverage"]}
                                              for b in BASELINE_NAMES},
                        **extra, "runs": runs}
    shutil.rmtree(work)
    return {"settings": "defaults" + (" + " + " ".join(sets) if sets else ""), "seeds": seeds, "series": series}


def _spread(values: list[float]) -> str:
    return (f"{statistics.mean(values):.3f} ± {statistics.pstdev(values):.3f} "
            f"({min(values):.3f}-{max(values):.3f})")


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def tables(results: dict[str, Any]) -> dict[str, str]:
    """The markdown of every marked table, from the results JSON."""
    n = results["seeds"]
    series = results["series"]
    readme = ["| series | model MASE, mean ± sd | naive | seasonal naive | mean |", "|---|---|---|---|---|"]
    bundled = ["| series | points | season | horizon | window | model MASE, mean ± sd (min-max) | naive | "
               "seasonal naive | mean | exp. smoothing | SARIMA | normalisation chosen | seconds per run |",
               "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    cover = ["| series | model 80 % | model 95 % | naive 80 % | naive 95 % | seasonal naive 95 % | mean 95 % |",
             "|---|---|---|---|---|---|---|"]
    for name, r in series.items():
        mase = [run["mase"] for run in r["runs"]]
        b = r["baselines"]
        what = f"{name} ({r['series']} series)" if r["series"] > 1 else name
        readme.append(f"| {what}, horizon {r['horizon']} | {statistics.mean(mase):.2f} ± {statistics.pstdev(mase):.2f} "
                      f"| {b['naive']:.2f} | {b['seasonal_naive']:.2f} | {b['mean']:.2f} |")
        chosen = "; ".join(sorted({run["chosen"] for run in r["runs"]}))
        seconds = statistics.mean(run["seconds"] for run in r["runs"])
        bundled.append(f"| {what} | {r['points']} | {r['season']} | {r['horizon']} | {r['window']} | {_spread(mase)} | "
                       f"{b['naive']:.3f} | {b['seasonal_naive']:.3f} | {b['mean']:.3f} | {_cell(r['ets'])} | "
                       f"{_cell(r['sarima'])} | {chosen} | {seconds:.1f} |")
        cov = [statistics.mean(run["coverage"][k] for run in r["runs"]) for k in ("80", "95")]
        bc = r["baseline_coverage"]
        cover.append(f"| {what} | {cov[0]:.0%} | {cov[1]:.0%} | {bc['naive']['80']:.0%} | {bc['naive']['95']:.0%} | "
                     f"{bc['seasonal_naive']['95']:.0%} | {bc['mean']['95']:.0%} |")
    note = f"({n} seeds, `python -m benchmarks.forecast_seeds`; {results['settings']})"
    return {"forecast-readme": "\n".join(readme) + "\n\n" + note + "\n",
            "forecast-bundled": "\n".join(bundled) + "\n\n" + note + "\n",
            "forecast-intervals": "\n".join(cover) + "\n\n" + note + "\n"}


def committed_tables() -> dict[str, str]:
    """The marked tables from the committed results JSON (benchmarks.docs_numbers' blocks)."""
    return tables(json.loads(RESULTS.read_text(encoding="utf-8")))


def write_tables(results: dict[str, Any]) -> None:
    found = find_blocks()
    for name, body in tables(results).items():
        write_block(found[name][0], name, body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"where the results go (default {RESULTS.name})")
    parser.add_argument("--tables-only", action="store_true", help="write the tables from the JSON, measure nothing")
    parser.add_argument("--no-write", action="store_true", help="print the tables instead of writing the docs")
    parser.add_argument("--plots", type=Path, help="save each series' forecast.png (seed 0) here, e.g. docs/img")
    args = parser.parse_args()
    if args.tables_only:
        results = json.loads(args.json.read_text(encoding="utf-8"))
    else:
        results = measure(args.seeds, args.sets, args.plots)
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    if args.no_write:
        print("\n\n".join(tables(results).values()))
    else:
        write_tables(results)


if __name__ == "__main__":
    main()
