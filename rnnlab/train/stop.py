"""Stopping training cleanly on request: a flag the trainer checks at every step
boundary, and a Ctrl-C handler that sets it (installed by the caller, then restored)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class StopRequest:
    """Set it (from a signal handler, another thread, a callback) and training stops at the
    next step boundary, after writing a checkpoint."""

    def __init__(self) -> None:
        self.requested = False

    def set(self) -> None:
        self.requested = True


@contextmanager
def stop_on_sigint(stop: StopRequest) -> Iterator[StopRequest]:
    """While active, the first Ctrl-C sets `stop`; a second one raises KeyboardInterrupt as
    usual, for when the next boundary is too far away. Outside the main thread (where
    handlers cannot be installed) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: object) -> None:
        if stop.requested:
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def interrupt_on_sigint() -> Iterator[None]:
    """While active, Ctrl-C raises KeyboardInterrupt, as Python's default does, even when
    the process started with SIGINT ignored (a job a shell started in the background with
    `&`): `kill -INT` then stops it as it stops a run. Outside the main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
