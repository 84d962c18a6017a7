"""One compiled loop of full-batch epochs for a one-layer Elman network trained by SGD.
Activations and losses are passed as the codes in rnnlab.engines.numba.scope.

Matrix products go to BLAS (numba's np.dot: scipy's BLAS, no Python between calls); the
element-wise work between them is fused into loops LLVM vectorises. Shapes: inputs are
time-major, x (L, N, D); targets y (N, O); hidden states hs (L, N, H). The gradients are
the NumPy engine's exact BPTT (rnnlab.engines.bptt.backprop) up to rounding: the
recurrent and input weight gradients are each one product over all steps, and the
reported loss is summed in float64.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import types
from numba.extending import overload, register_jitable

from rnnlab.engines.numba.float_mode import flush_denormals, restore

# Fast-math without nnan/ninf: NaN and infinity must survive to the loss check.
COMPILE_OPTIONS = {"fastmath": {"contract", "arcp", "reassoc", "nsz", "afn"}, "error_model": "numpy"}
_jit = numba.njit(**COMPILE_OPTIONS, cache=True)

# float32 tanh as a rational function (the 13/6 minimax fit Eigen and XLA use): within 6
# ulp (4e-7) of the exact value and branch-free, so a loop of it vectorises; libm's tanh does not.
_CLAMP = np.float32(7.90531110763549805)
_P = tuple(np.float32(c) for c in (-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
                                  5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04,
                                  4.89352455891786e-03))
_Q = tuple(np.float32(c) for c in (1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03,
                                  4.89352518554385e-03))


def tanh(a):  # type: ignore[no-untyped-def]
    """Element tanh for compiled code: rational in float32, libm's in float64."""
    return math.tanh(a)


@overload(tanh)
def _tanh_for(a):  # type: ignore[no-untyped-def]
    if a != types.float32:
        return lambda a: math.tanh(a)
    p13, p11, p9, p7, p5, p3, p1 = _P
    q6, q4, q2, q0 = _Q

    def rational(a):  # type: ignore[no-untyped-def]
        a = _CLAMP if a > _CLAMP else a  # NaN passes both clamps
        a = -_CLAMP if a < -_CLAMP else a
        s = a * a
        p = s * (s * (s * (s * (s * (s * p13 + p11) + p9) + p7) + p5) + p3) + p1
        return a * p / (s * (s * (s * q6 + q4) + q2) + q0)

    return rational


@register_jitable(inline="always")
def _activate(h, pre, carry, bias, act):  # type: ignore[no-untyped-def]
    """h = act(pre + carry + bias) for (N, H) arrays; sigmoid(a) = (1 + tanh(a / 2)) / 2."""
    half = h.dtype.type(0.5)
    for i in range(h.shape[0]):
        if act == 0:
            for j in range(h.shape[1]):
                h[i, j] = tanh(pre[i, j] + carry[i, j] + bias[j])
        else:
            for j in range(h.shape[1]):
                h[i, j] = half + half * tanh(half * (pre[i, j] + carry[i, j] + bias[j]))


@register_jitable(inline="always")
def _activation_grad(h, one, act):  # type: ignore[no-untyped-def]
    """d act / d pre, written with the output h; `one` is 1 in h's type."""
    return one - h * h if act == 0 else h * (one - h)


@register_jitable
def _loss_and_grad(d, grad, loss, delta, mix, scale):  # type: ignore[no-untyped-def]
    """The sum (float64) of loss `loss`'s values at d = prediction - target, and its
    gradient times `scale` into `grad`; flat arrays, one branch-free loop per loss
    (rnnlab.core.losses has the formulas)."""
    dt = d.dtype.type
    half, one, two, m, s = dt(0.5), dt(1.0), dt(2.0), dt(mix), dt(scale)
    total = 0.0
    if loss == 0:
        for i in range(d.size):
            total += half * d[i] * d[i]
            grad[i] = s * d[i]
    elif loss == 1:
        for i in range(d.size):
            total += d[i] * d[i]
            grad[i] = s * (two * d[i])
    elif loss == 2:
        for i in range(d.size):
            total += abs(d[i])
            grad[i] = s * np.sign(d[i])
    elif loss == 3:
        for i in range(d.size):
            total += m * abs(d[i]) + (one - m) * half * d[i] * d[i]
            grad[i] = s * (m * np.sign(d[i]) + (one - m) * d[i])
    else:  # huber, soft_l1, clip: the value from the clipped difference c, the gradient c
        width = dt(1.0) if loss == 6 else dt(delta)
        inverse = one / width if loss == 5 else one
        for i in range(d.size):
            c = d[i]
            c = width if c > width else c
            c = -width if c < -width else c
            total += c * (d[i] - half * c) * inverse
            grad[i] = s * (c * inverse)
    return total


