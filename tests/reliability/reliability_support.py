"""Helpers for the reliability tests: rnnlab run the way a user runs it (a separate
process), the engines present, and byte-for-byte comparison of run folders."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnnlab.config import Config
from rnnlab.engines import _ENGINES, ENGINE_NAMES
from rnnlab.errors import Interrupted
from rnnlab.runs.records import TrainState
from rnnlab.train.callbacks import Callback
from rnnlab.train.runner import run
from rnnlab.train.stop import StopRequest

# Long enough to be killed mid-training, short enough to run many times (torch starts slower).
EPOCHS = {"numpy": 3000}
DEFAULT_EPOCHS = 1500
RESULT_FILES = ("params.npz", "metrics.csv", "history.npz", "predictions.npz", "inspection.npz")


def _missing_dependency(engine: str) -> pytest.MarkDecorator:
    extra = _ENGINES[engine][2]
    missing = extra is not None and importlib.util.find_spec(extra) is None
    return pytest.mark.skipif(missing, reason=f"{extra} is not installed")


def engine_params() -> list:
    """Every registered engine; skipped only when its optional dependency is not installed."""
    return [pytest.param(name, marks=_missing_dependency(name)) for name in ENGINE_NAMES]


def engine_cases(per_engine: dict[str, tuple], default: tuple) -> list:
    """(engine, case) pairs, e.g. kill seeds: fewer for engines that start slowly."""
    return [pytest.param(name, case, marks=_missing_dependency(name))
            for name in ENGINE_NAMES for case in per_engine.get(name, default)]


def rnnlab_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "rnnlab", *args]


def call(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`rnnlab ARGS` in a fresh process; output captured as text."""
    return subprocess.run(rnnlab_command(*args), capture_output=True, text=True, timeout=timeout)


def long_run_args(engine: str) -> list[str]:
    epochs = str(EPOCHS.get(engine, DEFAULT_EPOCHS))
    return ["run", "sine-recurrent", "--engine", engine, "--seed", "5", "--epochs", epochs,
            "--checkpoint-every", "250", "--no-plots", "--quiet"]


def assert_same_results(a: Path, b: Path, names: tuple[str, ...] = RESULT_FILES) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs between {a} and {b}"


def error_lines(stderr: str) -> list[str]:
    """The lines of stderr that report an error: not the numba engine's compile notice, which
    a busy machine prints even for a cache load (it waits only a second)."""
    return [line for line in stderr.splitlines() if line.strip() and "compiling the numba engine's kernel" not in line]


class StopAfter(Callback):
    """A callback that asks training to stop once `epoch` epochs are done."""

    def __init__(self, epoch: int, stop: StopRequest) -> None:
        self.epoch, self.stop = epoch, stop

    def on_progress(self, state: TrainState, losses: np.ndarray) -> None:
        if state.epoch >= self.epoch:
            self.stop.set()


def interrupted_run(cfg: Config, out, epoch: int, **options) -> Interrupted:
    stop = StopRequest()
    with pytest.raises(Interrupted) as caught:
        run(cfg, out, argv=[], callbacks=[StopAfter(epoch, stop)], plots=False, stop=stop, **options)
    return caught.value
