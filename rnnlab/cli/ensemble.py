"""`rnnlab run RECIPE --ensemble N` and `--sweep KEY=V1,V2,...`: many members, one folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnlab.cli.common import int_at_least, run_folder
from rnnlab.config import Config


def add_ensemble_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ensemble", type=int_at_least(1, "members"), metavar="N",
                   help="train N independent members at once, seeds S..S+N-1 (batched on numpy, vectorised on jax); "
                        "writes per-member metrics and ensemble.png")
    p.add_argument("--sweep", metavar="KEY=V1,V2,...",
                   help="one member per value of a recipe key, e.g. --sweep optim.lr=0.1,0.05,0.02 "
                        "(with --ensemble N: N seeds per value)")


def wants_ensemble(args: argparse.Namespace) -> bool:
    return args.ensemble is not None or args.sweep is not None


def run_ensemble_command(args: argparse.Namespace, cfg: Config) -> int:
    from rnnlab.errors import UserError
    from rnnlab.train.ensemble import parse_sweep
    from rnnlab.train.ensemble_job import run_ensemble

    if args.checkpoint_every is not None:
        raise UserError("--checkpoint-every: ensembles write no checkpoints; run members one at a time to resume")
    sweep = parse_sweep(args.sweep) if args.sweep else None
    from rnnlab.cli.training import progress_callbacks, train_interruptibly

    with run_folder(args, cfg.run.name) as out:
        summary = train_interruptibly(lambda: run_ensemble(
            cfg, out, seeds=args.ensemble or 1, sweep=sweep, argv=args.argv,
            callbacks=progress_callbacks(args, cfg.run.name), plots=not args.no_plots))
    if not args.quiet:
        ens, err = summary["ensemble"], summary["test_rmse"]
        line = f"{ens['members']} members on {summary['engine']}"
        if err:
            line += f": test RMSE median {err['median']:.4g} (min {err['min']:.4g}, max {err['max']:.4g})"
        if summary["diverged_members"]:
            line += f"; {len(summary['diverged_members'])} diverged"
        print(line)
        if sweep:
            best = best_swept_value(out)
            if best is not None:
                print(f"best {sweep[0]}: {best[0]} (median test RMSE {best[1]:.4g} over its seeds)")
        print(f"run folder: {out}")
    return 0


def best_swept_value(out: Path) -> tuple[str, float] | None:
    """The swept value whose members' median test RMSE is lowest, read from members.csv."""
    from rnnlab.report.group_data import ensemble

    data = ensemble(out)
    if data is None or data.get("best_value") is None:
        return None
    median = next(v["median_rmse"] for v in data["values"] if v["value"] == data["best_value"])
    return data["best_value"], median
