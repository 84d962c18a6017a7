"""What recording the inspection (rnnlab.train.inspection) costs a default run.

    python -m benchmarks.inspection_cost [--recipe sine-recurrent] [--repeats 5]

Trains the recipe's whole schedule on the numpy engine in chunks between its log points,
as the training loop does, once without and once with `Inspector.record` at every log
point, alternating, and prints the medians and their ratio. The with-inspection time
includes copying the parameters out of the engine at each log point.
"""

from __future__ import annotations

import argparse
import statistics
import time

from rnnlab.recipes import resolve
from rnnlab.train.experiment import build_engine, initial_params, prepare
from rnnlab.train.inspection import Inspector, first_window
from rnnlab.train.loop import log_epochs


def train_once(recipe: str, inspect: bool) -> tuple[float, float]:
    """(seconds training, seconds inspecting) of one whole run."""
    exp = prepare(resolve(recipe))
    cfg = exp.config
    engine = build_engine(exp, initial_params(cfg, exp.spec))
    log_at = log_epochs(cfg.train.epochs, cfg.log.every, cfg.log.at)
    inspector = Inspector(exp.spec, first_window(exp.eval_x, exp.eval_y), exp.training.loss)
    done, trained, inspected = 0, 0.0, 0.0
    for epoch in log_at:
        started = time.perf_counter()
        engine.train(epoch + 1 - done)
        trained += time.perf_counter() - started
        done = epoch + 1
        if inspect:
            started = time.perf_counter()
            inspector.record(epoch, engine.get_params())
            inspected += time.perf_counter() - started
    started = time.perf_counter()
    if cfg.train.epochs > done:
        engine.train(cfg.train.epochs - done)
    trained += time.perf_counter() - started
    if inspect:
        inspector.arrays()
    return trained, inspected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="sine-recurrent")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    plain, with_inspection, inspecting = [], [], []
    for _ in range(args.repeats):
        plain.append(sum(train_once(args.recipe, False)))
        trained, inspected = train_once(args.recipe, True)
        with_inspection.append(trained + inspected)
        inspecting.append(inspected)
    base, withi = statistics.median(plain), statistics.median(with_inspection)
    points = len(log_epochs(resolve(args.recipe).train.epochs, resolve(args.recipe).log.every, resolve(args.recipe).log.at))
    print(f"{args.recipe}, numpy engine, {points} log points, median of {args.repeats}:")
    print(f"  training alone            {base:.3f} s")
    print(f"  training + inspection     {withi:.3f} s  ({100 * (withi / base - 1):+.1f}%)")
    print(f"  inspection itself         {statistics.median(inspecting) * 1000:.1f} ms "
          f"({100 * statistics.median(inspecting) / base:.2f}% of training)")


if __name__ == "__main__":
    main()
