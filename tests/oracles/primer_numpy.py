"""Oracle: the primer's from-scratch NumPy RNN (REFERENCE_PROGRAMS.md §3, ``primer-numpy``).

No original code exists for this program; this module transcribes the
description in REFERENCE_PROGRAMS.md §3 literally, in float64, looping over
samples and time steps in plain Python/NumPy like a tutorial would. It does not
import rnnlab.

* Data: ``linspace(0, 4*pi, 50 + 4 + 6 + 8)``, ``sin``, every window of 14 values
  (54 windows), ``np.random.seed(seed_shuffle); np.random.shuffle(list)`` (skipped
  if ``seed_shuffle`` is None), first 4 are the test set, the other 50 train.
* Init: ``rng = np.random.default_rng(seed_init)``; W, U, V drawn in that order;
  W := R of its QR; U, V := ``u @ vh`` of their thin SVD.
* Model: ``s = sigmoid(U @ x_t + W @ s)`` for t in 0..5 from ``s = 0``, where
  ``x_t`` is zero except ``x_t[t] = window[t]``; ``y = V @ s``.
* Loss reported: ``sum(0.5 * dy**2)`` summed over the training windows; the
  gradient fed back is the named "loss gradient" ``g`` of ``dy = y - target``.
* Gradient, selected by ``gradient``:
  - ``"approx"``: the primer's forward accumulation with a 2-D running matrix
    per weight (drops the off-diagonal terms; exact for V, and for T = 1);
  - ``"exact"``: forward-mode accumulation with the full 3-index sensitivity
    tensors ``S[i, a, b] = d s_i / d M_ab`` (exact; independent of any BPTT code);
  - ``"bptt"``: plain reverse-mode backpropagation through time (exact).
  With ``loss_gradient="l2"`` the exact gradients are those of the reported loss.
* Update: ``n_samples = len(grid) - 6 - 8`` (= 54, the program's reassignment),
  ``M -= eps / n_samples * dM`` with ``eps = 0.1`` for W, U, V, all from gradients
  taken at the same parameters.
* Printed at epoch 0 and whenever ``(epoch + 1) % 100 == 0``:
  ``(epoch, loss, sqrt(loss / n_samples / output_dim))``; the loss is the one
  computed at the parameters *before* that epoch's update. The ranges
  (max - min) of the gradients printed alongside are returned as ``grad_ranges``.
"""

from __future__ import annotations

import numpy as np

T = 6
HIDDEN_DIM = 32
OUTPUT_DIM = 8
ALPHA = 0.025
EPS = 0.1
TEST_SET_SIZE = 4
N_SAMPLES = 50
ELASTIC_NET_A = 0.5

LOSS_GRADIENTS = ("l2", "clip", "l1", "elastic_net", "soft_l1")
GRADIENTS = ("approx", "exact", "bptt")


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def make_windows(seed_shuffle: int | None = 2882, n_samples: int = N_SAMPLES):
    """Return (grid, train_windows (50, 14), test_windows (4, 14)), float64."""
    grid = np.linspace(0, 4 * np.pi, n_samples + TEST_SET_SIZE + T + OUTPUT_DIM)
    sin_wave = np.sin(grid)
    n_windows = len(grid) - T - OUTPUT_DIM
    windows = []
    for i in range(n_windows):
        windows.append(sin_wave[i : i + T + OUTPUT_DIM])
    if seed_shuffle is not None:
        np.random.seed(seed_shuffle)
        np.random.shuffle(windows)
    test_windows = np.array(windows[:TEST_SET_SIZE], dtype=np.float64)
    train_windows = np.array(windows[TEST_SET_SIZE:], dtype=np.float64)
    return grid, train_windows, test_windows


def init_params(seed_init: int = 2882):
    """Return (W, U, V) drawn in the order W, U, V from default_rng(seed_init)."""
    rng = np.random.default_rng(seed_init)
    W = rng.normal(0.0, (HIDDEN_DIM * HIDDEN_DIM) ** -0.75, size=(HIDDEN_DIM, HIDDEN_DIM))
    W = np.linalg.qr(W)[1]
    U = rng.normal(0.0, (HIDDEN_DIM * T) ** -0.75, size=(HIDDEN_DIM, T))
    u, s, vh = np.linalg.svd(U, full_matrices=False)
    U = u @ vh
    V = rng.normal(0.0, (OUTPUT_DIM * HIDDEN_DIM) ** -0.75, size=(OUTPUT_DIM, HIDDEN_DIM))
    u, s, vh = np.linalg.svd(V, full_matrices=False)
    V = u @ vh
    return W, U, V


def input_vector(window, t):
    x_t = np.zeros(T)
    x_t[t] = window[t]
    return x_t


def forward(W, U, V, window):
    """Return (list of states s_0=0, s_1..s_T, list of inputs x_0..x_{T-1}, y)."""
    s = np.zeros(HIDDEN_DIM)
    states = [s]
    xs = []
    for t in range(T):
        x_t = input_vector(window, t)
        s = sigmoid(U @ x_t + W @ s)
        xs.append(x_t)
        states.append(s)
    y = V @ s
    return states, xs, y


def predict(W, U, V, windows):
    return np.array([forward(W, U, V, w)[2] for w in windows])


