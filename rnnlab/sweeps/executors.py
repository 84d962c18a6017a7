"""Where a sweep's tasks run: local worker processes (all cores, one BLAS thread each), or
a running Dask distributed scheduler (`--scheduler tcp://host:8786`), which reaches SSH,
SLURM and Kubernetes clusters with the same calls.

Both give `submit(fn, *args)` and `first_done(futures)`, which waits for at least one
task to finish and gives (future, result or exception) for every finished one. A lost worker is survived: Dask reschedules its tasks on
another worker itself; the local pool is rebuilt and the unfinished tasks are submitted
again (the sweep resubmits them; a trial continues from its checkpoint).
"""

from __future__ import annotations

import os
import signal
from typing import Any, Callable, Iterable, Protocol

from rnnlab.errors import UserError

# every math library in a worker on one thread: the workers share the cores
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                     "NUMBA_NUM_THREADS")}


class Executor(Protocol):
    workers: int
    where: str  # for people: "4 local processes", "dask tcp://..."

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any: ...
    def first_done(self, futures: Iterable[Any]) -> list[tuple[Any, Any]]: ...
    def lost_workers(self, error: BaseException) -> bool: ...
    def restart(self) -> None: ...
    def close(self, cancel: bool) -> None: ...


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the sweep, which stops them itself (and keeps what finished)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class LocalExecutor:
    """Worker processes on this machine (joblib's loky: fresh interpreters, started in a
    tenth of a second)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.where = f"{self.workers} local process{'es' if self.workers > 1 else ''}"
        self._pool = self._start()

    def _start(self) -> Any:
        from joblib.externals.loky import ProcessPoolExecutor

        return ProcessPoolExecutor(max_workers=self.workers, initializer=_ignore_sigint, env=ONE_THREAD)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self._pool.submit(fn, *args)

    def first_done(self, futures: Iterable[Any]) -> list[tuple[Any, Any]]:
        from concurrent.futures import FIRST_COMPLETED, wait

        done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
        return [(f, f.exception() if f.exception() is not None else f.result()) for f in done]

    def lost_workers(self, error: BaseException) -> bool:
        from concurrent.futures.process import BrokenProcessPool

        return isinstance(error, BrokenProcessPool)

    def restart(self) -> None:
        self._pool.shutdown(wait=False, kill_workers=True)
        self._pool = self._start()

    def close(self, cancel: bool) -> None:
        """Finish (or, with `cancel`, kill the workers and drop what is queued). A pool torn
        down mid-task makes loky's manager thread trip over the vanished work; that is the
        teardown itself, not news for the user, so it is kept off the terminal."""
        if not cancel:
            self._pool.shutdown(wait=True)
            return
        import threading

        previous = threading.excepthook
        threading.excepthook = lambda args: None if args.thread and "Executor" in args.thread.name else previous(args)
        try:
            self._pool.shutdown(wait=True, kill_workers=True)
        finally:
            threading.excepthook = previous


class DaskExecutor:
    """Tasks on a running Dask distributed scheduler. A task whose worker dies is retried on
    another (`retries`); the trial's checkpoint makes the retry exact."""

    def __init__(self, address: str, retries: int = 2) -> None:
        try:
            from distributed import Client
        except ModuleNotFoundError:
            raise UserError('a Dask scheduler needs dask distributed: pip install ".[dask]"') from None
        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as err:
            raise UserError(f"cannot reach the Dask scheduler at {address} ({err}); start one with "
                            "`dask scheduler` or check the address") from None
        self.retries = retries
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))
        self.where = f"dask {address} ({self.workers} worker thread{'s' if self.workers > 1 else ''})"

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False, retries=self.retries)

    def first_done(self, futures: Iterable[Any]) -> list[tuple[Any, Any]]:
        from distributed import as_completed

        futures = list(futures)
        next(as_completed(futures, loop=self.client.loop))  # this client: it is not the process's default
        return [(f, f.exception() if f.status == "error" else f.result()) for f in futures if f.done()]

    def lost_workers(self, error: BaseException) -> bool:
        return False  # the scheduler has already retried the task elsewhere

    def restart(self) -> None: ...

    def close(self, cancel: bool) -> None:
        self.client.close()
