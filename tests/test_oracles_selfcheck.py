"""Self-checks of the oracle transcriptions in tests/oracles (they never import rnnlab)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.oracles import primer_numpy as pn

# ---------------------------------------------------------------- primer_numpy


@pytest.fixture(scope="module")
def primer_setup():
    grid, train, test = pn.make_windows(2882)
    W, U, V = pn.init_params(2882)
    return grid, train, test, W, U, V


def test_primer_numpy_data_and_init(primer_setup):
    grid, train, test, W, U, V = primer_setup
    assert len(grid) == 68
    assert train.shape == (50, 14) and test.shape == (4, 14)
    assert train.dtype == np.float64
    allw = np.vstack([test, train])
    # every window is a run of 14 consecutive sin(grid) values, and all 54 appear once
    starts = sorted(int(np.argmin(np.abs(np.sin(grid[:55]) - w[0]) + np.abs(np.sin(grid[1:56]) - w[1]))) for w in allw)
    assert starts == list(range(54))
    assert not np.array_equal(allw, np.array([np.sin(grid[i : i + 14]) for i in range(54)]))  # shuffled
    assert np.allclose(np.tril(W, -1), 0.0)  # R factor: upper triangular
    assert np.allclose(U.T @ U, np.eye(6))  # singular values all 1
    assert np.allclose(V @ V.T, np.eye(8))
    # default_rng draw order W, U, V
    rng = np.random.default_rng(2882)
    rng.normal(size=(32, 32))
    u, _, vh = np.linalg.svd(rng.normal(0.0, (32 * 6) ** -0.75, size=(32, 6)), full_matrices=False)
    assert np.allclose(U, u @ vh)


def _flat_loss(theta, shapes, windows):
    W, U, V = _unflatten(theta, shapes)
    loss = 0.0
    for w in windows:
        y = pn.forward(W, U, V, w)[2]
        loss += np.sum(0.5 * (y - w[6:]) ** 2)
    return loss


def _unflatten(theta, shapes):
    out, i = [], 0
    for sh in shapes:
        n = int(np.prod(sh))
        out.append(theta[i : i + n].reshape(sh))
        i += n
    return out


def test_primer_numpy_exact_gradient_matches_finite_differences(primer_setup):
    _, train, _, W, U, V = primer_setup
    windows = train[:2]
    loss, dW, dU, dV = pn.gradients(W, U, V, windows, "l2", "exact")
    shapes = [W.shape, U.shape, V.shape]
    theta = np.concatenate([W.ravel(), U.ravel(), V.ravel()])
    assert math.isclose(loss, _flat_loss(theta, shapes, windows), rel_tol=1e-14)
    h = 1e-6
    fd = np.empty_like(theta)
    for k in range(theta.size):
        tp = theta.copy(); tp[k] += h
        tm = theta.copy(); tm[k] -= h
        fd[k] = (_flat_loss(tp, shapes, windows) - _flat_loss(tm, shapes, windows)) / (2 * h)
    an = np.concatenate([dW.ravel(), dU.ravel(), dV.ravel()])
    assert np.max(np.abs(fd - an)) <= 1e-8 * max(1.0, np.max(np.abs(an)))


def test_primer_numpy_forward_exact_equals_bptt(primer_setup):
    _, train, _, W, U, V = primer_setup
    rng = np.random.default_rng(0)
    W2 = W + rng.normal(0, 0.3, W.shape)  # a less trivial point than the init
    for lg in ("soft_l1", "l2"):
        a = pn.gradients(W2, U, V, train[:3], lg, "exact")
        b = pn.gradients(W2, U, V, train[:3], lg, "bptt")
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-14)


def test_primer_numpy_approx_vs_exact(primer_setup):
    _, train, _, W, U, V = primer_setup
    la, aW, aU, aV = pn.gradients(W, U, V, train[:5], "soft_l1", "approx")
    le, eW, eU, eV = pn.gradients(W, U, V, train[:5], "soft_l1", "exact")
    assert la == le
    np.testing.assert_allclose(aV, eV, rtol=1e-13, atol=0)
    # the primer's 2-D running matrix drops off-diagonal terms: U and W gradients differ
    assert np.max(np.abs(aU - eU)) > 1e-3 * np.max(np.abs(eU))
    assert np.max(np.abs(aW - eW)) > 1e-3 * np.max(np.abs(eW))
    # ... except when W is diagonal, where the dropped terms vanish
    Wd = np.diag(np.diag(W))
    a = pn.gradients(Wd, U, V, train[:5], "soft_l1", "approx")
    e = pn.gradients(Wd, U, V, train[:5], "soft_l1", "exact")
    for x, y in zip(a, e):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-15)


def test_primer_numpy_loss_gradients():
    dy = np.array([-2.0, -0.5, -0.01, 0.0, 0.02, 0.025, 3.0])
    np.testing.assert_array_equal(pn.loss_gradient_of(dy, "l2"), dy)
    np.testing.assert_array_equal(pn.loss_gradient_of(dy, "clip"), [-1, -0.5, -0.01, 0, 0.02, 0.025, 1])
    np.testing.assert_array_equal(pn.loss_gradient_of(dy, "l1"), [-1, -1, -1, 0, 1, 1, 1])
    np.testing.assert_allclose(
        pn.loss_gradient_of(dy, "elastic_net"), 0.5 * np.sign(dy) + 0.5 * dy, rtol=0, atol=0
    )
    np.testing.assert_allclose(pn.loss_gradient_of(dy, "soft_l1"), [-1, -1, -0.4, 0, 0.8, 1, 1])


def test_primer_numpy_run_short(primer_setup):
    _, train, test, W, U, V = primer_setup
    r1 = pn.run(n_epochs=1)
    loss, dW, dU, dV = pn.gradients(W, U, V, train, "soft_l1", "approx")
    assert r1["printed"] == [(0, loss, math.sqrt(loss / 54 / 8))]
    np.testing.assert_array_equal(r1["W"], W - 0.1 / 54 * dW)  # lr eps / 54, not / 50
    np.testing.assert_array_equal(r1["U"], U - 0.1 / 54 * dU)
    np.testing.assert_array_equal(r1["V"], V - 0.1 / 54 * dV)
    np.testing.assert_array_equal(r1["test_windows"], test)
    assert r1["test_predictions"].shape == (4, 8)
    # one step downhill lowers the reported loss
    assert pn.gradients(r1["W"], r1["U"], r1["V"], train, "l2", "approx")[0] < loss


# ---------------------------------------------------------------- elman_sine_torch


def test_elman_oracle_short():
    torch = pytest.importorskip("torch")
    from tests.oracles import elman_sine_torch as es

    r = es.run(epochs=3)
    assert len(r["epoch_losses"]) == 3 and all(np.isfinite(r["epoch_losses"]))
    assert r["printed"] == [(0, r["epoch_losses"][0])]
    assert r["epoch_losses"][2] < r["epoch_losses"][0]
    assert r["w1_init"].dtype == np.float32 and r["w1_init"].shape == (7, 6)
    assert r["w2_init"].shape == (6, 1) and r["predictions"].shape == (20,)
    # the legacy spelling draws the same numbers
    torch.manual_seed(1)
    a = torch.FloatTensor(7, 6)
    torch.nn.init.normal_(a, 0.0, 0.4)
    b = torch.FloatTensor(6, 1)
    torch.nn.init.normal_(b, 0.0, 0.3)
    np.testing.assert_array_equal(a.numpy(), r["w1_init"])
    np.testing.assert_array_equal(b.numpy(), r["w2_init"])

    # independent float64 replay of online learning with one-step truncated BPTT
    t = np.linspace(2, 10, 21)
    data = np.sin(t).astype(np.float32).astype(np.float64)
    w1 = r["w1_init"].astype(np.float64)
    w2 = r["w2_init"].astype(np.float64)
    losses = []
    for _ in range(3):
        h = np.zeros(6)
        tot = 0.0
        for j in range(20):
            xh = np.concatenate([[data[j]], h])
            hn = np.tanh(xh @ w1)
            out = hn @ w2[:, 0]
            e = out - data[j + 1]
            tot += 0.5 * e * e
            g2 = e * hn[:, None]
            g1 = np.outer(xh, e * w2[:, 0] * (1 - hn**2))
            w1 = w1 - 0.1 * g1
            w2 = w2 - 0.1 * g2
            h = hn
        losses.append(tot)
    np.testing.assert_allclose(r["epoch_losses"], losses, rtol=1e-4)
    np.testing.assert_allclose(r["w1"], w1, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------- primer_torch


def test_primer_torch_oracle_short():
    pytest.importorskip("torch")
    from tests.oracles import primer_torch as pt

    r = pt.run(n_epochs=201)
    assert [p[0] for p in r["printed"]] == [0, 100, 200]
    assert r["test_predictions"].shape == (3, 4, 8)
    ws = r["windows_shuffled"]
    assert ws.shape == (132, 14) and ws.dtype == np.float64
    np.testing.assert_array_equal(r["X"], ws[4:, :6].astype(np.float32))
    np.testing.assert_array_equal(r["y"], ws[4:, 6:].astype(np.float32))
    np.testing.assert_array_equal(r["X_test"], ws[:4, :6].astype(np.float32))
    np.testing.assert_array_equal(r["y_test"], ws[:4, 6:].astype(np.float32))
    assert set(r["params_init"]) == {"rnn_stack.0.weight_ih", "rnn_stack.0.weight_hh", "rnn_stack.1.weight"}
    # the first printed loss is the Huber(0.025) mean loss at the initial parameters
    Wih = r["params_init"]["rnn_stack.0.weight_ih"].astype(np.float64)
    Vl = r["params_init"]["rnn_stack.1.weight"].astype(np.float64)
    pred = np.tanh(r["X"].astype(np.float64) @ Wih.T) @ Vl.T
    d = np.abs(pred - r["y"])
    huber = np.where(d < 0.025, 0.5 * d**2, 0.025 * (d - 0.5 * 0.025)).mean()
    assert math.isclose(r["printed"][0][1], huber, rel_tol=1e-5)
    # weight_hh never moves (zero hidden state); the others do
    np.testing.assert_array_equal(r["params"]["rnn_stack.0.weight_hh"], r["params_init"]["rnn_stack.0.weight_hh"])
    assert not np.array_equal(r["params"]["rnn_stack.1.weight"], r["params_init"]["rnn_stack.1.weight"])
    assert r["printed"][2][1] < r["printed"][0][1]
