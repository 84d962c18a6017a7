"""LSTM, GRU and stacked layers on the NumPy engine: hand-written gradients against central
finite differences (float64) and against torch autograd; Adam, momentum and clipping
against torch.optim."""

import numpy as np
import pytest

from rnnlab.core import init
from rnnlab.core.gradcheck import finite_difference, relative_error
from rnnlab.core.losses import Loss
from rnnlab.core.optim import Adam, Momentum, clip_grad_norm
from rnnlab.engines.numpy import NumpyEngine
from rnnlab.spec import ModelSpec, TrainingSpec

CASES = [(cell, layers, bias) for cell in ("lstm", "gru", "elman") for layers in (1, 2) for bias in (False, True)]
D, H, O, N, L = 2, 4, 3, 5, 6


def _engine(cell, layers, bias, readout="last", seed=1):
    spec = ModelSpec(cell, "tanh", D, H, O, bias, bias, readout, layers)
    engine = NumpyEngine(spec, TrainingSpec(Loss("mse"), Loss("mse"), 0.1, "full_batch", 1, "exact"), "float64")
    params = init.torch_default_stacked(seed, cell, D, H, O, layers, bias, bias)
    engine.set_params({k: 2.0 * v for k, v in params.items()})  # larger weights: gates leave their linear zone
    return engine


def _data(readout="last"):
    rng = np.random.default_rng(0)
    y = rng.normal(size=(N, O)) if readout == "last" else rng.normal(size=(N, L, O))
    return rng.normal(size=(N, L, D)), y


@pytest.mark.parametrize("cell,layers,bias", CASES)
@pytest.mark.parametrize("readout", ["last", "every"])
def test_gradients_match_finite_differences(cell, layers, bias, readout):
    engine = _engine(cell, layers, bias, readout)
    x, y = _data(readout)
    _, grads = engine.gradients(x, y)
    numeric = finite_difference(lambda p: engine.objective(p, x, y), engine.get_params(), samples=40)
    assert set(numeric) == set(engine.model.param_shapes)
    for name, (idx, est) in numeric.items():
        assert relative_error(grads[name].reshape(-1)[idx], est) < 1e-6, name


