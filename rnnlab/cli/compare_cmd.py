"""`rnnlab compare RECIPE --engines numpy,torch`: do two engines compute the same numbers?"""

from __future__ import annotations

import argparse

from rnnlab.cli.common import add_recipe_arguments, load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare", help="train a recipe on several engines and check they agree",
        description="Train a recipe on each engine from the same initial parameters and data (drawn once, "
                    "with NumPy's generator unless the recipe names one), then check two things against the "
                    "first engine. One step: from 16 states along the first engine's run, every engine's loss, "
                    "gradient and next parameters agree to the rounding tolerance derived from the dtype and "
                    "the work (docs/engines.md). The whole run: the loss history, final parameters and "
                    "predictions stay within the envelope rounding alone produces, measured by the first engine "
                    "from two starts a few ulps away. Exit code 1 when either fails: a porting difference.",
        epilog="examples:\n  rnnlab compare sine-recurrent\n"
               "  rnnlab compare primer-numpy --engines numpy,torch,jax --epochs 2000 --dtype float64\n"
               "  rnnlab compare elman-sine --engines numpy,torch --set model.cell=gru --sensitivity",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_recipe_arguments(p, engine=False)
    p.add_argument("--engines", default="numpy,torch", metavar="A,B",
                   help="comma-separated engines; the first is the reference (default: numpy,torch)")
    p.add_argument("--sensitivity", action="store_true",
                   help="also print, epoch by epoch, each run's loss difference beside the rounding envelope")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from rnnlab.checks.compare import compare
    from rnnlab.checks.report import report

    cfg = load_config(args)
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    result = compare(cfg, engines)
    print("\n".join(report(result, sensitivity=args.sensitivity)))
    return 0 if result.ok else 1
