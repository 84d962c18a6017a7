"""`rnnlab forecast SERIES`: forecast a real series and compare with naive baselines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rnnlab.config import Config
    from rnnlab.forecast.fit import FittedModel

# flag attribute -> config key it sets
FLAG_KEYS = {
    "column": "forecast.column", "time_column": "forecast.time_column", "features": "forecast.features",
    "horizon": "forecast.horizon", "window": "forecast.window", "strategy": "forecast.strategy",
    "backtest": "forecast.backtest", "season": "forecast.season", "fill": "forecast.fill",
    "normalise": "forecast.normalise", "log_transform": "forecast.log_transform", "ensemble": "forecast.ensemble",
    "test_size": "forecast.test_size", "val_size": "forecast.val_size",
    "model": "model.cell", "layers": "model.layers", "hidden": "model.hidden",
    "optimizer": "optim.name", "lr": "optim.lr", "clip": "optim.clip", "epochs": "train.epochs",
    "engine": "run.engine", "seed": "run.seed", "dtype": "run.dtype",
}
_EPILOG = """examples:
  rnnlab datasets
  rnnlab forecast sunspots --horizon 10
  rnnlab forecast sales.csv --column units --time-column month --horizon 12 --window 24 --model lstm
  rnnlab forecast sales.csv --column units --horizon 12 --strategy recursive --backtest 5
  rnnlab forecast --config runs/sunspots-.../config.toml     (repeat a run)"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "forecast", help="forecast a real series (CSV, Parquet or bundled) against baselines",
        description="Split the series in time (train / validation / test), fit scalers and models on the "
                    "training part, choose settings and stop early on the validation part, then forecast "
                    "from rolling origins over the test part. Prints MAE, RMSE, sMAPE and MASE for the model "
                    "and the naive, seasonal naive and mean baselines, and writes a run folder. Settings "
                    "left out are chosen from the series and saved in config.toml.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("series", nargs="?", help="a CSV (comma/semicolon/tab) or Parquet file, or a bundled name")
    data = p.add_argument_group("data")
    data.add_argument("--column", metavar="NAME", help="the column to forecast")
    data.add_argument("--time-column", metavar="NAME", help="labels the plot's axis; a calendar step hints the season")
    data.add_argument("--features", metavar="A,B", help="other numeric columns fed as extra inputs (direct strategy)")
    data.add_argument("--fill", metavar="HOW", help="empty/NaN cells: interpolate, ffill or drop (default: refuse)")
    task = p.add_argument_group("task")
    task.add_argument("--horizon", metavar="H", help="steps ahead to forecast")
    task.add_argument("--window", metavar="W", help="past values the model sees")
    task.add_argument("--strategy", metavar="S", help="direct (H outputs at once, default) or recursive (one step fed back)")
    task.add_argument("--season", metavar="M", help="season length in steps (default: detected; 1: none)")
    task.add_argument("--backtest", metavar="N", help="rolling origins over the test part (default 20)")
    task.add_argument("--test-size", metavar="N", help="points in the test part (default: 20%%)")
    task.add_argument("--val-size", metavar="N", help="points in the validation part (default: 15%%)")
    model = p.add_argument_group("model")
    model.add_argument("--model", metavar="CELL", help="elman (default), lstm or gru")
    model.add_argument("--layers", metavar="L", help="stacked recurrent layers")
    model.add_argument("--hidden", metavar="H", help="hidden units per layer")
    model.add_argument("--normalise", metavar="HOW", help="auto (chosen on validation), standard, last, mean, revin, seasonal")
    model.add_argument("--log-transform", metavar="WHEN", help="forecast log values: auto (chosen on validation), on or off")
    model.add_argument("--ensemble", metavar="K", help="models from consecutive seeds, averaged")
    model.add_argument("--optimizer", metavar="NAME", help="adam (default), momentum or sgd")
    model.add_argument("--lr", metavar="X", help="learning rate")
    model.add_argument("--clip", metavar="X", help="max gradient norm (0: none)")
    model.add_argument("--epochs", metavar="N", help="most epochs (early stopping usually ends sooner)")
    run = p.add_argument_group("run")
    run.add_argument("--engine", metavar="NAME", help="numpy (default), or another installed engine")
    run.add_argument("--seed", metavar="S", help="seeds the first model; members use S+1, S+2, ...")
    run.add_argument("--dtype", metavar="TYPE", help="float32 (default) or float64")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="set any key, e.g. --set forecast.patience=10 (repeatable)")
    run.add_argument("--config", metavar="FILE", help="start from a config.toml (every key in it counts as given)")
    run.add_argument("--out", metavar="DIR", help="the run folder to create (default: runs/forecast-<name>-<UTC time>)")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    run.add_argument("--no-plots", action="store_true", help="skip forecast.png and training.gif")
    run.add_argument("--print-config", action="store_true", help="print the resolved settings as TOML and exit")
    run.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback on errors")
    p.set_defaults(handler=handle, flag_keys=FLAG_KEYS)


