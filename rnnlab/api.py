"""The Python API: one call per job, objects with the obvious attributes, no printing
unless asked (`progress=True`), and the command line's one-line errors as exceptions
(rnnlab.errors: UserError, Diverged, Interrupted).

    import rnnlab
    run = rnnlab.run("primer-torch", epochs=2000, seed=3)
    run.summary["test_rmse"]; run.metrics; run.predict(window); run.plot()
    rnnlab.load("runs/x")
    rnnlab.sweep("sine-recurrent", grid={"optim.lr": [0.01, 0.1]}, seeds=3).best
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from rnnlab.config import Config, ConfigError, override
from rnnlab.config import load as load_config
from rnnlab.errors import UserError

Recipe = str | Path | Config


def configure(recipe: Recipe, *, epochs: int | None = None, seed: int | None = None, engine: str | None = None,
              dtype: str | None = None, set: Mapping[str, Any] | None = None) -> Config:
    """A recipe name, a .toml path or a Config, with keyword overrides and dotted keys
    (`set={"optim.lr": 0.1}`), validated as the command line validates them."""
    from rnnlab.recipes import resolve

    if isinstance(recipe, Config):
        cfg = recipe
    elif isinstance(recipe, (str, Path)):
        cfg = resolve(str(recipe))
    else:
        raise ConfigError(f"recipe: expected a recipe name, a .toml path or a Config, got {type(recipe).__name__}")
    named = {"train.epochs": epochs, "run.seed": seed, "run.engine": engine, "run.dtype": dtype}
    pairs = [(k, v) for k, v in named.items() if v is not None] + list((set or {}).items())
    return override(cfg, [f"{key}={_text(value)}" for key, value in pairs])


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _folder(out: str | Path | None, prefix: str) -> Path:
    """The given folder, or a new temporary one (the run lives as long as the user keeps it)."""
    return Path(out) if out is not None else Path(tempfile.mkdtemp(prefix=f"rnnlab-{prefix}-")) / "run"


def _progress(progress: bool, label: str) -> list[Any]:
    if not progress:
        return []
    from rnnlab.cli.progress import Progress

    return [Progress(label, sys.stderr, live=sys.stderr.isatty())]


@dataclass(frozen=True)
class RunFolder:
    """Any run folder: its summary.json, config.toml and metrics.csv, read on demand."""

    folder: Path

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.folder / "summary.json").read_text(encoding="utf-8"))

    @property
    def kind(self) -> str:
        return str(self.summary.get("kind", "run"))

    @property
    def config(self) -> Config:
        return load_config(self.folder / "config.toml")

    @property
    def metrics(self) -> Any:
        """metrics.csv's rows: a pandas DataFrame when pandas is installed, else a list of dicts."""
        import csv

        with open(self.folder / "metrics.csv", newline="", encoding="utf-8") as fh:
            rows = [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(fh)]
        try:
            import pandas
        except ModuleNotFoundError:
            return rows
        return pandas.DataFrame(rows)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.folder)!r})"


def _number(text: str) -> Any:
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


class Run(RunFolder):
    """A finished run of a recipe (`rnnlab run`, or an imported model)."""

    @property
    def params(self) -> dict[str, np.ndarray]:
        from rnnlab.runs.folder import load_params

        return load_params(self.folder / "params.npz")

    def predict(self, x: Any, engine: str | None = None) -> np.ndarray:
        """Predictions for new inputs in the run's task: windows (W,) or (N, W) -> (O,) or
        (N, O); a next-step run's sequence (L,) or (N, L) -> the next value after each step."""
        from rnnlab.train.predict import predict_inputs

        return predict_inputs(self.folder, np.asarray(x), engine)

    def plot(self) -> Any:
        """loss.png and predictions.png side by side, drawn now if the run has none (a PIL
        image: a notebook shows it)."""
        from PIL import Image

        if not (self.folder / "loss.png").is_file():
            from rnnlab.viz import render_run

            render_run(self.folder, gif=False)
        images = [Image.open(self.folder / name).convert("RGB") for name in ("loss.png", "predictions.png")
                  if (self.folder / name).is_file()]
        canvas = Image.new("RGB", (sum(i.width for i in images), max(i.height for i in images)), "white")
        x = 0
        for image in images:
            canvas.paste(image, (x, 0))
            x += image.width
        return canvas


