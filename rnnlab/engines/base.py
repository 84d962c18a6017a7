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

from rnnlab.core.init import GATES
from rnnlab.spec import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]


class NumericalError(FloatingPointError):
    """Arithmetic overflowed or became undefined during `Engine.train`; `epochs_done` epochs
    of that call had finished, so the trainer can name the epoch that diverged."""

    def __init__(self, detail: str, epochs_done: int) -> None:
        super().__init__(detail)
        self.detail, self.epochs_done = detail, epochs_done


class Engine(Protocol):
    name: str

    # Engines may take keyword options after these (rnnlab.engines.ENGINE_OPTIONS lists them).
    def __init__(self, model: ModelSpec, training: TrainingSpec, dtype: str) -> None: ...

    def device(self) -> str:
        """Where it computes, e.g. 'cpu' or 'cuda:0'."""

    def info(self) -> dict[str, object]:
        """Facts for summary.json beyond name and device (library version, threads); may be empty."""

    def set_params(self, params: Params) -> None:
        """Load parameters (validated against the model's shapes)."""

    def get_params(self) -> Params:
        """A copy of the current parameters as NumPy arrays."""

    def set_data(self, x: np.ndarray, y: np.ndarray) -> None:
        """Training data: encoded inputs (N, L, D); targets (N, O) or (N, L, O)."""

    def train(self, epochs: int) -> np.ndarray:
        """Train `epochs` epochs; each epoch's reported loss, before its updates. (epochs,)

        Floating-point errors are never silent: NaN or infinity shows in the losses or the
        parameters (the trainer checks both), or the engine raises NumericalError."""

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs from a zero state: (N, O) for readout 'last', (N, L, O) for 'every'."""

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
        """Objective value and the configured gradient at the current parameters, no update."""

    def objective(self, params: Params, x: np.ndarray, y: np.ndarray) -> float:
        """The training objective at `params` from a zero state (for finite differences)."""

    def optimizer_state(self) -> dict[str, np.ndarray]:
        """Optimizer state as arrays (empty for plain SGD), for checkpoints."""

    def load_optimizer_state(self, state: dict[str, np.ndarray]) -> None: ...


def check_params(model: ModelSpec, params: Params) -> None:
    """ValueError unless `params` has exactly the model's names and shapes."""
    shapes = model.param_shapes
    if set(params) != set(shapes):
        raise ValueError(f"parameters {sorted(params)} do not match the model's {sorted(shapes)}")
    for name, shape in shapes.items():
        if params[name].shape != shape:
            raise ValueError(f"parameter {name} has shape {params[name].shape}, the model needs {shape}")


# Multiply-adds of one step (cell and readout, whole batch) below which one thread wins.
# Measured on the 2-core development machine (docs/engines.md): primer-torch (128 x 32 x
# (6 + 32 + 8) = 188,416) trains 2-20x faster on one thread than on two, because each op
# is a few microseconds of work and handing half of it to a second thread costs more than
# it saves. Up to 283 M two threads never won there; the bound sits where one step's
# matrix products take about a millisecond, so the thread hand-off is a small cost.
ONE_THREAD_BELOW = 20_000_000


def step_multiply_adds(model: ModelSpec, batch: int) -> int:
    """Multiply-adds of one time step on `batch` sequences: every layer's gates, then the
    readout. The size measure engines use to choose a thread count."""
    h, gates = model.hidden, GATES[model.cell] * model.hidden
    cells = sum(gates * ((model.input_size if k == 0 else h) + h) for k in range(model.layers))
    return batch * (cells + h * model.output_size)
