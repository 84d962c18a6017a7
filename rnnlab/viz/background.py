"""Drawing a run's plots in a worker process started before training.

Importing matplotlib takes most of a second and training keeps one core busy, so
the worker (rnnlab.viz.worker, a fresh interpreter: nothing of this process, such
as torch or JAX threads, is inherited) imports it meanwhile. It reads only the
run folder: it is handed the folder's path once training has written the results,
draws, and sends the bytes back; this process writes them, so a failed write is
reported like any other.

The worker runs in its own process group, so Ctrl-C at the terminal reaches only
this process, which stops the worker when leaving the ``with`` block (training
failed or was interrupted); without a request it exits when this process does.
If no process can be started, the plots are drawn in this one after training.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import Any

from rnnlab.viz.drawing import RenderResult, join
from rnnlab.viz.worker import DrawingFailed

__all__ = ["BackgroundRenderer", "DrawingFailed"]

STOP_SECONDS = 10.0  # a worker asked to stop that is still there after this is killed


class BackgroundRenderer:
    """A worker process that draws one run folder's plots; use it as a context manager.

    ``helper``: whether the worker forks a helper that draws half of the work at once
    (None: rnnlab.viz.worker.FORK_HELPER, true on Linux).
    """

    def __init__(self, *, helper: bool | None = None) -> None:
        command = [sys.executable, "-m", "rnnlab.viz.worker"]
        if helper is not None:
            command.append("--helper" if helper else "--no-helper")
        group: dict[str, Any] = ({"process_group": 0} if os.name == "posix"
                                 else {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP})
        self._replied = False
        try:
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, **group)
        except OSError:  # no second process here: render() draws in this one
            self._process = None

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The worker (None when it could not be started, and drawing happens here)."""
        return self._process

    def render(self, run_dir: Path) -> RenderResult:
        """Draw ``run_dir``'s plots (its results must be written) and write them there.

        Raises DrawingFailed when drawing fails, OSError (naming the file) when writing does.
        """
        from rnnlab.viz import render_run

        if self._process is None:
            return render_run(run_dir)
        assert self._process.stdin is not None and self._process.stdout is not None
        try:
            pickle.dump(str(run_dir), self._process.stdin)
            self._process.stdin.close()
            status, payload = pickle.load(self._process.stdout)
        except (EOFError, OSError, pickle.UnpicklingError):
            code = self._process.wait()
            raise DrawingFailed(f"the plotting process stopped unexpectedly (exit code {code})") from None
        self._replied = True
        if status != "ok":
            raise DrawingFailed(payload)
        return join(payload).write(Path(run_dir))

    def close(self) -> None:
        """Stop the worker unless it has replied (then it is exiting) and wait for it: end
        of input and SIGTERM, each of which ends it, then (should it still be there after
        STOP_SECONDS) SIGKILL. Leaving never hangs on the worker."""
        if self._process is None:
            return
        if self._process.stdin is not None and not self._process.stdin.closed:
            with suppress(OSError):  # a worker that is gone has closed its end
                self._process.stdin.close()
        if not self._replied:
            self._process.terminate()
        try:
            self._process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def __enter__(self) -> BackgroundRenderer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