def loss_gradient_of(dy, name: str):
    if name == "l2":
        return dy
    if name == "clip":
        return np.clip(dy, -1.0, 1.0)
    if name == "l1":
        return np.sign(dy)
    if name == "elastic_net":
        a = ELASTIC_NET_A
        return a * np.sign(dy) + (1 - a) * dy
    if name == "soft_l1":
        return np.where(np.abs(dy) >= ALPHA, np.sign(dy), dy / ALPHA)
    raise ValueError(f"unknown loss gradient {name!r}")


def _sample_grads_approx(W, U, V, window, g):
    R_U = np.zeros_like(U)
    R_W = np.zeros_like(W)
    s = np.zeros(HIDDEN_DIM)
    for t in range(T):
        x_t = input_vector(window, t)
        s_prev = s
        s = sigmoid(U @ x_t + W @ s_prev)
        d = s * (1 - s)
        R_U = d[:, None] * (W @ R_U) + np.outer(d, x_t)
        R_W = d[:, None] * (W @ R_W) + np.outer(d, s_prev)
    Vg = V.T @ g
    dU = Vg[:, None] * R_U
    dW = Vg[:, None] * R_W
    dV = np.outer(g, s)
    return dW, dU, dV


def _sample_grads_forward_exact(W, U, V, window, g):
    n = HIDDEN_DIM
    # S_U[i, a, b] = d s_i / d U_ab ; S_W[i, a, b] = d s_i / d W_ab
    S_U = np.zeros((n, n, T))
    S_W = np.zeros((n, n, n))
    eye = np.eye(n)
    s = np.zeros(n)
    for t in range(T):
        x_t = input_vector(window, t)
        s_prev = s
        s = sigmoid(U @ x_t + W @ s_prev)
        d = s * (1 - s)
        # d z_i / d U_ab = delta_ia x_b + sum_k W_ik S_U[k, a, b]
        S_U = d[:, None, None] * (
            np.tensordot(W, S_U, axes=(1, 0)) + eye[:, :, None] * x_t[None, None, :]
        )
        S_W = d[:, None, None] * (
            np.tensordot(W, S_W, axes=(1, 0)) + eye[:, :, None] * s_prev[None, None, :]
        )
    Vg = V.T @ g
    dU = np.tensordot(Vg, S_U, axes=(0, 0))
    dW = np.tensordot(Vg, S_W, axes=(0, 0))
    dV = np.outer(g, s)
    return dW, dU, dV


def _sample_grads_bptt(W, U, V, window, g):
    states, xs, y = forward(W, U, V, window)
    dV = np.outer(g, states[T])
    dW = np.zeros_like(W)
    dU = np.zeros_like(U)
    ds = V.T @ g  # dL/ds_T
    for t in reversed(range(T)):
        s = states[t + 1]
        dz = ds * s * (1 - s)
        dU += np.outer(dz, xs[t])
        dW += np.outer(dz, states[t])
        ds = W.T @ dz
    return dW, dU, dV


_SAMPLE_GRADS = {
    "approx": _sample_grads_approx,
    "exact": _sample_grads_forward_exact,
    "bptt": _sample_grads_bptt,
}


def gradients(W, U, V, windows, loss_gradient: str = "soft_l1", gradient: str = "approx"):
    """Summed over ``windows``: return (loss, dW, dU, dV), loss = sum 0.5*dy**2."""
    sample_grads = _SAMPLE_GRADS[gradient]
    loss = 0.0
    dW = np.zeros_like(W)
    dU = np.zeros_like(U)
    dV = np.zeros_like(V)
    for window in windows:
        target = window[T:]
        _, _, y = forward(W, U, V, window)
        dy = y - target
        loss += np.sum(0.5 * dy**2)
        g = loss_gradient_of(dy, loss_gradient)
        gW, gU, gV = sample_grads(W, U, V, window, g)
        dW += gW
        dU += gU
        dV += gV
    return loss, dW, dU, dV


def run(
    seed_init: int = 2882,
    seed_shuffle: int | None = 2882,
    n_epochs: int = 10000,
    loss_gradient: str = "soft_l1",
    gradient: str = "approx",
) -> dict:
    grid, train_windows, test_windows = make_windows(seed_shuffle)
    W, U, V = init_params(seed_init)
    W_init, U_init, V_init = W.copy(), U.copy(), V.copy()

    n_samples = len(grid) - T - OUTPUT_DIM  # = 54: the program's reassignment

    printed = []
    grad_ranges = []
    for epoch in range(n_epochs):
        loss, dW, dU, dV = gradients(W, U, V, train_windows, loss_gradient, gradient)
        if epoch == 0 or (epoch + 1) % 100 == 0:
            rms = np.sqrt(loss / n_samples / OUTPUT_DIM)
            printed.append((epoch, float(loss), float(rms)))
            grad_ranges.append(
                {
                    "W": float(dW.max() - dW.min()),
                    "U": float(dU.max() - dU.min()),
                    "V": float(dV.max() - dV.min()),
                }
            )
        W -= EPS / n_samples * dW
        U -= EPS / n_samples * dU
        V -= EPS / n_samples * dV

    return {
        "printed": printed,
        "grad_ranges": grad_ranges,
        "W_init": W_init,
        "U_init": U_init,
        "V_init": V_init,
        "W": W,
        "U": U,
        "V": V,
        "train_windows": train_windows,
        "test_windows": test_windows,
        "test_predictions": predict(W, U, V, test_windows),
    }
