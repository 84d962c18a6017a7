"""`rnnlab gradcheck RECIPE`: the engine's gradient against finite differences."""

from __future__ import annotations

import argparse

from rnnlab.cli.common import add_recipe_arguments, load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gradcheck", help="compare the engine's gradient with finite differences",
        description="Compare the engine's hand-written (or autograd) gradient with central finite "
                    "differences in float64 at the recipe's initial parameters, on a few training "
                    "examples; print the max relative error per parameter. For the primer's "
                    "approximate gradient, also print its cosine similarity with the exact one. "
                    "Exit code 1 if the exact gradient is off by more than 1e-6.")
    add_recipe_arguments(p)
    p.add_argument("--examples", type=int, default=8, metavar="N", help="training windows to use (default 8)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from rnnlab.checks.gradcheck import TOLERANCE, gradcheck

    cfg = load_config(args)
    report = gradcheck(cfg, examples=max(1, args.examples))
    print(f"gradcheck {cfg.run.name}: {cfg.run.engine} engine, float64, {report.examples} example(s), "
          f"central differences (eps 1e-6)")
    header = f"{'parameter':<10} {'exact grad':>12}"
    if report.approx_errors is not None:
        header += f" {cfg.train.gradient:>14}"
    print(header + "   (max relative error)")
    for name, err in report.errors.items():
        line = f"{name:<10} {err:>12.2e}"
        if report.approx_errors is not None:
            line += f" {report.approx_errors[name]:>14.2e}"
        print(line)
    if report.approx_cosine is not None:
        print(f"cosine similarity of {cfg.train.gradient} with the exact gradient: {report.approx_cosine:.6f}")
    verdict = "ok" if report.ok else "FAILED"
    print(f"{verdict}: exact gradient within {TOLERANCE:g} of finite differences" if report.ok
          else f"{verdict}: exact gradient differs from finite differences by more than {TOLERANCE:g}")
    return 0 if report.ok else 1