@_jit
def train_full_batch(x, y, w_xh, w_hh, b_h, w_hy, b_y, lr, epochs, act, loss, delta, mix, mean, report,
                     report_delta, report_mix, report_mean, losses):  # type: ignore[no-untyped-def]
    """`_epochs` with denormals flushed to zero (rnnlab.engines.numba.float_mode)."""
    mode = flush_denormals()
    done = _epochs(x, y, w_xh, w_hh, b_h, w_hy, b_y, lr, epochs, act, loss, delta, mix, mean, report, report_delta,
                   report_mix, report_mean, losses)
    restore(mode)
    return done


@register_jitable
def _epochs(x, y, w_xh, w_hh, b_h, w_hy, b_y, lr, epochs, act, loss, delta, mix, mean, report, report_delta,
            report_mix, report_mean, losses):  # type: ignore[no-untyped-def]
    """Train `epochs` full-batch epochs in place; losses[e] = epoch e's reported loss (loss
    `report`, measured before the update; the objective is loss `loss`). b_h and b_y may
    be empty (no bias). Returns the epochs done: fewer when a loss stops being finite (the
    parameters are then those from before that epoch)."""
    steps, n, d_in = x.shape
    hidden, out = w_hy.shape
    dtype = w_hh.dtype
    dt = dtype.type
    rate, one = dt(lr), dt(1.0)
    bias, readout_bias = b_h.size > 0, b_y.size > 0
    b_h_or_0 = b_h if bias else np.zeros(hidden, dtype)
    xf = x.reshape(steps * n, d_in)
    pre = np.empty((steps, n, hidden), dtype)
    hs = np.empty((steps, n, hidden), dtype)
    da = np.empty((steps, n, hidden), dtype)
    carry = np.zeros((n, hidden), dtype)
    zeros = np.zeros((n, hidden), dtype)
    dh = np.empty((n, hidden), dtype)
    pred = np.empty((n, out), dtype)
    diff, g, scratch = np.empty(n * out, dtype), np.empty((n, out), dtype), np.empty(n * out, dtype)
    g_xh, g_hh, g_hy = np.empty_like(w_xh), np.empty_like(w_hh), np.empty_like(w_hy)
    g_b = np.empty(hidden, dtype)
    w_hh_t, w_hy_t = np.empty_like(w_hh.T), np.empty_like(w_hy.T)  # C-ordered transposes: BLAS is faster on them
    scale = 1.0 / (n * out) if mean else 1.0
    report_scale = 1.0 / (n * out) if report_mean else 1.0
    gf, pred_flat, y_flat = g.reshape(n * out), pred.reshape(n * out), y.reshape(n * out)
    report_differs = report != loss or report_delta != delta or report_mix != mix
    for e in range(epochs):
        # forward: all input projections in one product, then the recurrence
        np.dot(xf, w_xh, pre.reshape(steps * n, hidden))
        for t in range(steps):
            if t > 0:
                np.dot(hs[t - 1], w_hh, carry)
            _activate(hs[t], pre[t], carry if t > 0 else zeros, b_h_or_0, act)
        last = hs[steps - 1]
        np.dot(last, w_hy, pred)
        # loss and its gradient at the prediction
        if readout_bias:
            for i in range(n):
                for k in range(out):
                    diff[i * out + k] = pred[i, k] + b_y[k] - y[i, k]
        else:
            for i in range(n * out):
                diff[i] = pred_flat[i] - y_flat[i]
        total = _loss_and_grad(diff, gf, loss, delta, mix, scale)
        if report_differs:
            total = _loss_and_grad(diff, scratch, report, report_delta, report_mix, 1.0)
        losses[e] = total * report_scale
        if not np.isfinite(losses[e]):
            return e
        # backward through time
        if steps > 1:
            w_hh_t[:] = w_hh.T
        w_hy_t[:] = w_hy.T
        np.dot(last.T, g, g_hy)
        np.dot(g, w_hy_t, dh)
        for t in range(steps - 1, -1, -1):
            h_t, da_t = hs[t], da[t]
            for i in range(n):
                for j in range(hidden):
                    da_t[i, j] = dh[i, j] * _activation_grad(h_t[i, j], one, act)
            if t > 0:
                np.dot(da_t, w_hh_t, dh)
        if steps > 1:
            np.dot(hs[:steps - 1].reshape((steps - 1) * n, hidden).T, da[1:].reshape((steps - 1) * n, hidden), g_hh)
        daf = da.reshape(steps * n, hidden)
        np.dot(xf.T, daf, g_xh)
        # SGD
        _descend(w_xh, g_xh, rate)
        _descend(w_hy, g_hy, rate)
        if steps > 1:
            _descend(w_hh, g_hh, rate)
        if bias:
            _column_sums(daf, g_b)
            _descend(b_h, g_b, rate)
        if readout_bias:
            _column_sums(g, scratch[:out])
            _descend(b_y, scratch[:out], rate)
    return epochs


@register_jitable(inline="always")
def _column_sums(a, out):  # type: ignore[no-untyped-def]
    out[:] = 0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[j] += a[i, j]


@register_jitable(inline="always")
def _descend(w, grad, rate):  # type: ignore[no-untyped-def]
    wf, gf = w.reshape(w.size), grad.reshape(grad.size)
    for i in range(wf.size):
        wf[i] -= rate * gf[i]
