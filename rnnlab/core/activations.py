"""Cell activations, each with its derivative expressed through the output (cheap in backprop)."""

from __future__ import annotations

from typing import Callable

import numpy as np


def tanh(a: np.ndarray) -> np.ndarray:
    return np.tanh(a)


def tanh_grad_from_output(h: np.ndarray) -> np.ndarray:
    """d tanh(a)/da written with h = tanh(a)."""
    return 1.0 - h * h


def sigmoid(a: np.ndarray) -> np.ndarray:
    # Split by sign so exp never overflows (the float error would be raised in tests).
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def sigmoid_grad_from_output(h: np.ndarray) -> np.ndarray:
    """d sigmoid(a)/da written with h = sigmoid(a)."""
    return h * (1.0 - h)


ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "tanh": (tanh, tanh_grad_from_output),
    "sigmoid": (sigmoid, sigmoid_grad_from_output),
}
