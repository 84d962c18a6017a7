"""How many threads NumPy's BLAS may use while the engine computes.

OpenBLAS splits every matrix product over all cores by default. For this engine's
products (a batch of at most a few hundred rows times a few hundred columns) that costs
more than it saves, and on a busy machine it is ruinous: a 128x256 @ 256x256 product took
7.3 ms with two threads and 0.31 ms with one on the 2-core development machine while
other jobs ran (benchmarks/README.md). So the engine asks for one thread below the same
work bound the torch engine uses, and leaves BLAS alone above it. The limit holds only
while the engine computes (threadpoolctl restores it), so other NumPy code is unaffected.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from functools import lru_cache
from typing import Any

from rnnlab.engines.base import ONE_THREAD_BELOW, step_multiply_adds
from rnnlab.spec import ModelSpec


def choose_threads(model: ModelSpec, batch: int) -> tuple[int | None, str]:
    """(1, why) for small models; (None, why) to keep BLAS's own default."""
    work = step_multiply_adds(model, batch)
    if work < ONE_THREAD_BELOW:
        return 1, f"{work:,} multiply-adds per step < {ONE_THREAD_BELOW:,}: one BLAS thread"
    return None, f"{work:,} multiply-adds per step: BLAS's default threads"


@lru_cache(maxsize=1)
def _blas() -> Any:
    """threadpoolctl's handle on the loaded BLAS libraries (found once: a scan of the
    process's libraries, about a millisecond)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")


def rescan_blas() -> None:
    """Find BLAS libraries loaded since the first scan (scipy's, which numba's products call)."""
    _blas.cache_clear()


def blas_threads(n: int | None) -> AbstractContextManager[Any]:
    """A context in which BLAS uses `n` threads (None: unchanged). About 30 us to enter."""
    return nullcontext() if n is None else _blas().limit(limits=n)
