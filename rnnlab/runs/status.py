"""What state a run folder is in: complete (summary.json, written last, exists),
incomplete (resumable: config.toml, maybe a checkpoint), empty, or not a run folder."""

from __future__ import annotations

import json
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rnnlab.errors import UserError
from rnnlab.runs import checkpoint

State = Literal["complete", "incomplete", "empty", "not a run"]


@dataclass(frozen=True)
class RunStatus:
    path: Path
    state: State
    recipe: str = ""
    epoch: int | None = None  # epochs done: the final count, or the latest checkpoint's (0: none yet)
    epochs: int | None = None  # the run's total
    problem: str = ""  # why an incomplete run cannot be resumed as it is (a damaged checkpoint)
    kind: str = "run"  # summary.json's kind: "run", "ensemble" or "forecast" (what `rnnlab resume` can continue)
    series: str = ""  # a forecast's series


def run_status(path: Path) -> RunStatus:
    """Classify `path` (which must be an existing folder) from its files alone."""
    names = {p.name for p in path.iterdir() if not p.name.startswith(".")}
    if "summary.json" in names:
        try:
            summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
            recipe, epochs = str(summary.get("recipe", "")), summary.get("epochs")
            kind, series = str(summary.get("kind", "run")), str(summary.get("series", ""))
        except (OSError, ValueError, AttributeError):
            recipe, epochs, kind, series = "", None, "run", ""
        return RunStatus(path, "complete", recipe, epochs, epochs, kind=kind, series=series)
    if "config.toml" not in names:
        return RunStatus(path, "empty" if not names else "not a run")
    try:
        raw = tomllib.loads((path / "config.toml").read_text(encoding="utf-8"))
        recipe, epochs = str(raw["run"]["name"]), int(raw["train"]["epochs"])
    except (OSError, ValueError, KeyError, TypeError):
        return RunStatus(path, "not a run")
    series = str(raw.get("forecast", {}).get("series", ""))
    if series and "data" not in raw:  # rnnlab forecast writes no [data] table: its folder is claimed at the start
        return RunStatus(path, "incomplete", recipe, None, epochs, kind="forecast", series=series)
    if checkpoint.NAME not in names:
        return RunStatus(path, "incomplete", recipe, 0, epochs)
    try:
        return RunStatus(path, "incomplete", recipe, checkpoint.load(path / checkpoint.NAME).state.epoch, epochs)
    except UserError as err:
        return RunStatus(path, "incomplete", recipe, None, epochs, problem=str(err))


def restart_forecast(run_dir: Path) -> str:
    """The command that repeats an unfinished forecast into a new folder (forecasts restart;
    `rnnlab resume` continues `rnnlab run` folders)."""
    return f"rnnlab forecast --config {shlex.quote(str(run_dir / 'config.toml'))} --out NEW_FOLDER"


def list_runs(root: Path) -> list[RunStatus]:
    """The status of every folder in `root`, by name."""
    if not root.is_dir():
        raise UserError(f"{root}: no such folder")
    return [run_status(p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
