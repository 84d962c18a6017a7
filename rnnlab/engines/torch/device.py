"""Where the torch engine computes, and on how many CPU threads."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch

from rnnlab.engines.base import step_multiply_adds
from rnnlab.errors import UserError
from rnnlab.model import ModelSpec

DEVICES = ("auto", "cpu", "cuda", "mps")

# Multiply-adds of one step (cell and readout, whole batch) below which one thread wins.
# Measured on the 2-core development machine (docs/engines.md): primer-torch (128 x 32 x
# (6 + 32 + 8) = 188,416) trains 2-20x faster on one thread than on two, because each op
# is a few microseconds of work and handing half of it to a second thread costs more than
# it saves. Up to 283 M two threads never won there; the bound sits where one step's
# matrix products take about a millisecond, so the thread hand-off is a small cost.
ONE_THREAD_BELOW = 20_000_000


def resolve_device(name: str, dtype: str) -> torch.device:
    """'auto' picks CUDA, then MPS (float32 only: MPS has no float64), then the CPU.

    An explicit device that is not there is a UserError, not a silent fallback."""
    if name not in DEVICES:
        raise UserError(f"run.device: unknown device {name!r}; choose from {', '.join(DEVICES)}")
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if dtype == "float32" and _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise UserError(f"--device cuda: torch {torch.__version__} sees no CUDA GPU; "
                        "use --device auto or --device cpu")
    if name == "mps" and not _mps_available():
        raise UserError("--device mps: Apple's MPS backend is not available here; use --device auto or --device cpu")
    if name == "mps" and dtype == "float64":
        raise UserError("--device mps: MPS has no float64; use --dtype float32 or --device cpu")
    return torch.device(name)


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def choose_threads(requested: int, model: ModelSpec, batch: int) -> tuple[int, str]:
    """The intra-op thread count for a model of this size, and why.

    `requested` > 0 wins. Otherwise one thread when a step's work, the multiply-adds of
    every layer's gates and of the readout on the whole batch, is below ONE_THREAD_BELOW:
    tiny ops spend more time handing work to a second thread than computing. Larger
    models keep torch's default (one thread per core).
    """
    if requested > 0:
        return requested, "set by run.threads (--threads)"
    work = step_multiply_adds(model, batch)
    if work < ONE_THREAD_BELOW:
        return 1, f"auto: {work:,} multiply-adds per step < {ONE_THREAD_BELOW:,}, one thread is fastest"
    return torch.get_num_threads(), f"auto: {work:,} multiply-adds per step, torch's default"


@contextmanager
def num_threads(n: int) -> Iterator[None]:
    """torch's thread count is process-wide: set it for one call and put it back (cheap)."""
    before = torch.get_num_threads()
    if n != before:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if n != before:
            torch.set_num_threads(before)
