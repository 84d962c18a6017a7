"""kill -9 at random moments, then `rnnlab resume`: the run ends byte for byte where an
uninterrupted one does, and in between the folder only ever holds complete files."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from reliability_support import assert_same_results, call, engine_cases, long_run_args, rnnlab_command

from rnnlab.runs import checkpoint
from rnnlab.runs.folder import load_params

SEEDS = {"numpy": (0, 1, 2, 3), "torch": (1, 2)}  # seed 0: killed as soon as training starts


def _start_then_kill(out: Path, engine: str, delay: float) -> None:
    proc = subprocess.Popen(rnnlab_command(*long_run_args(engine), "--out", str(out)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (out / "config.toml").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)  # the folder appears once setup is done: training starts now
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _check_left_behind(out: Path) -> None:
    """Whatever the moment of the kill, every file under its final name is whole."""
    if (out / checkpoint.NAME).exists():
        ckpt = checkpoint.load(out / checkpoint.NAME)
        assert 0 < ckpt.state.epoch and ckpt.state.epoch % 250 == 0
    if (out / "params.npz").exists():
        assert load_params(out / "params.npz")
    if (out / "summary.json").exists():
        json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize("engine,seed", engine_cases(SEEDS, SEEDS["torch"]), indirect=["engine"])
def test_sigkill_at_a_random_moment_then_resume_gives_the_same_bytes(tmp_path, engine, reference, seed):
    delay = 0.0 if seed == 0 else random.Random(seed).uniform(0.0, 1.2 * reference.train_seconds)
    out = tmp_path / "run"
    _start_then_kill(out, engine, delay)
    _check_left_behind(out)
    if not (out / "summary.json").exists():
        done = call("resume", str(out), "--no-plots", "--quiet")
        assert done.returncode == 0, done.stderr
    assert_same_results(reference.out, out)
    assert not list(out.glob(".*")), "temporary files left behind"
    assert not (out / checkpoint.NAME).exists()  # a complete run drops its checkpoint

