"""The memory a training job needs, estimated before anything big is allocated, against
what the machine has: a model too big for memory is one line with both numbers, not a
MemoryError traceback after minutes of setup.

The estimate counts only what every engine surely holds at once: each member's
parameters, their gradients and the optimizer's slots, and the hidden states BPTT keeps
for a backward pass. Engines hold more (copies, workspaces), so a job refused here could
never have run; one that passes may still be close to the limit.
"""

from __future__ import annotations

import os
import resource
from math import prod
from pathlib import Path

from rnnlab.errors import UserError
from rnnlab.spec import ModelSpec, TrainingSpec

OPTIMIZER_SLOTS = {"sgd": 0, "momentum": 1, "adam": 2}  # arrays the size of the parameters


def needed_bytes(spec: ModelSpec, training: TrainingSpec, data_shape: tuple[int, ...], itemsize: int,
                 members: int = 1) -> int:
    """Bytes `members` models of `spec` need at least while training on inputs shaped
    `data_shape` (N, L, D): parameters, gradients, optimizer slots, kept hidden states."""
    params = sum(prod(shape) for shape in spec.param_shapes.values())
    n, length = (data_shape[0], data_shape[1]) if len(data_shape) >= 2 else (1, data_shape[0])
    steps = min(length, training.truncate) if training.schedule == "online" and training.truncate > 0 else length
    states = n * steps * spec.hidden * spec.layers
    return members * itemsize * (params * (2 + OPTIMIZER_SLOTS.get(training.optimizer, 0)) + states)


def available_bytes() -> int | None:
    """Memory this process may still take: the least of the machine's available memory,
    its cgroup's remaining allowance and its address-space limit (None: unknown)."""
    found = [v for v in (_meminfo_available(), _cgroup_left(), _address_space_left()) if v is not None]
    return min(found) if found else None


def check_memory(needed: int, advice: str) -> None:
    """UserError, naming both amounts and `advice`, when `needed` bytes cannot fit."""
    have = available_bytes()
    if have is not None and needed > have:
        raise UserError(f"training needs at least {_size(needed)} of memory (parameters, gradients, optimizer "
                        f"state and the hidden states kept for BPTT), and {_size(have)} is available; {advice}")


def _size(n: int) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n / 1e3:.3g} kB"


def _meminfo_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_left() -> int | None:
    root = Path("/sys/fs/cgroup")
    try:
        limit = (root / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return max(0, int(limit) - int((root / "memory.current").read_text()))
    except (OSError, ValueError):
        return None


def _address_space_left() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        used = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        used = 0
    return max(0, soft - used)
