"""Where the torch engine computes, and on how many CPU threads."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch

from rnnlab.engines.base import ONE_THREAD_BELOW, step_multiply_adds
from rnnlab.errors import UserError
from rnnlab.spec import ModelSpec

DEVICES = ("auto", "cpu", "cuda", "mps")



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
        raise UserError(f"run.device=cuda: torch {torch.__version__} sees no CUDA GPU; "
                        "use run.device=auto or run.device=cpu")
    if name == "mps" and not _mps_available():
        raise UserError("run.device=mps: Apple's MPS backend is not available here; use run.device=auto or run.device=cpu")
    if name == "mps" and dtype == "float64":
        raise UserError("run.device=mps: MPS has no float64; use run.dtype=float32 or run.device=cpu")
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
        return requested, "set by run.threads"
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
