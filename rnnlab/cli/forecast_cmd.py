"""`rnnlab forecast SERIES`: forecast a real series and compare with naive baselines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rnnlab.config import Config
    from rnnlab.forecasting.fit import FittedModel

# flag attribute -> config key it sets
FLAG_KEYS = {
    "column": "forecast.column", "time_column": "forecast.time_column", "features": "forecast.features",
    "horizon": "forecast.horizon", "window": "forecast.window", "strategy": "forecast.strategy",
    "backtest": "forecast.backtest", "season": "forecast.season", "fill": "forecast.fill",
    "id_column": "forecast.id_column", "future_features": "forecast.future_features",
    "duplicates": "forecast.duplicates", "decimal": "forecast.decimal", "interval": "forecast.interval",
    "normalise": "forecast.normalise", "log_transform": "forecast.log_transform", "ensemble": "forecast.ensemble",
    "test_size": "forecast.test_size", "val_size": "forecast.val_size",
    "model": "model.cell", "layers": "model.layers", "hidden": "model.hidden",
    "optimizer": "optim.name", "lr": "optim.lr", "clip": "optim.clip", "epochs": "train.epochs",
    "engine": "run.engine", "seed": "run.seed", "dtype": "run.dtype",
}
_EPILOG = """examples:
  rnnlab datasets
  rnnlab forecast sunspots --horizon 10
  rnnlab forecast sales.csv --column units --time-column month --horizon 12      (then the next 12 months)
  rnnlab forecast sales.csv --column units --horizon 12 --interval 0.8,0.95
  rnnlab forecast panel.csv --id-column store --column units --time-column week --horizon 8
  rnnlab forecast sales.csv --column units --features price,promo --future-features future.csv --horizon 12
  rnnlab forecast sales.csv --column units --time-column month --horizon 12 --window 24 --model lstm
  rnnlab forecast sales.csv --column units --horizon 12 --strategy recursive --backtest 5
  rnnlab forecast --config runs/sunspots-.../config.toml     (repeat a run)"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "forecast", help="forecast a real series (CSV, Parquet or bundled) against baselines",
        description="Split the series in time (train / validation / test), fit scalers and models on the "
                    "training part, choose settings and stop early on the validation part, then forecast "
                    "from rolling origins over the test part. Prints MAE, RMSE, sMAPE and MASE for the model "
                    "and the naive, seasonal naive and mean baselines, with conformal prediction intervals "
                    "and their coverage; then refits on the whole series and forecasts the steps after "
                    "its end (future.csv). Writes a run folder. Settings left out are chosen from the "
                    "series and saved in config.toml.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("series", nargs="?", help="a CSV (comma/semicolon/tab) or Parquet file, or a bundled name")
    data = p.add_argument_group("data")
    data.add_argument("--column", metavar="NAME", help="the column to forecast")
    data.add_argument("--time-column", metavar="NAME", help="labels the plot's axis; a calendar step hints the season")
    data.add_argument("--id-column", metavar="NAME", help="a long-format panel: the column naming each row's "
                      "series; one global model is trained across them")
    data.add_argument("--features", metavar="A,B", help="other numeric columns, known in advance (prices, "
                      "promotions): read over the window and the horizon (direct strategy)")
    data.add_argument("--future-features", metavar="FILE", help="the features' values after the series' end, "
                      "for the forecast beyond it (time, [id,] feature columns)")
    data.add_argument("--fill", metavar="HOW", help="empty/NaN cells: interpolate, ffill or drop (default: refuse)")
    data.add_argument("--duplicates", metavar="HOW", help="rows sharing a timestamp: mean, sum or last "
                      "(default: refuse)")
    data.add_argument("--decimal", metavar="MARK", help="point or comma (default: decided per column; a column "
                      "that could be read either way is refused)")
    task = p.add_argument_group("task")
    task.add_argument("--horizon", metavar="H", help="steps ahead to forecast")
    task.add_argument("--window", metavar="W", help="past values the model sees")
    task.add_argument("--strategy", metavar="S", help="direct (H outputs at once, default) or recursive (one step fed back)")
    task.add_argument("--season", metavar="M", help="season length in steps (default: detected; 1: none)")
    task.add_argument("--backtest", metavar="N", help="rolling origins over the test part (default 20)")
    task.add_argument("--test-size", metavar="N", help="points in the test part (default: 20%%)")
    task.add_argument("--val-size", metavar="N", help="points in the validation part (default: 15%%)")
    task.add_argument("--interval", metavar="LEVELS", help="prediction interval levels, e.g. 0.8,0.95 (the "
                      "default; conformal, from validation and past backtest errors); none for no intervals")
    task.add_argument("--no-future", action="store_true", help="the backtest alone: no refit "
                      "and no forecast beyond the data")
    model = p.add_argument_group("model")
    model.add_argument("--model", metavar="CELL", help="elman (default), lstm or gru")
    model.add_argument("--layers", metavar="L", help="stacked recurrent layers")
    model.add_argument("--hidden", metavar="H", help="hidden units per layer")
    model.add_argument("--normalise", metavar="HOW", help="auto (chosen on validation), standard, last, mean, revin, seasonal, history")
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
    if args.no_future:
        flags.append("forecast.future=false")
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
    from rnnlab.cli.common import run_folder
    from rnnlab.config import to_toml
    from rnnlab.forecasting.job import SECTIONS, run_forecast

    cfg, explicit = load_settings(args)
    if args.print_config:
        from rnnlab.forecasting.problem import prepare_forecast

        print(to_toml(prepare_forecast(cfg, explicit).config, SECTIONS), end="")
        return 0
    name = Path(cfg.forecast.series).stem or "series"
    on_member = None if args.quiet else _progress
    with run_folder(args, f"forecast-{name}") as out:
        summary = run_forecast(cfg, explicit, out, argv=args.argv, on_member=on_member, plots=not args.no_plots)
    if not args.quiet:
        print_report(summary)
        print(f"run folder: {out}")
    return 0


