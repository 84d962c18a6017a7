"""Gate orders: rnnlab stacks gate columns in torch's order; other frameworks do not.

A gated weight's last axis holds one block of H columns per gate. ``reorder`` moves the
blocks from rnnlab's order to another framework's, named gate by gate, so every mapping
in the exporters reads like the tables in docs/export.md.
"""

from __future__ import annotations

import numpy as np

# rnnlab's (= PyTorch's) gate order, per cell; Elman has one block, its hidden pre-activation.
GATES = {"elman": ("h",), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}


def reorder(a: np.ndarray, cell: str, order: tuple[str, ...]) -> np.ndarray:
    """Gate blocks along the last axis of `a`, from rnnlab's order into `order`.

    Example: an LSTM's (D, 4H) W_xh in ONNX's order is ``reorder(w, "lstm", ("i", "o", "f", "g"))``.
    """
    names = GATES[cell]
    if sorted(order) != sorted(names):
        raise ValueError(f"{order} is not an order of the {cell} gates {names}")
    h = a.shape[-1] // len(names)
    blocks = {name: a[..., k * h:(k + 1) * h] for k, name in enumerate(names)}
    return np.concatenate([blocks[name] for name in order], axis=-1)

