"""`rnnlab predict RUN_DIR`: a finished run's parameters, predicting on any engine."""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnlab.cli.common import add_device_arguments


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict", help="predict with a finished run's parameters, on any engine",
        description="Load a finished run folder (config.toml and params.npz), rebuild its data and predict "
                    "its test windows (or, for next-step recipes, the training sequence from h = 0) with "
                    "the chosen engine, which need not be the one that trained it. Prints the predictions "
                    "beside the truth, the RMSE, and how far they are from the run's own final predictions.",
        epilog="examples:\n  rnnlab predict runs/primer-torch-20260101T120000Z\n"
               "  rnnlab predict runs/x --engine numpy      (a torch-trained run on the NumPy engine)\n"
               "  rnnlab predict runs/forecast-sales --series newer_sales.csv   (a forecaster on a longer history)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by `rnnlab run` or `rnnlab forecast`")
    p.add_argument("--series", metavar="FILE", help="forecast runs: the history to forecast from (default: the "
                   "run's own series), read with the run's column settings")
    p.add_argument("--future-features", metavar="FILE", help="forecast runs with features: their values after "
                   "the history's end")
    p.add_argument("--engine", metavar="NAME", help="the engine to predict with (default: the run's own)")
    add_device_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import numpy as np

    from rnnlab.forecasting.apply import is_forecast_run
    from rnnlab.train.predict import predict_run

    if is_forecast_run(Path(args.run_dir)):
        return _forecast(args)
    if args.series or args.future_features:
        from rnnlab.errors import UserError

        raise UserError(f"{args.run_dir}: --series and --future-features apply to forecast runs (`rnnlab forecast`); "
                        "this is not one")
    r = predict_run(Path(args.run_dir), args.engine, device=args.device, threads=args.threads)
    print(f"predict {r.run_dir}: {r.engine} engine ({r.device}), {r.dtype}, parameters trained on {r.trained_on}")
    fmt = {"float_kind": lambda v: f"{v: .4f}"}
    if r.predictions.ndim == 1:
        print(f"{'step':>4}  {'actual':>8}  {'predicted':>9}")
        for i, (t, p) in enumerate(zip(r.truth, r.predictions)):
            print(f"{i:>4}  {t:>8.4f}  {p:>9.4f}")
    else:
        for i, (t, p) in enumerate(zip(r.truth, r.predictions)):
            print(f"window {i + 1:<3} predicted {np.array2string(p, formatter=fmt, max_line_width=200)}")
            print(f"{'':<10} actual    {np.array2string(t, formatter=fmt, max_line_width=200)}")
    print(f"RMSE {r.rmse:.6g} on {r.evaluated_on}")
    if isinstance(r.saved_difference, str):
        print(f"not compared with the run's own final predictions: {r.saved_difference}")
    else:
        print(f"max difference from the run's own final predictions: {r.saved_difference:.3g}")
    return 0


def _forecast(args: argparse.Namespace) -> int:
    """A forecast run's refitted ensemble forecasting after the end of a history."""
    from rnnlab.forecasting.apply import predict_forecast
    from rnnlab.forecasting.intervals import level_key

    r = predict_forecast(Path(args.run_dir), args.series, args.future_features)
    keys = [level_key(v) for v in r.levels]
    for s, (series, axis) in enumerate(zip(r.panel, r.axes)):
        name = f" series '{series.key}'" if series.key else ""
        print(f"forecast{name} after {series.time.labels[-1]} ({len(series)} values of {r.source}), by {r.run_dir}")
        print(f"{'time':<20}{'forecast':>12}" + "".join(f"{f'{k}% interval':>26}" for k in keys))
        for k, label in enumerate(axis.labels):
            cells = "".join(f"{r.bounds[j, 0, s, k]:>13.6g} .. {r.bounds[j, 1, s, k]:<9.6g}" for j in range(len(keys)))
            print(f"{label:<20}{r.forecast[s, k]:>12.6g}{cells}")
    if r.saved_difference is not None:
        print(f"max difference from the run's own forecast beyond its data: {r.saved_difference:.3g}")
    return 0