def load_settings(args: argparse.Namespace) -> tuple[Config, set[str]]:
    """The config (from --config or defaults) with flags and --set applied, and the keys given."""
    from rnnlab.config import Config, override

    cfg, explicit = Config(), set()
    if args.config:
        cfg, explicit = _read_config(Path(args.config))
    flags = [f"{key}={getattr(args, attr)}" for attr, key in FLAG_KEYS.items() if getattr(args, attr) is not None]
    if args.series is not None:
        flags.append(f"forecast.series={args.series}")
    cfg = override(override(cfg, flags), args.overrides)
    explicit |= {f.partition("=")[0] for f in flags} | {o.partition("=")[0].strip() for o in args.overrides}
    return cfg, explicit


def _read_config(path: Path) -> tuple[Config, set[str]]:
    import tomllib

    from rnnlab.config import load

    cfg = load(path)  # a UserError naming the file on any problem
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return cfg, {f"{section}.{key}" for section, table in raw.items() for key in table}


def handle(args: argparse.Namespace) -> int:
    from rnnlab.config import to_toml
    from rnnlab.forecast.job import SECTIONS, run_forecast
    from rnnlab.runs import folder as run_folder

    cfg, explicit = load_settings(args)
    if args.print_config:
        from rnnlab.forecast.problem import prepare_forecast

        print(to_toml(prepare_forecast(cfg, explicit).config, SECTIONS), end="")
        return 0
    name = Path(cfg.forecast.series).stem or "series"
    out = Path(args.out) if args.out else run_folder.default_run_dir(f"forecast-{name}")
    on_member = None if args.quiet else _progress
    summary = run_forecast(cfg, explicit, out, argv=args.argv, on_member=on_member, plots=not args.no_plots)
    if not args.quiet:
        print_report(summary)
        print(f"run folder: {out}")
    return 0


def _progress(member: FittedModel) -> None:
    print(f"  trained {member.candidate.label:<14} seed {member.seed}: best epoch {member.best_epoch} of "
          f"{member.epochs_run}, validation MAE {member.val_mae:.4g}", file=sys.stderr)


def print_report(summary: dict[str, Any]) -> None:
    """The metric table, and the choices that led to it."""
    split = summary["split"]
    season = summary["season"]
    print(f"{summary['series']} '{summary['column']}': {summary['points']} points; train {split['train'][0]}.."
          f"{split['train'][1]}, validation ..{split['validation'][1]}, test {split['test'][0]}..{split['test'][1]}")
    print(f"season {season if season > 1 else 'none'} ({'given' if summary['season_given'] else 'detected'}), "
          f"horizon {summary['horizon']}, window {summary['window']}, {summary['strategy']} strategy, "
          f"{len(summary['backtest_origins'])} rolling origins over the test part")
    tried = ", ".join(f"{k} {v:.4g}" for k, v in summary["validation_mae"].items())
    print(f"normalisation {summary['chosen']}, chosen on validation (MAE of 2 models' mean: {tried}); "
          f"ensemble of {len(summary['members'])}")
    print(f"{'':<16}{'MAE':>11}{'RMSE':>11}{'sMAPE %':>11}{'MASE':>9}")
    for name, m in summary["metrics"].items():
        cells = [_cell(m[k], w) for k, w in (("mae", 11), ("rmse", 11), ("smape", 11), ("mase", 9))]
        print(f"{name:<16}{''.join(cells)}")


def _cell(value: float | None, width: int) -> str:
    return f"{'n/a':>{width}}" if value is None or value != value else f"{value:>{width}.4g}"
