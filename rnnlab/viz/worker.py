"""The plotting worker process: ``python -m rnnlab.viz.worker`` (started by rnnlab.viz.background).

It imports the drawing libraries at once, then reads one pickled request from stdin: the
path of a run folder whose results are written. It draws the folder's plots and writes
one pickled reply to stdout: ("ok", [Drawing, ...]) or ("error", one line). End of input
instead of a request (the parent went away) ends it quietly. On Linux it forks a helper
for the request, and the two draw the two shares of rnnlab.viz.drawing at once.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from rnnlab.viz.drawing import Drawing, draw_share, import_drawing_libraries

# macOS system libraries are not fork-safe; elsewhere there is no fork.
FORK_HELPER = sys.platform.startswith("linux")

_helper: BaseProcess | None = None  # the forked helper while it draws: SIGTERM stops it too


class DrawingFailed(Exception):
    """The plots could not be drawn; the message is one line naming the cause."""


def one_line(err: BaseException) -> str:
    """``err`` as one line: its type and message (DrawingFailed: the message alone)."""
    text = " ".join(str(err).split())
    if isinstance(err, DrawingFailed):
        return text
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def draw(run_dir: Path, *, helper: bool) -> list[Drawing]:
    """The drawing of ``run_dir``: both shares at once, the second in a forked helper, or
    (``helper`` False) all of it here."""
    if not helper:
        return [draw_share(run_dir)]
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_draw_into, args=(sender, run_dir, 1, 2), name="rnnlab-plots-helper")
    global _helper
    process.start()
    _helper = process
    sender.close()
    try:
        first = draw_share(run_dir, 0, 2)
        try:
            status, second = receiver.recv()
        except EOFError:
            process.join()
            raise DrawingFailed(f"the plotting helper stopped unexpectedly (exit code {process.exitcode})") from None
    except BaseException:
        process.terminate()
        raise
    finally:
        _helper = None
        process.join()
        receiver.close()
    if status != "ok":
        raise DrawingFailed(second)
    return [first, second]


def _draw_into(conn: Connection, run_dir: Path, share: int, shares: int) -> None:
    try:
        reply: tuple[str, Any] = ("ok", draw_share(run_dir, share, shares))
    except Exception as err:  # noqa: BLE001 - reported by the worker as one line
        reply = ("error", one_line(err))
    try:
        conn.send(reply)
    except OSError:  # the worker is gone
        pass


def _stop(signum: int, frame: object) -> None:
    """SIGTERM: stop the helper, if any, and exit now. Not by raising SystemExit: raised at
    whatever line the worker is on (importing matplotlib, say), it can be swallowed by a
    library's broad `except` or a __del__, and the worker would then wait for a request
    that never comes while the parent waits for it to end."""
    if _helper is not None and _helper.pid is not None:
        try:
            os.kill(_helper.pid, signal.SIGTERM)
        except OSError:  # it has ended already
            pass
    os._exit(128 + signum)


def serve(requests: BinaryIO, replies: BinaryIO, *, helper: bool = FORK_HELPER) -> None:
    """Import the drawing libraries, then answer one request (see the module docstring)."""
    try:
        import_drawing_libraries()
    except Exception:  # noqa: BLE001 - drawing fails again below, and that error is reported
        pass
    try:
        run_dir = Path(pickle.load(requests))
    except EOFError:
        return
    try:
        reply: tuple[str, Any] = ("ok", draw(run_dir, helper=helper))
    except Exception as err:  # noqa: BLE001 - any failure becomes one line in the parent
        reply = ("error", one_line(err))
    try:
        pickle.dump(reply, replies)
        replies.flush()
    except OSError:  # the parent is gone
        pass


def main(argv: list[str]) -> NoReturn:
    """``--helper`` / ``--no-helper`` override FORK_HELPER (tests draw both ways)."""
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops this
    helper = {"--helper": True, "--no-helper": False}.get(argv[0], FORK_HELPER) if argv else FORK_HELPER
    replies = os.fdopen(os.dup(1), "wb")
    # Stray prints must not corrupt the replies: fd 1 becomes stderr (or nothing).
    os.dup2(sys.stderr.fileno() if sys.stderr is not None else os.open(os.devnull, os.O_WRONLY), 1)
    serve(sys.stdin.buffer, replies, helper=helper)
    # Not the usual exit: tearing down matplotlib's modules takes a fifth of a second,
    # which the parent would spend waiting.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