def _torch_module(torch, cell, layers, bias, params):
    """torch.nn.RNN/LSTM/GRU carrying `params` (rnnlab.core.init's layout)."""
    cls = {"elman": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    module = cls(D, H, num_layers=layers, bias=bias, batch_first=True).double()
    with torch.no_grad():
        for k in range(layers):
            s = init.layer_suffix(k)
            getattr(module, f"weight_ih_l{k}").copy_(torch.tensor(params["W_xh" + s].T))
            getattr(module, f"weight_hh_l{k}").copy_(torch.tensor(params["W_hh" + s].T))
            if bias:
                b_hh = np.zeros_like(params["b_h" + s])
                if cell == "gru":
                    b_hh[2 * H:] = params["b_hn" + s]
                getattr(module, f"bias_ih_l{k}").copy_(torch.tensor(params["b_h" + s]))
                getattr(module, f"bias_hh_l{k}").copy_(torch.tensor(b_hh))
    return module


@pytest.mark.parametrize("cell,layers,bias", CASES)
def test_outputs_and_gradients_match_torch_autograd(cell, layers, bias):
    torch = pytest.importorskip("torch")
    engine = _engine(cell, layers, bias)
    x, y = _data()
    params = engine.get_params()
    _, grads = engine.gradients(x, y)
    module = _torch_module(torch, cell, layers, bias, params)
    w_hy = torch.tensor(params["W_hy"], requires_grad=True)
    b_y = torch.tensor(params["b_y"], requires_grad=True) if bias else None
    out, _ = module(torch.tensor(x))
    pred = out[:, -1] @ w_hy + (b_y if bias else 0.0)
    ((pred - torch.tensor(y)) ** 2).mean().backward()
    np.testing.assert_allclose(pred.detach().numpy(), engine.predict(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w_hy.grad.numpy(), grads["W_hy"], rtol=1e-9, atol=1e-12)
    for k in range(layers):
        s = init.layer_suffix(k)
        np.testing.assert_allclose(getattr(module, f"weight_ih_l{k}").grad.numpy().T, grads["W_xh" + s],
                                   rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(getattr(module, f"weight_hh_l{k}").grad.numpy().T, grads["W_hh" + s],
                                   rtol=1e-9, atol=1e-12)
        if bias:
            np.testing.assert_allclose(getattr(module, f"bias_ih_l{k}").grad.numpy(), grads["b_h" + s],
                                       rtol=1e-9, atol=1e-12)
            if cell == "gru":
                np.testing.assert_allclose(getattr(module, f"bias_hh_l{k}").grad.numpy()[2 * H:],
                                           grads["b_hn" + s], rtol=1e-9, atol=1e-12)


def test_initialisation_follows_torch_defaults():
    p = init.torch_default_stacked(0, "lstm", D, H, O, 2, True, True)
    assert p["W_xh"].shape == (D, 4 * H) and p["W_xh_l1"].shape == (H, 4 * H) and p["b_h_l1"].shape == (4 * H,)
    bound = 1 / np.sqrt(H)
    assert max(np.abs(p[k]).max() for k in ("W_xh", "W_hh", "W_xh_l1", "W_hy")) <= bound
    gru = init.torch_default_stacked(0, "gru", D, H, O, 1, True, False)
    assert gru["b_h"].shape == (3 * H,) and gru["b_hn"].shape == (H,) and "b_y" not in gru
    one = init.torch_default_stacked(3, "elman", D, H, O, 1, True, True)
    for name, value in init.torch_default(3, D, H, O, True, True).items():
        np.testing.assert_array_equal(one[name], value)


def _torch_steps(torch, make, params, grads_seq, clip=0.0):
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    opt = make(list(tensors.values()))
    for grads in grads_seq:
        for k, t in tensors.items():
            t.grad = torch.tensor(grads[k])
        if clip:
            torch.nn.utils.clip_grad_norm_(list(tensors.values()), clip)
        opt.step()
    return {k: t.detach().numpy() for k, t in tensors.items()}


@pytest.mark.parametrize("kind", ["adam", "momentum"])
@pytest.mark.parametrize("clip", [0.0, 0.5])
def test_optimizers_and_clipping_match_torch(kind, clip):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    params = {"a": rng.normal(size=(3, 2)), "b": rng.normal(size=4)}
    grads_seq = [{k: rng.normal(size=v.shape) for k, v in params.items()} for _ in range(5)]
    ours = Adam(0.05) if kind == "adam" else Momentum(0.05, 0.9)
    mine = {k: v.copy() for k, v in params.items()}
    for grads in grads_seq:
        g = {k: v.copy() for k, v in grads.items()}
        clip_grad_norm(g, clip)
        ours.step(mine, g)
    make = ((lambda ps: torch.optim.Adam(ps, lr=0.05)) if kind == "adam"
            else (lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)))
    theirs = _torch_steps(torch, make, params, grads_seq, clip)
    for k in params:
        np.testing.assert_allclose(mine[k], theirs[k], rtol=1e-10, atol=1e-12)


def test_optimizer_state_round_trips():
    rng = np.random.default_rng(2)
    p = {"w": rng.normal(size=3)}
    a, b = Adam(0.1), Adam(0.1)
    a.step(p, {"w": np.ones(3)})
    b.load_state(a.state())
    pa, pb = {"w": p["w"].copy()}, {"w": p["w"].copy()}
    a.step(pa, {"w": np.full(3, 0.5)})
    b.step(pb, {"w": np.full(3, 0.5)})
    np.testing.assert_array_equal(pa["w"], pb["w"])
    m = Momentum(0.1)
    m.step(p, {"w": np.ones(3)})
    m2 = Momentum(0.1)
    m2.load_state(m.state())
    np.testing.assert_array_equal(m2.velocity["w"], m.velocity["w"])
