"""Recurrent cells in torch ops, in torch.nn's orientation: every matrix is (out, in), as
RNNCell/LSTM/GRU store ``weight_ih``/``weight_hh``, and is applied with F.linear.

Cell contract (as the NumPy engine's): the network projects all steps' inputs at once
(``F.linear(xs, W_xh, b_h)``, (N, L, G)); ``step(p, a_t, state) -> (h, state)`` advances
one step, where a state of None is the zero state. Gate order and biases follow
rnnlab.core.init's layout (torch's order; GRU keeps b_hn apart).
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

Tensors = dict[str, torch.Tensor]
State = torch.Tensor | tuple[torch.Tensor, torch.Tensor] | None

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {"tanh": torch.tanh, "sigmoid": torch.sigmoid}


class ElmanCell:
    """h_t = act(a_t + h_{t-1} W_hh^T). Shapes: a_t (N, H), h (N, H)."""

    def __init__(self, activation: str) -> None:
        self.act = ACTIVATIONS[activation]

    def step(self, p: Tensors, a_t: torch.Tensor, state: State) -> tuple[torch.Tensor, torch.Tensor]:
        # From the zero state RNNCell's ``linear(0, weight_hh) + a`` is exactly ``a``: skip it.
        h = self.act(a_t if state is None else a_t + F.linear(state, p["W_hh"]))
        return h, h


class LSTMCell:
    """torch's LSTM: gates [i, f, g, o] from a_t + h W_hh^T; state (h, c). a_t (N, 4H)."""

    def step(self, p: Tensors, a_t: torch.Tensor, state: State) -> tuple[torch.Tensor, State]:
        z = a_t if state is None else a_t + F.linear(state[0], p["W_hh"])
        i, f, g, o = z.chunk(4, dim=1)
        i, f, o, g = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o), torch.tanh(g)
        c = i * g if state is None else f * state[1] + i * g
        h = o * torch.tanh(c)
        return h, (h, c)


class GRUCell:
    """torch's GRU: r, z = sigmoid(.), n = tanh(a_n + r (h W_hn^T + b_hn)), h' = (1-z) n + z h."""

    def __init__(self, bias: bool) -> None:
        self.bias = bias

    def step(self, p: Tensors, a_t: torch.Tensor, state: State) -> tuple[torch.Tensor, torch.Tensor]:
        a_r, a_z, a_n = a_t.chunk(3, dim=1)
        if state is None:
            r, z = torch.sigmoid(a_r), torch.sigmoid(a_z)
            n = torch.tanh(a_n + r * p["b_hn"]) if self.bias else torch.tanh(a_n)
            h = (1.0 - z) * n
            return h, h
        h_r, h_z, h_n = F.linear(state, p["W_hh"]).chunk(3, dim=1)
        r, z = torch.sigmoid(a_r + h_r), torch.sigmoid(a_z + h_z)
        n = torch.tanh(a_n + r * (h_n + p["b_hn"] if self.bias else h_n))
        h = (1.0 - z) * n + z * state
        return h, h


Cell = ElmanCell | LSTMCell | GRUCell


def make_cell(name: str, activation: str, bias: bool) -> Cell:
    """The cell called `name`; `activation` applies to Elman only (gates have their own)."""
    if name == "elman":
        return ElmanCell(activation)
    if name == "lstm":
        return LSTMCell()
    if name == "gru":
        return GRUCell(bias)
    raise ValueError(f"unknown cell {name!r}; available: elman, lstm, gru")
