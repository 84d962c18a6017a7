"""What an engine is asked to build and train: the model and training specs, and the
encoding of windows into cell inputs. Engines depend on this module, never on Config
(rnnlab.train.experiment builds the specs from a Config).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from rnnlab.core.init import recurrent_shapes
from rnnlab.core.losses import Loss


@dataclass(frozen=True)
class ModelSpec:
    """A recurrent model (Elman, LSTM or GRU cells, `layers` deep) with a linear readout.

    readout "last": y = readout(h_L), one output vector per sequence (windows);
    readout "every": y_t = readout(h_t) at every step (next-step prediction).
    """

    cell: str
    activation: str
    input_size: int  # D
    hidden: int  # H
    output_size: int  # O
    bias: bool
    readout_bias: bool
    readout: Literal["last", "every"]
    layers: int = 1

    @property
    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Names and shapes in rnnlab.core.init's layout."""
        return recurrent_shapes(self.cell, self.input_size, self.hidden, self.output_size, self.layers,
                                self.bias, self.readout_bias)


@dataclass(frozen=True)
class TrainingSpec:
    """How parameters move: objective, reported loss, optimizer, schedule."""

    loss: Loss
    report: Loss
    lr: float
    schedule: Literal["online", "full_batch"]
    truncate: int
    gradient: Literal["exact", "primer_approx"]
    optimizer: Literal["sgd", "momentum", "adam"] = "sgd"
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    clip: float = 0.0  # max global gradient norm; 0 clips nothing


def encode_inputs(x: np.ndarray, mode: str) -> np.ndarray:
    """Windows (N, T) -> cell inputs (N, L, D); a single sequence (L,) -> (1, L, 1).

    stepwise:   one value per step             (N, T, 1)
    positional: step t sees a length-T vector, zero but for value t at position t,
                as the primer's NumPy program  (N, T, T)
    window:     the whole window in one step   (N, 1, T)
    """
    if x.ndim == 1:
        return x.reshape(1, -1, 1)
    n, t = x.shape
    if mode == "stepwise":
        return x.reshape(n, t, 1)
    if mode == "positional":
        out = np.zeros((n, t, t), dtype=x.dtype)
        idx = np.arange(t)
        out[:, idx, idx] = x
        return out
    if mode == "window":
        return x.reshape(n, 1, t)
    raise ValueError(f"unknown input mode {mode!r}")


def encode_targets(y: np.ndarray) -> np.ndarray:
    """Targets (N, O) stay; a single sequence (L,) becomes (1, L, 1)."""
    return y.reshape(1, -1, 1) if y.ndim == 1 else y
