"""Stopping the plotting worker: SIGTERM ends it (and its helper) wherever it is, and
leaving a BackgroundRenderer never waits on a worker for good."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_viz import make_windows_run

from rnnlab.viz import background
from rnnlab.viz.background import BackgroundRenderer

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and /proc")

# The worker, with its drawing code replaced by a loop that swallows every exception, as a
# library's broad `except` (or a __del__) does when SIGTERM arrives in the middle of it.
SWALLOWING_WORKER = """
import sys, time
from rnnlab.viz import worker, drawing

def swallow_forever(*args, **kwargs):
    print("busy", file=sys.stderr, flush=True)
    while True:
        try:
            time.sleep(0.01)
        except BaseException:
            pass

worker.{name} = swallow_forever
worker.main([{flag!r}])
"""


def _start(name: str, flag: str) -> subprocess.Popen[bytes]:
    code = SWALLOWING_WORKER.format(name=name, flag=flag)
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, process_group=0)


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        try:
            stat = (Path("/proc") / entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        if entry.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            kids.append(int(entry))
    return kids


def _end(proc: subprocess.Popen[bytes], seconds: float = 10) -> int | None:
    """The exit code, or None (and the process killed) when it is still there after `seconds`."""
    try:
        return proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None
    finally:
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            pipe.close()


def test_sigterm_ends_the_worker_even_where_the_exception_would_be_swallowed() -> None:
    proc = _start("import_drawing_libraries", "--no-helper")
    assert proc.stderr.readline() == b"busy\n"  # SIGTERM now lands inside the swallowing loop
    proc.terminate()
    assert _end(proc) == 128 + signal.SIGTERM


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the helper is forked on Linux")
def test_sigterm_ends_the_helper_with_the_worker(tmp_path: Path) -> None:
    import pickle

    run = make_windows_run(tmp_path / "run")
    proc = _start("draw_share", "--helper")  # both shares swallow: the worker's and the helper's
    pickle.dump(str(run), proc.stdin)
    proc.stdin.flush()
    assert proc.stderr.readline() == b"busy\n"
    deadline = time.monotonic() + 30
    while not (helpers := _children(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert helpers, "the worker started no helper"
    proc.terminate()
    assert _end(proc) == 128 + signal.SIGTERM
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not [pid for pid in helpers if Path(f"/proc/{pid}").exists()], "the helper outlived the worker"


def _catches_sigterm(pid: int) -> bool:
    """Whether `pid` has a handler of its own for SIGTERM (the SigCgt mask in /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16)
    return bool(caught >> (signal.SIGTERM - 1) & 1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_leaving_kills_a_worker_that_does_not_stop(monkeypatch) -> None:
    monkeypatch.setattr(background, "STOP_SECONDS", 0.5)
    renderer = BackgroundRenderer()
    assert renderer.process is not None
    deadline = time.monotonic() + 30  # before its handler is in, SIGTERM would end even a stopped worker
    while not _catches_sigterm(renderer.process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(renderer.process.pid, signal.SIGSTOP)  # a stopped process acts on no SIGTERM and no end of input
    started = time.monotonic()
    renderer.close()
    assert renderer.process.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 10
