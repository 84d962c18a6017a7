"""M members batched on NumPy: every parameter, optimizer state and data array carries a
leading member axis, and one pass of the engine's own arithmetic (backprop.py) trains a
block of members at once. Member i computes what a NumpyEngine alone would (the same BLAS
product per member, the same reductions), so a block costs the Python overhead of one
model, not of each member.

Floating-point errors cannot raise here, since one member's overflow must not stop the
others: a chunk runs with errors ignored, and a member whose losses or parameters are no
longer finite is marked failed, its losses NaN from its first bad epoch and its parameters
NaN from then on (NaN stays in that member's rows: no operation mixes members).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from rnnlab.core.init import GATES
from rnnlab.engines.base import check_params
from rnnlab.engines.bptt.backprop import Backprop
from rnnlab.engines.bptt.threads import blas_threads, choose_threads
from rnnlab.spec import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]

# A block's largest array, (members, N, steps, gates), stays under this. NumPy's temporaries
# above glibc's mmap threshold (128 KiB) are mapped afresh and page-faulted on every
# operation: 1,000 primer-torch members in one block took 100 us per member and epoch on
# the 2-core development machine, in blocks of 4 about 50 (one NumpyEngine: 70).
BLOCK_BYTES = 64 * 1024


def block_members(model: ModelSpec, training: TrainingSpec, x: np.ndarray) -> int:
    """Members per block for one member's inputs x (N, L, D): the steps of one update
    (`truncate` online) times samples times gate units, as many as fit BLOCK_BYTES."""
    n, steps, _ = x.shape
    if training.schedule == "online":
        steps = min(steps, training.truncate)
    return max(1, BLOCK_BYTES // (n * steps * GATES[model.cell] * model.hidden * x.itemsize))


class NumpyEnsemble:
    """Members share `model` and every training setting but the learning rate."""

    name = "numpy"
    vectorised = True

    def __init__(self, model: ModelSpec, trainings: Sequence[TrainingSpec], dtype: str) -> None:
        self.model, self.training, self.dtype = model, trainings[0], np.dtype(dtype)
        self.members = len(trainings)
        self.lrs = np.array([t.lr for t in trainings], dtype=np.float64)
        self.blocks: list[tuple[slice, Backprop]] = []  # set by set_data
        self.block_size = 0
        self.forward = Backprop(model, self.training, self.lrs, member_axes=1)  # predictions, all members at once
        self.params: Params = {}
        self.x = self.y = np.zeros(0)
        self.failed = np.zeros(self.members, dtype=bool)
        self.threads, self.threads_rule = choose_threads(model, batch=1)

    def info(self) -> dict[str, object]:
        return {"blas_threads": self.threads or "default", "blas_threads_rule": self.threads_rule,
                "vectorised_members": self.members, "members_per_block": self.block_size}

    def set_params(self, params: Sequence[Params]) -> None:
        for p in params:
            check_params(self.model, p)
        self.params = {name: np.stack([p[name] for p in params]).astype(self.dtype) for name in params[0]}
        self._freeze_failed()

    def get_params(self) -> list[Params]:
        return [{name: value[i].copy() for name, value in self.params.items()} for i in range(self.members)]

    def set_data(self, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> None:
        """One (x, y) per member, stacked: (M, N, L, D) and (M, N, O) or (M, N, L, O).
        Their shapes size the blocks, each with a fresh optimizer."""
        self.x, self.y = np.stack(xs).astype(self.dtype), np.stack(ys).astype(self.dtype)
        size = self.block_size = min(block_members(self.model, self.training, self.x[0]), self.members)
        self.blocks = [(block, Backprop(self.model, self.training, self.lrs[block], member_axes=1))
                       for block in (slice(i, min(i + size, self.members)) for i in range(0, self.members, size))]
        # as a single engine would choose: each member's products keep that size
        self.threads, self.threads_rule = choose_threads(self.model, batch=xs[0].shape[0])

    def train(self, epochs: int) -> np.ndarray:
        """Every member trains `epochs` epochs; their reported losses (M, epochs), NaN for a
        member from the epoch its arithmetic failed."""
        if not self.blocks:
            raise RuntimeError("NumpyEnsemble.train needs set_data first")
        losses = np.empty((self.members, epochs), dtype=np.float64)
        with np.errstate(all="ignore"), blas_threads(self.threads):
            for block, backprop in self.blocks:
                p = {name: value[block] for name, value in self.params.items()}  # views: updated in place
                x, y = self.x[block], self.y[block]
                for i in range(epochs):
                    losses[block, i] = backprop.epoch(p, x, y)
        bad = np.logical_or.accumulate(~np.isfinite(losses), axis=1)  # from the first bad epoch on
        bad[self.failed] = True
        if epochs:
            bad[~self._finite(self.params.values()), -1] = True  # the last epoch's updates failed
            self.failed |= bad[:, -1]
        losses[bad] = np.nan
        self._freeze_failed()
        return losses

    def predict(self, xs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Each member's outputs; NaN for a member whose arithmetic failed."""
        with np.errstate(all="ignore"), blas_threads(self.threads):
            out = self.forward.outputs(self.params, np.stack(xs).astype(self.dtype))
        self.failed |= ~self._finite([out])
        out[self.failed] = np.nan
        self._freeze_failed()
        return list(out)

    def _finite(self, arrays: Iterable[np.ndarray]) -> np.ndarray:
        """(M,): whether member i's values in all `arrays` are finite."""
        return np.logical_and.reduce([np.isfinite(a).reshape(self.members, -1).all(axis=1) for a in arrays])

    def _freeze_failed(self) -> None:
        """Failed members' parameters become NaN: they train no more and predict NaN."""
        if self.failed.any():
            for value in self.params.values():
                value[self.failed] = np.nan
