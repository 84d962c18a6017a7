"""The contract every engine meets, so a run can move between engines.

An engine is built from a ModelSpec, a TrainingSpec and a dtype; it takes and gives
parameters as a dict of named NumPy arrays in one shared layout (rnnlab.core.init),
takes encoded data once, and trains for a number of epochs per call. The trainer
calls `train` in chunks between two callbacks, so a compiled engine can keep a whole
chunk inside compiled code. The same test suite (tests/engines/test_contract.py)
runs against every engine.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from rnnlab.model import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]


class Engine(Protocol):
    name: str

    def __init__(self, model: ModelSpec, training: TrainingSpec, dtype: str) -> None: ...

    def device(self) -> str:
        """Where it computes, e.g. 'cpu' or 'cuda:0'."""

    def set_params(self, params: Params) -> None:
        """Load parameters (validated against the model's shapes)."""

    def get_params(self) -> Params:
        """A copy of the current parameters as NumPy arrays."""

    def set_data(self, x: np.ndarray, y: np.ndarray) -> None:
        """Training data: encoded inputs (N, L, D); targets (N, O) or (N, L, O)."""

    def train(self, epochs: int) -> np.ndarray:
        """Train `epochs` epochs; each epoch's reported loss, before its updates. (epochs,)"""

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs from a zero state: (N, O) for readout 'last', (N, L, O) for 'every'."""

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
        """Objective value and the configured gradient at the current parameters, no update."""

    def optimizer_state(self) -> dict[str, np.ndarray]:
        """Optimizer state as arrays (empty for plain SGD), for checkpoints."""

    def load_optimizer_state(self, state: dict[str, np.ndarray]) -> None: ...
