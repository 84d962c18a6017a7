"""`rnnlab sweep RECIPE --grid KEY=V1,V2 ... --seeds N`: many configurations, each trial a
run folder, on local processes or a Dask cluster; the best setting named with its spread."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rnnlab.cli.common import add_recipe_arguments, int_at_least, load_config

_EPILOG = """examples:
  rnnlab sweep sine-recurrent --grid optim.lr=0.01,0.03,0.1 --grid model.hidden=8,32,128 --seeds 3
  rnnlab sweep primer-torch --grid optim.lr=0.05,0.1,0.2 --seeds 5 --epochs 5000
  rnnlab sweep sine-recurrent --search optuna --trials 60 --space space.toml --scheduler tcp://host:8786
  rnnlab sweep forecast:airline.csv --column Passengers --grid model.cell=elman,lstm,gru --grid forecast.window=24,36

Run the same command again to continue a stopped sweep: finished trials are kept, never
trained again. A search's space file: one table per key, e.g. ["optim.lr"] low = 0.001
high = 0.3 log = true, or ["model.hidden"] choices = [8, 16, 32] (docs/scale.md)."""


FORECAST_FLAGS = {"column": "the target column", "time_column": "the time column", "horizon": "steps ahead",
                  "id_column": "a panel's series column"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep", help="train many configurations of a recipe (grid or search) on local processes or Dask",
        description="Train a recipe once per combination of the --grid values and per seed (or per setting a "
                    "search proposes), each trial a run folder under the sweep's folder. Trials that differ only "
                    "in seed and learning rate are trained together as one batched program; the rest run on "
                    "local worker processes (all cores, one thread each) or on a Dask scheduler. Prints each "
                    "trial as it finishes, then the settings ranked by median test RMSE over their seeds.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_recipe_arguments(p)
    p.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2",
                   help="values of a recipe key to try (repeatable: every combination is trained)")
    p.add_argument("--seeds", type=int_at_least(1, "seeds"), default=1, metavar="N",
                   help="seeds per setting: S..S+N-1 (default 1)")
    p.add_argument("--search", choices=("optuna",), help="propose settings with Optuna instead of a grid")
    p.add_argument("--trials", type=int_at_least(1, "settings"), metavar="N",
                   help="with --search: how many settings to try in all (default 20)")
    p.add_argument("--space", metavar="FILE", help="with --search: the space file (one table per key)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. tcp://host:8786 "
                   "(default: local processes)")
    p.add_argument("--workers", type=int_at_least(1, "processes"), metavar="N",
                   help="local worker processes (default: one per core)")
    p.add_argument("--no-batch", action="store_true", help="train every trial on its own, even those one "
                   "batched program could train together")
    p.add_argument("--plots", action="store_true", help="draw each trial's loss.png, predictions.png and GIF")
    p.add_argument("--out", metavar="DIR", help="the sweep's folder (default: runs/sweep-<recipe>-<id of the "
                   "settings>, so the same command continues the same sweep)")
    p.add_argument("--quiet", action="store_true", help="print only the result")
    forecast = p.add_argument_group("a sweep of forecasts (recipe forecast:SERIES, a CSV/Parquet path or a bundled "
                                    "name; any other forecast key with --set forecast.KEY=VALUE)")
    for flag, what in FORECAST_FLAGS.items():
        forecast.add_argument(f"--{flag.replace('_', '-')}", metavar="VALUE", help=what)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from rnnlab.api import FORECAST_PREFIX, sweep

    forecast = {name: getattr(args, name) for name in FORECAST_FLAGS if getattr(args, name) is not None}
    if args.recipe.startswith(FORECAST_PREFIX):
        named = {"run.seed": args.seed, "train.epochs": args.epochs, "run.engine": args.engine,
                 "run.dtype": args.dtype, "run.device": args.device, "run.threads": args.threads}
        settings = {k: v for k, v in named.items() if v is not None} | dict(_pair(o) for o in args.overrides)
        cfg: Any = args.recipe
    elif forecast:
        from rnnlab.errors import UserError

        raise UserError(f"--{next(iter(forecast)).replace('_', '-')} is an option of forecasts; sweep forecasts "
                        f"with the recipe {FORECAST_PREFIX}SERIES")
    else:
        cfg, settings = load_config(args), None
    if args.search and (args.grid or not args.space):
        from rnnlab.errors import UserError

        raise UserError("--search optuna takes its values from --space FILE, not from --grid" if args.grid
                        else "--search optuna needs --space FILE (one table per key: see rnnlab sweep --help)")
    report = None if args.quiet else _report
    result = sweep(cfg, grid=args.grid, seeds=args.seeds, search=args.space if args.search else None,
                   trials=args.trials or 20, scheduler=args.scheduler, workers=args.workers,
                   batch=not args.no_batch, plots=args.plots, out=args.out, argv=args.argv, on_result=report,
                   set=settings, **forecast)
    print_summary(result.summary, result.folder)
    failed = result.summary["failed"]
    if failed:  # an error, not a result: the user must see it, and scripts must too
        print(f"rnnlab: {failed} trial(s) failed (the reasons are in {result.folder / 'sweep.csv'}); running the "
              "same command again retries them", file=sys.stderr)
        return 1
    return 0


def _pair(text: str) -> tuple[str, str]:
    key, _, value = text.partition("=")
    return key.strip(), value.strip()


def _report(result: dict[str, Any], done: int, total: int) -> None:
    what = {"complete": lambda r: (f"validation MAE {r['val_mae']:.4g}, test RMSE {r['test_rmse']:.4g}, "
                                   f"MASE {_number(r['mase'])}" if "val_mae" in r else f"test RMSE {r['test_rmse']:.4g}"),
            "diverged": lambda r: f"diverged at epoch {r.get('diverged_epoch')}",
            "failed": lambda r: f"failed: {r.get('reason')}"}
    detail = what.get(result["status"], lambda r: r["status"])(result)
    print(f"[{done}/{total}] {result['name']}: {detail}", file=sys.stderr, flush=True)


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def print_summary(summary: dict[str, Any], folder: Path) -> None:
    from rnnlab.sweeps.results import LABELS

    settings = summary["settings"]
    metric = LABELS[summary["metric"]]
    print(f"{summary['trials']} trials: {summary['complete']} complete, {summary['diverged']} diverged, "
          f"{summary['failed']} failed ({summary['executor']})")
    if settings:
        print(f"settings ranked by {metric} (the median over seeds; lower is better)")
        print(f"{'setting':<44} {'median':>10} {'min':>10} {'max':>10} {'seeds':>5}")
        for s in settings[:10]:
            label = ", ".join(f"{k}={v}" for k, v in s["setting"].items()) or "(the recipe)"
            if s["seeds"]:
                print(f"{label:<44} {s['median']:>10.4g} {s['min']:>10.4g} {s['max']:>10.4g} {s['seeds']:>5}")
            else:
                print(f"{label:<44} {'n/a':>10} {'':>10} {'':>10} {0:>5}")
        if len(settings) > 10:
            print(f"... {len(settings) - 10} more in sweep.csv")
    best = summary["best"]
    if best:
        label = ", ".join(f"{k}={v}" for k, v in best["setting"].items()) or "the recipe as it is"
        print(f"best: {label}: {metric} median {best['median']:.4g} over {best['seeds']} seed(s) "
              f"(min {best['min']:.4g}, max {best['max']:.4g})")
    print(f"sweep folder: {folder}")
