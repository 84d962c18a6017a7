"""A sweep as a job: its folder claimed (or continued), its trials sent to the executor,
their results collected as they finish, sweep.csv kept current, summary.json last.

Folder (the same command gives the same folder, so running it again continues it):
  sweep.json     what the sweep trains (recipe, grid or search, seeds): checked on a rerun
  sweep.csv      one row per trial: its values, seed, status, test RMSE, final loss
  optuna.log     a search's study (rnnlab.sweeps.search)
  <trial>/       each trial's run folder (rnnlab.sweeps.trial says how it records its state)
  summary.json   kind "sweep": the best setting with its spread over seeds, counts, timings
  report.html    the complete trials compared on one page (rnnlab.report)
"""

from __future__ import annotations

import json
import math
import statistics
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnlab.config import Config, override, to_toml
from rnnlab.errors import Interrupted, UserError
from rnnlab.runs import folder as rf
from rnnlab.runs.summary import build_summary
from rnnlab.sweeps import results as res
from rnnlab.sweeps.executors import Executor
from rnnlab.sweeps.plan import Trial, batches
from rnnlab.sweeps.search import Dimension, open_study
from rnnlab.sweeps.trial import run_batch, run_trial, trial_result
from rnnlab.train.stop import interrupt_on_sigint

MAX_ATTEMPTS = 3  # a task whose workers keep dying is given up after this many tries
Result = dict[str, Any]


class SweepInterrupted(Interrupted):
    def __init__(self, done: int, total: int, folder: Path) -> None:
        super().__init__(done, total, folder)

    def __str__(self) -> str:
        return (f"sweep stopped with {self.epoch} of {self.epochs} trials finished; they are kept, and running "
                f"the same command again continues it ({self.run_dir})")


@dataclass
class Task:
    trials: list[Trial]
    attempts: int = 0


@dataclass
class Sweep:
    """What is known of a sweep as it runs."""

    folder: Path
    plan: dict[str, Any]
    trials: list[Trial] = field(default_factory=list)
    results: dict[str, Result] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    # a sweep of forecasts: the keys given (forecast chooses the others from the series)
    forecast_keys: frozenset[str] | None = None

    @property
    def kind(self) -> str:
        return "recipe" if self.forecast_keys is None else "forecast"

    def table(self) -> str:
        return res.sweep_csv(self.trials, self.results, self.kind)

    def record(self, result: Result) -> None:
        self.results[result["name"]] = result
        rf.write_text(self.folder / "sweep.csv", self.table())


def claim(folder: Path, plan: dict[str, Any], forecast_keys: frozenset[str] | None = None) -> Sweep:
    """A new sweep folder, or the one this same sweep left (then its finished trials count)."""
    marker = folder / "sweep.json"
    if marker.is_file():
        try:
            earlier = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise UserError(f"{marker}: not readable ({err}); remove the folder or choose another") from None
        if earlier.get("id") != plan["id"]:
            raise UserError(f"{folder}: holds another sweep (it was started with other settings); choose another "
                            "folder, or give the same settings to continue it")
        rf.write_json(marker, plan)  # the same sweep, perhaps asked for more search trials
        return Sweep(folder, plan, forecast_keys=forecast_keys)
    rf.create_run_dir(folder)
    rf.write_json(marker, plan)
    return Sweep(folder, plan, forecast_keys=forecast_keys)


def run_grid(sweep: Sweep, trials: list[Trial], executor: Executor, *, batch: bool = True, plots: bool = False,
             on_result: Callable[[Result, int, int], None] | None = None) -> None:
    """Train every trial not finished yet; `on_result(result, done, total)` after each."""
    sweep.trials = trials
    for trial in trials:
        done = trial_result(sweep.folder / trial.name)
        if done is not None:
            sweep.results[trial.name] = done
    groups = batches(trials) if batch and sweep.forecast_keys is None else [[t] for t in trials]
    tasks = [Task([t for t in g if t.name not in sweep.results]) for g in groups]
    _drive(sweep, [t for t in tasks if t.trials], executor, plots, on_result, None)


def run_search(sweep: Sweep, base: Config, space: list[Dimension], settings: int, seeds: int, executor: Executor,
               *, plots: bool = False, on_result: Callable[[Result, int, int], None] | None = None) -> None:
    """Ask the study for `settings` settings in all (those of an earlier run of this sweep
    included), each trained with `seeds` seeds as one batched task; tell it each median."""
    import optuna

    study = open_study(sweep.folder, sweep.plan["id"], base.run.seed)
    asked: dict[int, Task] = {}

    def task_of(trial: Any, values: tuple[tuple[str, str], ...]) -> Task:
        group = []
        for s in range(seeds):
            seed = base.run.seed + s
            cfg = override(base, [f"{k}={v}" for k, v in values] + [f"run.seed={seed}"])
            group.append(Trial(trial.number * seeds + s, values, seed, cfg))
        sweep.trials.extend(group)
        return Task(group)

    for frozen in study.trials:  # an earlier run's trials: finished ones counted, unfinished ones continued
        values = tuple((d.key, d.text(frozen.params[d.key])) for d in space)
        task = task_of(frozen, values)
        for t in task.trials:
            done = trial_result(sweep.folder / t.name)
            if done is not None:
                sweep.results[t.name] = done
        if frozen.state == optuna.trial.TrialState.RUNNING:
            asked[frozen.number] = task

    def ask() -> Task | None:
        if len(study.trials) >= settings:
            return None
        trial = study.ask()
        task = task_of(trial, tuple((d.key, d.suggest(trial)) for d in space))
        asked[trial.number] = task
        return task

    def tell(task: Task) -> None:
        number = task.trials[0].index // seeds
        if number not in asked:
            return
        scores = [sweep.results.get(t.name, {}).get(res.metric_of(sweep.kind)) for t in task.trials]
        finite = [s for s in scores if isinstance(s, float) and math.isfinite(s)]
        del asked[number]
        if finite:
            study.tell(number, statistics.median(finite))
        else:
            study.tell(number, state=optuna.trial.TrialState.FAIL)

    pending = [t for t in asked.values() if any(x.name not in sweep.results for x in t.trials)]
    for task in [t for t in asked.values() if t not in pending]:
        tell(task)
    _drive(sweep, pending, executor, plots, on_result, (ask, tell))


