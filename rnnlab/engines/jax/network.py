"""The whole model as one pure function of the parameters: stacked cells unrolled over
time, then the linear readout. Mirrors rnnlab.engines.bptt.stack and unroll.

Short sequences are unrolled in Python (XLA sees one straight-line program and fuses
across steps); long ones become a `lax.scan`, so compile time stays flat in the length.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from rnnlab.core.init import layer_suffix
from rnnlab.engines.jax.cells import Cell, State, make_cell
from rnnlab.spec import ModelSpec

Params = dict[str, jax.Array]
_LAYER_NAMES = ("W_xh", "W_hh", "b_h", "b_hn")
UNROLL_STEPS = 16  # sequences up to this length are unrolled in Python
SCAN_UNROLL = 2  # steps per iteration of the scanned loop for longer ones


class Network:
    """`model.layers` cells and a readout. A state is None (zeros) or one state per layer."""

    def __init__(self, model: ModelSpec) -> None:
        self.cell: Cell = make_cell(model.cell, model.activation, model.bias)
        self.layers, self.readout_bias = model.layers, model.readout_bias

    def forward(self, p: Params, xs: jax.Array, state: list[State] | None) -> tuple[jax.Array, list[State]]:
        """xs (N, L, D) -> the top layer's states (N, L, H) and each layer's final state."""
        finals = []
        for k in range(self.layers):
            s = layer_suffix(k)
            lp = {name: p[name + s] for name in _LAYER_NAMES if name + s in p}
            xs, final = unroll(self.cell, lp, xs, None if state is None else state[k])
            finals.append(final)
        return xs, finals

    def readout(self, p: Params, h: jax.Array) -> jax.Array:
        """h (..., H) -> outputs (..., O)."""
        y = h @ p["W_hy"]
        return y + p["b_y"] if self.readout_bias else y


def unroll(cell: Cell, p: Params, xs: jax.Array, state: State) -> tuple[jax.Array, State]:
    """Run `cell` over xs (N, L, D) from `state` (None: zeros) -> (hs (N, L, H), final state)."""
    a = cell.project(p, xs)  # (N, L, G)
    steps = xs.shape[1]
    if steps <= UNROLL_STEPS:
        hs = []
        for t in range(steps):
            h, state = cell.step(p, a[:, t], state)
            hs.append(h)
        return jnp.stack(hs, axis=1), state
    first, state = cell.step(p, a[:, 0], state)  # the zero state needs no product

    def step(carry: Any, a_t: jax.Array) -> tuple[Any, jax.Array]:
        h, carry = cell.step(p, a_t, carry)
        return carry, h

    state, rest = lax.scan(step, state, jnp.swapaxes(a[:, 1:], 0, 1), unroll=SCAN_UNROLL)  # rest (L-1, N, H)
    return jnp.concatenate([first[:, None], jnp.swapaxes(rest, 0, 1)], axis=1), state


def make_network(model: ModelSpec) -> Network:
    return Network(model)
