"""What recording the inspection (rnnlab.train.inspection) costs a default run.

    python -m benchmarks.inspection_cost [--recipe primer-torch] [--repeats 5]

Trains the recipe through the training loop as `rnnlab run` does (numpy engine, no plots),
with and without the inspection callback, the two taking turns so that both see the same
load on a shared machine; prints the medians and their ratio. primer-torch is the worst
case: the fastest default run, so a record's eigenvalue problem weighs most there.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from rnnlab.recipes import resolve
from rnnlab.train import runner
from rnnlab.train.inspection import RecordInspection


class _Skipped(RecordInspection):
    def on_log(self, *args: object) -> None: ...


def timed(recipe: str, callback: type[RecordInspection]) -> float:
    runner.RecordInspection = callback  # the runner builds its callbacks from this name
    out = Path(tempfile.mkdtemp(prefix="rnnlab-inspection-cost-")) / "run"
    started = time.perf_counter()
    runner.run(resolve(recipe), out, argv=[], callbacks=[], plots=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="primer-torch")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pairs = [(timed(args.recipe, RecordInspection), timed(args.recipe, _Skipped)) for _ in range(args.repeats)]
    runner.RecordInspection = RecordInspection
    with_views, without = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    ratio = statistics.median(p[0] / p[1] for p in pairs)
    print(f"{args.recipe}, numpy engine, `rnnlab run` without plots, median of {args.repeats} paired runs:")
    print(f"  without the inspection    {without:.2f} s")
    print(f"  with the inspection       {with_views:.2f} s  ({100 * (ratio - 1):+.1f}%)")


if __name__ == "__main__":
    main()