@interrupt_on_sigint()  # Ctrl-C stops a sweep even where a shell started it with SIGINT ignored (`&`)
def _drive(sweep: Sweep, tasks: list[Task], executor: Executor, plots: bool,
           on_result: Callable[[Result, int, int], None] | None,
           search: tuple[Callable[[], Task | None], Callable[[Task], None]] | None) -> None:
    """Keep the executor busy (a grid: every task at once; a search: one per worker, the
    next asked as one finishes) until nothing is left; Ctrl-C stops the workers and keeps
    what finished."""
    queue, in_flight = list(tasks), {}

    def total() -> int:
        return max(len(sweep.trials), int(sweep.plan.get("trials", 0)))

    try:
        while True:
            capacity = executor.workers if search else len(queue) + len(in_flight)
            while len(in_flight) < max(capacity, 1):
                task = queue.pop(0) if queue else (search[0]() if search else None)
                if task is None:
                    break
                task.attempts += 1
                in_flight[_submit(executor, sweep, task, plots)] = task
            if not in_flight:
                break
            for future, outcome in executor.first_done(in_flight):
                task = in_flight.pop(future)
                if isinstance(outcome, BaseException):
                    if executor.lost_workers(outcome) and task.attempts < MAX_ATTEMPTS:
                        executor.restart()  # every task in flight was lost with the pool: send them again
                        queue[:0] = [task, *in_flight.values()]
                        in_flight.clear()
                        break
                    outcomes = [{"name": t.name, "status": "failed", "reason": _one_line(outcome)} for t in task.trials]
                else:
                    outcomes = outcome if isinstance(outcome, list) else [outcome]
                for result in outcomes:
                    sweep.record(result)
                    if on_result is not None:
                        on_result(result, len(sweep.results), total())
                if search:
                    search[1](task)
    except KeyboardInterrupt:
        executor.close(cancel=True)
        rf.write_text(sweep.folder / "sweep.csv", sweep.table())
        raise SweepInterrupted(len(sweep.results), total(), sweep.folder) from None
    executor.close(cancel=False)


def _submit(executor: Executor, sweep: Sweep, task: Task, plots: bool) -> Any:
    configs = [tomllib.loads(to_toml(t.config)) for t in task.trials]
    folder = sweep.folder
    if len(task.trials) == 1:
        trial = task.trials[0]
        explicit = None if sweep.forecast_keys is None else \
            sorted(sweep.forecast_keys | {key for key, _ in trial.values} | {"run.seed"})
        return executor.submit(run_trial, str(folder / trial.name), configs[0], plots, explicit)
    return executor.submit(run_batch, [str(folder / t.name) for t in task.trials], configs)


def finish(sweep: Sweep, base: Config, argv: list[str], where: str) -> dict[str, Any]:
    """summary.json: the best setting and its spread over seeds, what finished, how long."""
    ranked = res.settings(sweep.trials, sweep.results, res.metric_of(sweep.kind))
    statuses = [r["status"] for r in sweep.results.values()]
    best = ranked[0] if ranked and ranked[0].scores else None
    results = {
        "sweep": {key: sweep.plan[key] for key in ("grid", "search", "seeds", "trials") if key in sweep.plan},
        "trials": len(sweep.trials),
        "complete": statuses.count("complete"), "diverged": statuses.count("diverged"),
        "failed": statuses.count("failed"),
        "metric": res.metric_of(sweep.kind),
        "best": None if best is None else {"setting": _typed(base, best.values), **best.spread()},
        "settings": [{"setting": _typed(base, s.values), **s.spread()} for s in ranked],
        "executor": where,
    }
    train = sum(r.get("train_seconds") or 0.0 for r in sweep.results.values())
    summary = build_summary("sweep", base, results, argv=argv, train_seconds=train,
                            wall_seconds=time.perf_counter() - sweep.started)
    rf.write_text(sweep.folder / "sweep.csv", sweep.table())
    rf.write_json(sweep.folder / "summary.json", summary)
    complete = [sweep.folder / t.name for t in sweep.trials if sweep.results.get(t.name, {}).get("status") == "complete"]
    if complete:
        from rnnlab.report import write_comparison

        write_comparison(complete, sweep.folder / "report.html")  # curves overlaid, config keys that differ
    return summary


def _typed(base: Config, values: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """A setting's values as the config holds them (0.1 a number, "gru" a name), for JSON."""
    cfg = override(base, [f"{k}={v}" for k, v in values])
    return {key: getattr(getattr(cfg, key.partition(".")[0]), key.partition(".")[2]) for key, _ in values}


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
