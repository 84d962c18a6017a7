"""Mini-batch epochs, run by the training loop in place of an engine's own schedule: each
epoch every member's examples in a fresh random order, one update per batch.

Online and full-batch epochs stay inside the engines (a compiled engine keeps a whole
chunk of them compiled); a mini-batch epoch hands the engine one batch at a time. The
order generators' states live in the TrainState, so a checkpoint continues the same orders.
"""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np

from rnnlab.engines.base import NumericalError
from rnnlab.runs.records import TrainState
from rnnlab.train.members import Members

RANDOM_KEY = "mini_batches"


class Examples(Protocol):
    """An array of examples, or anything that makes them when indexed by an index array
    (windows cut from a long series a batch at a time: memory follows the batch)."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    def __getitem__(self, index: np.ndarray) -> np.ndarray: ...


class MiniBatches:
    """`xs[i]` (N, L, D) and `ys[i]` are member i's examples, shuffled by its own `seeds[i]`;
    `size` examples per update (the last batch of an epoch may be smaller)."""

    def __init__(self, xs: Sequence[Examples], ys: Sequence[Examples], size: int, seeds: Sequence[int]) -> None:
        self.xs, self.ys, self.seeds = list(xs), list(ys), list(seeds)
        self.n = self.xs[0].shape[0]
        if any(x.shape[0] != self.n for x in self.xs):
            raise ValueError("every member needs the same number of examples")
        self.size = min(size, self.n) if size > 0 else self.n

    def train(self, members: Members, epochs: int, state: TrainState) -> np.ndarray:
        """`epochs` epochs of every member; each epoch's loss per member is the mean of its
        batches' losses, each measured before that batch's update. (M, epochs)"""
        rngs = self._generators(state)
        losses = np.empty((members.count, epochs))
        for e in range(epochs):
            orders = [rng.permutation(self.n) for rng in rngs]
            batch_losses = []
            for start in range(0, self.n, self.size):
                idx = [order[start:start + self.size] for order in orders]
                members.set_data([x[i] for x, i in zip(self.xs, idx)], [y[i] for y, i in zip(self.ys, idx)])
                try:
                    batch_losses.append(members.train(1)[:, 0])
                except NumericalError as err:  # name the epoch, not the batch
                    raise NumericalError(err.detail, epochs_done=e) from err
            losses[:, e] = np.mean(np.stack(batch_losses, axis=1), axis=1)  # each member's row, summed pairwise
        state.random[RANDOM_KEY] = [rng.bit_generator.state for rng in rngs]
        return losses

    def _generators(self, state: TrainState) -> list[np.random.Generator]:
        rngs = [np.random.default_rng(seed) for seed in self.seeds]
        for rng, saved in zip(rngs, state.random.get(RANDOM_KEY, [])):
            rng.bit_generator.state = saved
        return rngs
