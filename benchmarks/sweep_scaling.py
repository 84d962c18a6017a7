"""A 60-trial sweep three ways: one after another in this process, on local worker
processes, and on a Dask LocalCluster; with each one's overhead per trial.

    python -m benchmarks.sweep_scaling [--trials 60] [--epochs 300] [--workers N]

The trials are sine-recurrent at 60 hidden sizes (no two fit one batched program, so every
trial is a task of its own). Each way trains into a fresh folder; the parameters of all
three are compared byte for byte. Overhead per trial = (wall time x workers - the
sequential time) / trials: what a worker spends on a trial besides training it (process
start, imports, sending the task and its result). The table goes to
benchmarks/sweep_results.md as well.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tomllib
from pathlib import Path

from rnnlab.config import Config, override, to_toml
from rnnlab.recipes import resolve
from rnnlab.sweeps.executors import DaskExecutor, Executor, LocalExecutor
from rnnlab.sweeps.job import claim, finish, run_grid
from rnnlab.sweeps.plan import Trial, grid_trials
from rnnlab.sweeps.trial import run_trial


def trials(count: int, epochs: int) -> tuple[Config, list[Trial]]:
    base = override(resolve("sine-recurrent"), [f"train.epochs={epochs}"])
    return base, grid_trials(base, [("model.hidden", [str(4 + k) for k in range(count)])], 1)


def sequential(folder: Path, trial_list: list[Trial]) -> float:
    started = time.perf_counter()
    for t in trial_list:
        run_trial(str(folder / t.name), tomllib.loads(to_toml(t.config)))
    return time.perf_counter() - started


def on_executor(folder: Path, base: Config, trial_list: list[Trial], executor: Executor) -> float:
    started = time.perf_counter()
    sweep = claim(folder, {"id": "bench", "recipe": base.run.name})
    run_grid(sweep, trial_list, executor, batch=False)
    finish(sweep, base, [], executor.where)
    return time.perf_counter() - started


def params(folder: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in folder.glob("*/params.npz")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "n/a"
    base, trial_list = trials(args.trials, args.epochs)
    root = Path(tempfile.mkdtemp(prefix="rnnlab-sweep-bench-"))
    rows = [("one after another, this process", 1, sequential(root / "seq", trial_list))]
    started = time.perf_counter()
    local = LocalExecutor(args.workers)
    start_local = time.perf_counter() - started
    rows.append((f"local processes (loky, started in {start_local:.2f} s)", args.workers,
                 on_executor(root / "local", base, trial_list, local)))
    from distributed import LocalCluster

    started = time.perf_counter()
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = DaskExecutor(cluster.scheduler_address)
        start_dask = time.perf_counter() - started
        rows.append((f"Dask LocalCluster (started in {start_dask:.2f} s)", args.workers,
                     on_executor(root / "dask", base, trial_list, dask)))
    same = params(root / "seq") == params(root / "local") == params(root / "dask")
    seq = rows[0][2]
    lines = [f"{args.trials} trials of sine-recurrent, {args.epochs} epochs each; {os.cpu_count()} cores, load "
             f"average before: {load}; written by `python -m benchmarks.sweep_scaling` at "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
             "| way | workers | wall s | speed-up | overhead per trial |", "|---|---|---|---|---|"]
    for label, workers, wall in rows:
        overhead = (wall * workers - seq) / args.trials
        lines.append(f"| {label} | {workers} | {wall:.2f} | {seq / wall:.2f}x | {1000 * overhead:.0f} ms |")
    lines += ["", f"Parameters identical in all three: {'yes' if same else 'NO'}."]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    (Path(__file__).parent / "sweep_results.md").write_text("# Sweep scaling\n\n" + text)


if __name__ == "__main__":
    main()
