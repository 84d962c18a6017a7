"""Ctrl-C stops at the next step boundary, writes a checkpoint, prints one line saying
how to resume, exits 130 without a traceback; the resumed run is the uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from processes import children, communicate, running
from reliability_support import assert_same_results, call, error_lines, long_run_args, rnnlab_command

from rnnlab.runs import checkpoint
from rnnlab.train.stop import StopRequest, stop_on_sigint


def test_ctrl_c_checkpoints_and_exits_130_then_resume_matches(tmp_path, engine, reference):
    out = tmp_path / "run"
    proc = subprocess.Popen(rnnlab_command(*long_run_args(engine), "--out", str(out)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out / checkpoint.NAME).exists() and time.monotonic() < deadline:  # mid-training
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, stderr = communicate(proc, 60)
    assert proc.returncode == 130, stderr
    lines = error_lines(stderr)
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith("rnnlab: interrupted at epoch ") and f"rnnlab resume {out}" in lines[0]
    epoch = int(lines[0].split("epoch ")[1].split()[0])
    assert checkpoint.load(out / checkpoint.NAME).state.epoch == epoch
    assert not (out / "summary.json").exists()
    done = call("resume", str(out), "--no-plots", "--quiet")
    assert done.returncode == 0, done.stderr
    assert_same_results(reference.out, out)


def test_the_old_sigint_handler_comes_back():
    before = signal.getsignal(signal.SIGINT)
    stop = StopRequest()
    with stop_on_sigint(stop):
        signal.raise_signal(signal.SIGINT)  # first Ctrl-C: a request, no exception
        assert stop.requested
        with pytest.raises(KeyboardInterrupt):  # the second one gets through
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process table from /proc")
def test_ctrl_c_with_plots_leaves_no_process_behind(tmp_path):
    """Ctrl-C at a terminal goes to the whole foreground process group: the plotting worker
    must neither print anything nor outlive rnnlab."""
    out = tmp_path / "run"
    args = [a for a in long_run_args("numpy") if a != "--no-plots"]
    proc = subprocess.Popen(rnnlab_command(*args, "--out", str(out)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not (out / checkpoint.NAME).exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    workers = children(proc.pid)
    assert workers, "no plotting worker was started"
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = communicate(proc, 60)
    assert proc.returncode == 130, stderr
    lines = error_lines(stderr)
    assert len(lines) == 1 and lines[0].startswith("rnnlab: interrupted at epoch "), stderr
    assert not running(workers)
