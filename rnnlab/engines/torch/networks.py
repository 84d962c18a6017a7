"""The whole recurrent network in torch ops, op for op as the original programs wrote it.

Both networks compute the NumPy engine's function (rnnlab.core.init's layout). They
differ only in tensor layout and op order, which fix the float32 rounding; each copies
one original program, so rnnlab prints that program's numbers bit for bit:

  ModuleNet    torch.nn's layout (RNNCell/LSTM/GRU and Linear): (out, in) matrices applied
               with F.linear, any cell, stacked layers; updated as torch.optim.SGD does.
               The RNN primer's program.
  TutorialNet  the Elman tutorial: one (D+H, H) matrix on ``cat(x_t, h)`` with ``.mm``,
               ``h @ w2``; updated as ``w.data -= lr * w.grad.data``. One Elman layer.

The update op matters: on CPUs with FMA, ``p.add_(g, alpha=-lr)`` rounds once and
``p -= lr * g`` twice, so each network brings the one its program used (`descend`).

Parameters are held as leaf tensors under the shared names (TutorialNet joins W_xh and
W_hh into ``w1``); `to_numpy` turns them, their gradients or optimizer buffers back into
the shared layout.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from rnnlab.core.init import layer_suffix
from rnnlab.engines.torch.cells import ACTIVATIONS, State, make_cell
from rnnlab.spec import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]
Tensors = dict[str, torch.Tensor]
_LAYER_NAMES = ("W_xh", "W_hh", "b_h", "b_hn")


def _leaf(a: np.ndarray, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """A trainable copy (updates happen in place: never on the caller's array)."""
    return torch.tensor(np.ascontiguousarray(a), dtype=dtype, device=device, requires_grad=True)


def _array(t: torch.Tensor | None, like: torch.Tensor) -> np.ndarray:
    """A NumPy copy; a gradient that never reached its tensor (None) is zero."""
    return np.array((torch.zeros_like(like) if t is None else t).detach().cpu().numpy())


class ModuleNet:
    """`layers` cells, then a linear readout; matrices stored transposed, as torch.nn does."""

    @staticmethod
    def descend(p: torch.Tensor, direction: torch.Tensor, lr: float) -> None:
        """p -= lr * direction, as torch.optim.SGD writes it (one rounding where fused)."""
        p.add_(direction, alpha=-lr)

    def __init__(self, model: ModelSpec) -> None:
        self.cell = make_cell(model.cell, model.activation, model.bias)
        self.layers = model.layers

    def to_tensors(self, params: Params, dtype: torch.dtype, device: torch.device) -> Tensors:
        return {name: _leaf(value.T, dtype, device) for name, value in params.items()}

    def to_numpy(self, values: dict[str, torch.Tensor | None], like: Tensors) -> Params:
        """Parameters, or anything shaped like them (gradients, optimizer buffers)."""
        return {name: np.ascontiguousarray(_array(values.get(name), ref).T) for name, ref in like.items()}

    def forward(self, p: Tensors, xs: torch.Tensor, state: Sequence[State] | None
                ) -> tuple[list[torch.Tensor], list[State]]:
        """xs (N, L, D) -> the top layer's h at every step (L of (N, H)), final states per layer."""
        finals: list[State] = []
        hs: list[torch.Tensor] = []
        for k in range(self.layers):
            s = layer_suffix(k)
            lp = {name: p[name + s] for name in _LAYER_NAMES if name + s in p}
            if k:
                xs = torch.stack(hs, dim=1)  # (N, L, H): the layer below
            a = F.linear(xs, lp["W_xh"], lp.get("b_h"))  # (N, L, G)
            st = None if state is None else state[k]
            hs = []
            for a_t in a.unbind(1):  # one backward node for all steps (a[:, t] costs a full copy each)
                h, st = self.cell.step(lp, a_t, st)
                hs.append(h)
            finals.append(st)
        return hs, finals

    def readout(self, p: Tensors, h: torch.Tensor) -> torch.Tensor:
        return F.linear(h, p["W_hy"], p.get("b_y"))

    def readout_every(self, p: Tensors, hs: list[torch.Tensor]) -> torch.Tensor:
        """The readout of every step at once: (N, L, O)."""
        return self.readout(p, torch.stack(hs, dim=1))


class TutorialNet:
    """The Elman tutorial's ``tanh(cat(x, h).mm(w1))``, ``h.mm(w2)``; biases added after."""

    @staticmethod
    def descend(p: torch.Tensor, direction: torch.Tensor, lr: float) -> None:
        """p -= lr * direction, as the tutorial's ``w.data -= lr * w.grad.data``."""
        p -= lr * direction

    def __init__(self, model: ModelSpec) -> None:
        self.act = ACTIVATIONS[model.activation]
        self.d, self.h = model.input_size, model.hidden

    def to_tensors(self, params: Params, dtype: torch.dtype, device: torch.device) -> Tensors:
        out = {"w1": _leaf(np.vstack([params["W_xh"], params["W_hh"]]), dtype, device)}
        out.update({name: _leaf(v, dtype, device) for name, v in params.items() if name not in ("W_xh", "W_hh")})
        return out

    def to_numpy(self, values: dict[str, torch.Tensor | None], like: Tensors) -> Params:
        """Parameters, or anything shaped like them (gradients, optimizer buffers)."""
        w1 = _array(values.get("w1"), like["w1"])  # (D + H, H)
        out = {"W_xh": w1[:self.d], "W_hh": w1[self.d:]}
        out.update({name: _array(values.get(name), ref) for name, ref in like.items() if name != "w1"})
        return out

    def forward(self, p: Tensors, xs: torch.Tensor, state: Sequence[State] | None
                ) -> tuple[list[torch.Tensor], list[State]]:
        """xs (N, L, D) -> h at every step (L of (N, H)), [final state]."""
        h = torch.zeros((xs.shape[0], self.h), dtype=xs.dtype, device=xs.device) if state is None else state[0]
        hs = []
        for t in range(xs.shape[1]):
            pre = torch.cat((xs[:, t], h), 1).mm(p["w1"])  # (N, H)
            h = self.act(pre + p["b_h"] if "b_h" in p else pre)
            hs.append(h)
        return hs, [h]

    def readout(self, p: Tensors, h: torch.Tensor) -> torch.Tensor:
        y = h.mm(p["W_hy"])  # (N, O)
        return y + p["b_y"] if "b_y" in p else y

    def readout_every(self, p: Tensors, hs: list[torch.Tensor]) -> torch.Tensor:
        """Step by step, as the tutorial predicts (one (N, H) @ (H, O) per step): (N, L, O)."""
        return torch.stack([self.readout(p, h) for h in hs], dim=1)


Network = ModuleNet | TutorialNet


def make_network(model: ModelSpec, training: TrainingSpec) -> Network:
    """Online training of one Elman layer follows the Elman tutorial's ops; everything
    else torch.nn's (the primer's, for its model)."""
    if training.schedule == "online" and model.cell == "elman" and model.layers == 1:
        return TutorialNet(model)
    return ModuleNet(model)


def detach(state: list[State]) -> list[State]:
    """Cut the graph behind a carried state (truncated BPTT); the values carry on."""
    return [s if s is None else tuple(t.detach() for t in s) if isinstance(s, tuple) else s.detach()
            for s in state]
