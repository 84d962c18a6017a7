"""rnnlab's own outputs, from a zero or a given initial state: what every export is checked against.

`predict` always starts from h = 0; an exported model takes its initial state as an
input, so the check needs rnnlab's arithmetic from any state. This is the NumPy engine's
forward pass (rnnlab.engines.bptt: the same cells, the same stack) in float64, with the
state passed in and the final state handed back.

States are stacked per layer as the exported files take them: h (layers, N, H), and for
LSTM c (layers, N, H).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab.engines.bptt.cells import make_cell
from rnnlab.engines.bptt.stack import Stack
from rnnlab.spec import ModelSpec

Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class Outputs:
    """What a model gives back: y (N, O) for readout 'last' or (N, L, O) for 'every', and
    the final states h (layers, N, H) and, for LSTM, c (layers, N, H)."""

    y: np.ndarray
    h: np.ndarray
    c: np.ndarray | None = None


@dataclass(frozen=True)
class Inputs:
    """A batch to run: x (N, L, D) and the initial states (zeros or not), shaped as Outputs'."""

    label: str
    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray | None = None


def rnnlab_outputs(spec: ModelSpec, params: Params, inputs: Inputs) -> Outputs:
    """rnnlab's outputs and final states for `inputs`, in float64."""
    p = {name: np.asarray(value, dtype=np.float64) for name, value in params.items()}
    stack = Stack(make_cell(spec.cell, spec.activation, spec.bias), spec.layers)
    h0 = inputs.h0.astype(np.float64)
    if spec.cell == "lstm":
        c0 = inputs.c0.astype(np.float64)
        state = [(h0[k], c0[k]) for k in range(spec.layers)]
    else:
        state = [h0[k] for k in range(spec.layers)]
    hs, finals, _ = stack.forward(p, inputs.x.astype(np.float64), state)  # hs (N, L, H)
    top = hs if spec.readout == "every" else hs[:, -1]
    y = top @ p["W_hy"] + (p["b_y"] if spec.readout_bias else 0.0)
    if spec.cell == "lstm":
        return Outputs(y, np.stack([h for h, _ in finals]), np.stack([c for _, c in finals]))
    return Outputs(y, np.stack(finals))


def zero_state(spec: ModelSpec, x: np.ndarray, label: str) -> Inputs:
    """`x` from h = 0 (and c = 0), as `predict` runs it."""
    zeros = np.zeros((spec.layers, x.shape[0], spec.hidden))
    return Inputs(label, x, zeros, zeros if spec.cell == "lstm" else None)


def random_inputs(spec: ModelSpec, batch: int, steps: int, seed: int) -> Inputs:
    """Standard normal sequences (batch, steps, D) and a non-zero initial state, uniform in
    (-0.5, 0.5) (a state any cell can reach: tanh and LSTM's h lie in (-1, 1))."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps, spec.input_size))
    shape = (spec.layers, batch, spec.hidden)
    h0 = rng.uniform(-0.5, 0.5, shape)
    c0 = rng.uniform(-0.5, 0.5, shape) if spec.cell == "lstm" else None
    return Inputs("random, state != 0", x, h0, c0)