def _progress(member: FittedModel) -> None:
    if member.refit:
        print(f"  refitted {member.candidate.label:<13} seed {member.seed} on all data: {member.epochs_run} epochs",
              file=sys.stderr)
        return
    print(f"  trained {member.candidate.label:<14} seed {member.seed}: best epoch {member.best_epoch} of "
          f"{member.epochs_run}, validation MAE {member.val_mae:.4g}", file=sys.stderr)


def print_report(summary: dict[str, Any]) -> None:
    """The choices, the evaluation on the test part (with interval coverage), then the forecast beyond the data."""
    split = summary["split"]
    season = summary["season"]
    for note in summary.get("notes") or []:
        print(f"note: {note}")
    panel = summary.get("panel")
    what = f"{len(panel)} series, first " if panel else ""
    print(f"{summary['series']} '{summary['column']}': {what}{summary['points']} points; train {split['train'][0]}.."
          f"{split['train'][1]}, validation ..{split['validation'][1]}, test {split['test'][0]}..{split['test'][1]}")
    print(f"season {season if season > 1 else 'none'} ({'given' if summary['season_given'] else 'detected'}), "
          f"horizon {summary['horizon']}, window {summary['window']}, {summary['strategy']} strategy, "
          f"{len(summary['backtest_origins'])} rolling origins over the test part")
    note = _season_note(summary)
    if note:
        print(f"note: {note}")
    tried = ", ".join(f"{k} {_cell(v, 0).strip()}" for k, v in summary["validation_mae"].items())
    models = summary.get("selection_models", 2)
    print(f"normalisation {summary['chosen']}, chosen on validation (MAE of "
          f"{'1 model' if models == 1 else f'{models} models' + chr(39) + ' mean'}: {tried}); "
          f"ensemble of {len(summary['members'])}{' (one global model for every series)' if panel else ''}")
    levels = list(summary["intervals"]["coverage"])
    print(f"\nevaluation: backtest over the test part{' of every series' if panel else ''} (models trained on "
          "the training part only)")
    cover = "".join(f"{f'cover {k}%':>12}" for k in levels)
    print(f"{'':<16}{'MAE':>11}{'RMSE':>11}{'sMAPE %':>11}{'MASE':>9}{cover}")
    for name, m in summary["metrics"].items():
        cells = [_cell(m[k], w) for k, w in (("mae", 11), ("rmse", 11), ("smape", 11), ("mase", 9))]
        cells += [_cell(None if m.get(f"coverage_{k}") is None else 100 * m[f"coverage_{k}"], 12) for k in levels]
        print(f"{name:<16}{''.join(cells)}")
    if levels:
        print(f"(intervals: conformal; 'cover' is the share of test values inside, beside the nominal {', '.join(k + '%' for k in levels)})")
    future = summary.get("future")
    if future:
        where = f" of series '{panel[0]['series']}' (future.csv has every series)" if panel else ""
        print(f"\nforecast beyond the data{where}: after {future['after']}, refitted on all {summary['points']} "
              "points")
        bounds = "".join(f"{f'{k}% interval':>26}" for k in future["intervals"])
        print(f"{'time':<20}{'forecast':>12}{bounds}")
        for i, (t, v) in enumerate(zip(future["times"], future["forecast"])):
            cells = "".join(f"{_cell(lo[i], 12).strip():>13} .. {_cell(hi[i], 9).strip():<9}"
                            for lo, hi in future["intervals"].values())
            print(f"{t:<20}{_cell(v, 12)}{cells}")


def _season_note(summary: dict[str, Any]) -> str | None:
    """A detected season that is not the time column's calendar season, and how to use that one."""
    calendar = summary.get("calendar_season")
    if summary["season_given"] or not calendar or summary["season"] == calendar:
        return None
    found = f"season {summary['season']}" if summary["season"] > 1 else "no season"
    return (f"{found} detected in the training part's autocorrelation; the calendar's season {calendar} does "
            f"not show there (--season {calendar} uses it)")


def _cell(value: float | None, width: int) -> str:
    return f"{'n/a':>{width}}" if value is None or value != value else f"{value:>{width}.4g}"
