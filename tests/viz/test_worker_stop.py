"""Stopping the plotting worker: SIGTERM ends it (and its helper) wherever it is, and
leaving a BackgroundRenderer never waits on a worker for good."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from processes import catches_sigterm, children, running
from test_viz import make_windows_run

from rnnlab.viz import background
from rnnlab.viz.background import BackgroundRenderer

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and /proc")

# The worker, with its drawing code replaced by a loop that swallows every exception, as a
# library's broad `except` (or a __del__) does when SIGTERM arrives in the middle of it.
SWALLOWING_WORKER = """
import os, time
from rnnlab.viz import worker

def swallow_forever(*args, **kwargs):
    os.write(2, b"busy\\n")  # one write: the worker's and the helper's lines do not mix
    while True:
        try:
            time.sleep(3600)
        except BaseException:
            pass

worker.{name} = swallow_forever
worker.main([{flag!r}])
"""


@contextmanager
def _swallowing_worker(name: str, flag: str) -> Iterator[subprocess.Popen[bytes]]:
    """The worker with `name` (a function of rnnlab.viz.worker) swallowing; whatever is left
    of it (its process group: it and its helper) is killed on the way out."""
    code = SWALLOWING_WORKER.format(name=name, flag=flag)
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, process_group=0)
    try:
        yield proc
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            pipe.close()


def _exit_code(proc: subprocess.Popen[bytes], seconds: float = 10) -> int | None:
    """The exit code, or None when it is still running after `seconds`."""
    with suppress(subprocess.TimeoutExpired):
        return proc.wait(timeout=seconds)
    return None


def test_sigterm_ends_the_worker_even_where_the_exception_would_be_swallowed() -> None:
    with _swallowing_worker("import_drawing_libraries", "--no-helper") as proc:
        assert proc.stderr.readline() == b"busy\n"
        time.sleep(0.2)  # from the line to the swallowing `try` takes microseconds
        proc.terminate()
        assert _exit_code(proc) == 128 + signal.SIGTERM


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the helper is forked on Linux")
def test_sigterm_ends_the_helper_with_the_worker(tmp_path: Path) -> None:
    run = make_windows_run(tmp_path / "run")
    with _swallowing_worker("draw_share", "--helper") as proc:  # the worker's share and the helper's
        pickle.dump(str(run), proc.stdin)
        proc.stdin.flush()
        assert proc.stderr.readline() == proc.stderr.readline() == b"busy\n"  # both are drawing
        helpers = children(proc.pid)
        assert len(helpers) == 1, helpers
        time.sleep(0.2)
        proc.terminate()
        assert _exit_code(proc) == 128 + signal.SIGTERM
        deadline = time.monotonic() + 10
        while running(helpers) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not running(helpers), "the helper outlived the worker"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_leaving_kills_a_worker_that_does_not_stop(monkeypatch) -> None:
    monkeypatch.setattr(background, "STOP_SECONDS", 0.5)
    renderer = BackgroundRenderer()
    assert renderer.process is not None
    deadline = time.monotonic() + 30  # before its handler is in, SIGTERM would end even a stopped worker
    while not catches_sigterm(renderer.process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(renderer.process.pid, signal.SIGSTOP)  # a stopped process acts on no SIGTERM and no end of input
    started = time.monotonic()
    renderer.close()
    assert renderer.process.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 10