class Sweep(RunFolder):
    """A finished sweep: its trials, ranked settings and the best one."""

    @property
    def best(self) -> dict[str, Any] | None:
        return self.summary["best"]

    @property
    def table(self) -> Any:
        """sweep.csv: a pandas DataFrame when pandas is installed, else a list of dicts."""
        import csv

        with open(self.folder / "sweep.csv", newline="", encoding="utf-8") as fh:
            rows = [{k: _number(v) for k, v in row.items()} for row in csv.DictReader(fh)]
        try:
            import pandas
        except ModuleNotFoundError:
            return rows
        return pandas.DataFrame(rows)

    @property
    def runs(self) -> list[Run]:
        return [Run(p.parent) for p in sorted(self.folder.glob("*/summary.json"))]


def run(recipe: Recipe, *, epochs: int | None = None, seed: int | None = None, engine: str | None = None,
        dtype: str | None = None, set: Mapping[str, Any] | None = None, out: str | Path | None = None,
        plots: bool = False, progress: bool = False) -> Run:
    """Train a recipe (a name, a .toml path or a Config) into a run folder (`out`, or a new
    temporary folder) and return it. Prints nothing unless `progress`."""
    from rnnlab.train.runner import run as train_run

    cfg = configure(recipe, epochs=epochs, seed=seed, engine=engine, dtype=dtype, set=set)
    folder = _folder(out, cfg.run.name)
    train_run(cfg, folder, argv=["rnnlab.run"], callbacks=_progress(progress, cfg.run.name), plots=plots)
    return Run(folder)


def load(folder: str | Path) -> RunFolder:
    """Any run folder: a Run, a Sweep, or (ensembles, forecasts) a RunFolder."""
    path = Path(folder)
    if not (path / "summary.json").is_file():
        raise UserError(f"{path}: not a finished run folder (no summary.json)")
    kind = RunFolder(path).kind
    return {"run": Run, "imported": Run, "sweep": Sweep}.get(kind, RunFolder)(path)


def sweep(recipe: Recipe, *, grid: Mapping[str, Sequence[Any]] | Sequence[str] = (), seeds: int = 1,
          search: str | Path | None = None, trials: int = 20, scheduler: str | None = None,
          workers: int | None = None, batch: bool = True, plots: bool = False, out: str | Path | None = None,
          epochs: int | None = None, seed: int | None = None, engine: str | None = None,
          set: Mapping[str, Any] | None = None, argv: list[str] | None = None,
          on_result: Callable[[dict[str, Any], int, int], None] | None = None) -> Sweep:
    """Train a grid (`grid={"optim.lr": [0.01, 0.1]}`, or "key=v1,v2" strings) or an Optuna
    search (`search` = a space file, `trials` settings) of a recipe, `seeds` seeds per setting,
    on local processes or a Dask scheduler; return the sweep (its .best setting, .table,
    .runs). `out` defaults to runs/sweep-<recipe>-<id of the settings>: the same call
    continues the same sweep."""
    from rnnlab.sweeps import job
    from rnnlab.sweeps.executors import DaskExecutor, LocalExecutor
    from rnnlab.sweeps.plan import grid_trials, plan_id
    from rnnlab.sweeps.search import read_space
    from rnnlab.train.ensemble import parse_sweep

    base = configure(recipe, epochs=epochs, seed=seed, engine=engine, set=set)
    items = [parse_sweep(g) for g in grid] if not isinstance(grid, Mapping) else \
        [(k, [_text(v) for v in vs]) for k, vs in grid.items()]
    space = read_space(Path(search), base) if search is not None else None
    extra = "" if space is None else f"search={[(d.key, d.low, d.high, d.log, d.choices) for d in space]}"
    trial_list = grid_trials(base, items, seeds) if space is None else []
    ident = plan_id(base, items, seeds, extra)
    plan = {"id": ident, "recipe": base.run.name, "seeds": seeds,
            **({"grid": {k: v for k, v in items}, "trials": len(trial_list)} if space is None else
               {"search": {d.key: ({"choices": list(d.choices)} if d.choices else
                                   {"low": d.low, "high": d.high, "log": d.log}) for d in space},
                "trials": trials * seeds})}
    folder = Path(out) if out is not None else Path("runs") / f"sweep-{base.run.name}-{ident}"
    state = job.claim(folder, plan)
    executor = DaskExecutor(scheduler) if scheduler else LocalExecutor(workers)
    if space is None:
        job.run_grid(state, trial_list, executor, batch=batch, plots=plots, on_result=on_result)
    else:
        job.run_search(state, base, space, trials, seeds, executor, plots=plots, on_result=on_result)
    job.finish(state, base, argv or ["rnnlab.sweep"], executor.where)
    return Sweep(folder)
