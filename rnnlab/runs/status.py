"""What state a run folder is in: complete (summary.json, written last, exists),
incomplete (resumable: config.toml, maybe a checkpoint), diverged (diverged.json: resuming
would repeat it), damaged (config.toml cannot be read), empty, or not a run folder.

Only regular files are read (rnnlab.runs.folder.open_regular): one odd file, a FIFO under
a run file's name, must not block the listing of every run.
"""

from __future__ import annotations

import json
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rnnlab.errors import UserError
from rnnlab.runs import checkpoint
from rnnlab.runs.folder import after_end, read_text

State = Literal["complete", "incomplete", "diverged", "damaged", "empty", "not a run"]
DIVERGED = "diverged.json"  # written when training diverged: epoch, reason, checkpoint_epoch, lr, max_loss_factor


@dataclass(frozen=True)
class RunStatus:
    path: Path
    state: State
    recipe: str = ""
    epoch: int | None = None  # epochs done: the final count, or the latest checkpoint's (0: none yet)
    epochs: int | None = None  # the run's total
    problem: str = ""  # why the run cannot be resumed as it is, and what to do
    kind: str = "run"  # summary.json's kind: "run", "ensemble" or "forecast" (what `rnnlab resume` can continue)
    series: str = ""  # a forecast's series
    leftovers: tuple[str, ...] = ()  # a complete run's working files a kill just after its end left


def run_status(path: Path) -> RunStatus:
    """Classify `path` (which must be an existing folder) from its files alone."""
    names = {p.name for p in path.iterdir() if not p.name.startswith(".")}
    if "summary.json" in names:
        try:
            summary = json.loads(read_text(path / "summary.json"))
            recipe, epochs = str(summary.get("recipe", "")), summary.get("epochs")
            kind, series = str(summary.get("kind", "run")), str(summary.get("series", ""))
        except (OSError, ValueError, AttributeError):
            recipe, epochs, kind, series = "", None, "run", ""
        return RunStatus(path, "complete", recipe, epochs, epochs, kind=kind, series=series,
                         leftovers=tuple(after_end(path)))
    if "config.toml" not in names:
        return RunStatus(path, "empty" if not names else "not a run")
    try:
        raw = tomllib.loads(read_text(path / "config.toml"))
        recipe, epochs = str(raw["run"]["name"]), int(raw["train"]["epochs"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        return RunStatus(path, "damaged", problem=f"{path / 'config.toml'}: cannot be read ({_one_line(err)}); "
                         "restore it: the checkpoint belongs to its exact settings")
    series = str(raw.get("forecast", {}).get("series", ""))
    if series and "data" not in raw:  # rnnlab forecast writes no [data] table: its folder is claimed at the start
        return RunStatus(path, "incomplete", recipe, None, epochs, kind="forecast", series=series)
    epoch, problem = _checkpoint_epoch(path, names)
    if DIVERGED in names:
        return RunStatus(path, "diverged", recipe, epoch, epochs, _diverged_advice(path, raw))
    return RunStatus(path, "incomplete", recipe, epoch, epochs, problem)


def _checkpoint_epoch(path: Path, names: set[str]) -> tuple[int | None, str]:
    if checkpoint.NAME not in names:
        return 0, ""
    try:
        return checkpoint.load(path / checkpoint.NAME).state.epoch, ""
    except UserError as err:
        return None, str(err)


def _diverged_advice(path: Path, config: dict[str, Any]) -> str:
    """Where training diverged, and the commands that go on from there."""
    try:
        info = json.loads(read_text(path / DIVERGED))
        said = f"training diverged at epoch {int(info.get('epoch', info.get('diverged_epoch')))} ({info['reason']})"
    except (OSError, ValueError, KeyError, TypeError):
        info, said = {}, "training diverged"
    lr = config.get("optim", {}).get("lr")
    rerun = (f"rnnlab run {shlex.quote(str(path / 'config.toml'))}"
             + (f" --set optim.lr={lr / 10:g}" if isinstance(lr, (int, float)) else ""))
    advice = f"{said}, and resuming would repeat it; start a new run with a smaller learning rate: {rerun}"
    if "train.max_loss_factor" in str(info.get("reason", "")):
        factor = config.get("train", {}).get("max_loss_factor", 1e3)
        advice += (f"; or, if the loss would come back down, raise the bound: rnnlab resume "
                   f"{shlex.quote(str(path))} --set train.max_loss_factor={factor * 1000:g}")
    return advice


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def restart_forecast(run_dir: Path) -> str:
    """The command that repeats an unfinished forecast into a new folder (forecasts restart;
    `rnnlab resume` continues `rnnlab run` folders)."""
    return f"rnnlab forecast --config {shlex.quote(str(run_dir / 'config.toml'))} --out NEW_FOLDER"


def list_runs(root: Path) -> list[RunStatus]:
    """The status of every folder in `root`, by name."""
    if not root.is_dir():
        raise UserError(f"{root}: no such folder")
    return [run_status(p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
