"""What recording the inspection (rnnlab.train.inspection) costs a default run.

    python -m benchmarks.inspection_cost [--recipe sine-recurrent] [--repeats 3]

Trains the recipe's whole schedule twice at once on the numpy engine, in chunks between
its log points as the training loop does: one copy plainly, the other calling
`Inspector.record` at every log point (parameters copied out of the engine included).
The two copies take turns chunk by chunk, so both see the same load on a shared
machine; the medians over the repeats and their ratio are printed.
"""

from __future__ import annotations

import argparse
import statistics
import time

from rnnlab.recipes import resolve
from rnnlab.train.experiment import build_engine, initial_params, prepare
from rnnlab.train.inspection import Inspector, first_window
from rnnlab.train.loop import log_epochs


def one_run(recipe: str) -> tuple[float, float, float, int]:
    """(seconds training the plain copy, seconds training the inspected copy, seconds
    inspecting, log points) of one whole schedule."""
    exp = prepare(resolve(recipe))
    cfg = exp.config
    plain, inspected = (build_engine(exp, initial_params(cfg, exp.spec)) for _ in range(2))
    inspector = Inspector(exp.spec, first_window(exp.eval_x, exp.eval_y), exp.training.loss)
    log_at = log_epochs(cfg.train.epochs, cfg.log.every, cfg.log.at)
    times = [0.0, 0.0, 0.0]
    done = 0
    for epoch in [*log_at, cfg.train.epochs - 1]:
        chunk = epoch + 1 - done
        if chunk <= 0:
            continue
        for k, engine in enumerate((plain, inspected)):
            started = time.perf_counter()
            engine.train(chunk)
            times[k] += time.perf_counter() - started
        done = epoch + 1
        if epoch in log_at:
            started = time.perf_counter()
            inspector.record(epoch, inspected.get_params())
            times[2] += time.perf_counter() - started
    inspector.arrays()
    return times[0], times[1], times[2], len(log_at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="sine-recurrent")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs = [one_run(args.recipe) for _ in range(args.repeats)]
    plain = statistics.median(r[0] for r in runs)
    with_inspection = statistics.median(r[1] + r[2] for r in runs)
    inspecting = statistics.median(r[2] for r in runs)
    ratio = statistics.median((r[1] + r[2]) / r[0] for r in runs)
    print(f"{args.recipe}, numpy engine, {runs[0][3]} log points, median of {args.repeats} paired runs:")
    print(f"  training alone            {plain:.2f} s")
    print(f"  training + inspection     {with_inspection:.2f} s  ({100 * (ratio - 1):+.1f}%)")
    print(f"  inspection itself         {1000 * inspecting:.0f} ms ({100 * inspecting / plain:.1f}% of training, "
          f"{1000 * inspecting / runs[0][3]:.2f} ms per log point)")


if __name__ == "__main__":
    main()
