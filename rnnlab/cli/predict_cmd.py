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
               "  rnnlab predict runs/x --engine numpy      (a torch-trained run on the NumPy engine)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by `rnnlab run`")
    p.add_argument("--engine", metavar="NAME", help="the engine to predict with (default: the run's own)")
    add_device_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    import numpy as np

    from rnnlab.train.predict import predict_run

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
