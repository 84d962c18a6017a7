"""`rnnlab compare RECIPE --engines numpy,torch`: do two engines compute the same numbers?"""

from __future__ import annotations

import argparse

from rnnlab.cli.common import add_recipe_arguments, load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare", help="train a recipe on several engines and check they agree",
        description="Train a recipe on each engine from the same initial parameters and data (drawn once, "
                    "with NumPy's generator unless the recipe names one) and print the max relative "
                    "difference from the first engine of the loss history, the final parameters and the "
                    "predictions, with each engine's training time. Exit code 1 when a difference exceeds "
                    "the tolerance (default 1e-9 in float64, 1e-5 in float32), so it can guard a port.",
        epilog="examples:\n  rnnlab compare sine-recurrent --engines numpy,torch --epochs 1000\n"
               "  rnnlab compare primer-numpy --engines numpy,torch --epochs 200 --dtype float64\n"
               "  rnnlab compare elman-sine --engines numpy,torch --set model.cell=gru --tol 1e-8",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_recipe_arguments(p, engine=False)
    p.add_argument("--engines", default="numpy,torch", metavar="A,B",
                   help="comma-separated engines; the first is the reference (default: numpy,torch)")
    p.add_argument("--tol", type=float, metavar="X", help="largest relative difference that still agrees")
    p.add_argument("--sensitivity", action="store_true",
                   help="also train the first engine from a start nudged by 4 machine epsilons: how far rounding "
                   "alone moves this recipe (a loss spike amplifies it), to tell chaos from a port bug")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from rnnlab.checks.compare import compare

    cfg = load_config(args)
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    result = compare(cfg, engines, tolerance=args.tol, sensitivity=args.sensitivity)
    ref = result.runs[0]
    print(f"compare {result.recipe}: {result.epochs} epochs, {result.dtype}, the same initial parameters "
          f"and data on every engine")
    print(f"{'engine':<16} {'device':<7} {'train s':>8}  {'loss history':>12}  {'parameters':>10}  {'predictions':>11}")
    print(f"{ref.engine:<16} {ref.device:<7} {ref.seconds:>8.2f}  {'(reference)':>12}")
    rows = [(run.engine, run.device, f"{run.seconds:8.2f}", diff)
            for run, diff in zip(result.runs[1:], result.differences)]
    if result.sensitivity is not None:
        rows.append((f"{ref.engine}, nudged", ref.device, "", result.sensitivity))
    for label, device, seconds, diff in rows:
        print(f"{label:<16} {device:<7} {seconds:>8}  {diff.losses:>12.2e}  {diff.params:>10.2e}  "
              f"{diff.predictions:>11.2e}")
    print(f"(max relative difference from {ref.engine})")
    if result.ok:
        print(f"ok: every difference is within {result.tolerance:g}")
        return 0
    for diff in result.differences:
        if diff.worst > result.tolerance:
            since = "" if diff.first_epoch is None else f"; losses first differ at epoch {diff.first_epoch}"
            print(f"FAILED: {diff.engine} differs from {ref.engine} by {diff.worst:.2e}, more than "
                  f"{result.tolerance:g}{since}")
    if result.sensitivity is None:
        print("(--sensitivity shows how far rounding alone moves this recipe)")
    return 1
