"""rnnlab.train.inspection against torch autograd (an independent reference), and the
inspection.npz contract of rnnlab.runs.inspection."""

from __future__ import annotations

import numpy as np
import pytest

from rnnlab.core.init import torch_default_stacked
from rnnlab.core.losses import Loss
from rnnlab.runs.inspection import read_inspection, write_inspection
from rnnlab.spec import ModelSpec
from rnnlab.train.inspection import Inspector, Window, inspect

torch = pytest.importorskip("torch")


def _spec(cell: str, layers: int, readout: str) -> ModelSpec:
    return ModelSpec(cell, "tanh", 2, 5, 3 if readout == "last" else 1, True, True, readout, layers)


def _torch_reference(spec: ModelSpec, params: dict, x: np.ndarray, y: np.ndarray):
    """Hidden states and |dL/dh_t| per layer, by torch autograd on a plain unroll."""
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    inputs = torch.tensor(x[0], dtype=torch.float64)  # (L, D)
    hn = spec.hidden
    states = []
    for k in range(spec.layers):
        s = "" if k == 0 else f"_l{k}"
        wx, wh, b = p["W_xh" + s], p["W_hh" + s], p["b_h" + s]
        h = torch.zeros(hn, dtype=torch.float64)
        c = torch.zeros(hn, dtype=torch.float64)
        hs = []
        for t in range(inputs.shape[0]):
            if spec.cell == "elman":
                h = torch.tanh(inputs[t] @ wx + h @ wh + b)
            elif spec.cell == "lstm":
                z = inputs[t] @ wx + h @ wh + b
                i, f, g, o = torch.sigmoid(z[:hn]), torch.sigmoid(z[hn:2 * hn]), torch.tanh(z[2 * hn:3 * hn]), torch.sigmoid(z[3 * hn:])
                c = f * c + i * g
                h = o * torch.tanh(c)
            else:
                ax, ah = inputs[t] @ wx + b, h @ wh
                r = torch.sigmoid(ax[:hn] + ah[:hn])
                zg = torch.sigmoid(ax[hn:2 * hn] + ah[hn:2 * hn])
                n = torch.tanh(ax[2 * hn:] + r * (ah[2 * hn:] + p["b_hn" + s]))
                h = (1 - zg) * n + zg * h
            h.retain_grad()
            hs.append(h)
        states.append(hs)
        inputs = torch.stack(hs)
    top = torch.stack(states[-1])
    if spec.readout == "last":
        loss = ((top[-1] @ p["W_hy"] + p["b_y"] - torch.tensor(y[0])) ** 2).mean()
    else:
        pred = top @ p["W_hy"] + p["b_y"]
        loss = ((pred - torch.tensor(y[0])) ** 2).mean() * top.shape[0]  # each step its own mean
    loss.backward()
    hidden = np.stack([torch.stack(hs).detach().numpy() for hs in states])
    norms = np.stack([[float(h.grad.norm()) for h in hs] for hs in states])
    return hidden, norms


@pytest.mark.parametrize("cell", ["elman", "lstm", "gru"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("readout", ["last", "every"])
def test_hidden_states_and_gradient_norms_match_autograd(cell, layers, readout):
    spec = _spec(cell, layers, readout)
    params = torch_default_stacked(3, cell, spec.input_size, spec.hidden, spec.output_size, layers, True, True)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 7, 2))
    y = rng.normal(size=(1, 3) if readout == "last" else (1, 7, 1))
    snap = inspect(spec, params, Window(x, y), Loss("mse"))
    hidden, norms = _torch_reference(spec, params, x, y)
    np.testing.assert_allclose(snap.hidden, hidden, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(snap.grad_norm, norms, rtol=1e-10, atol=1e-15)
    if readout == "last":  # the gradient starts at the last step and can only shrink or grow backwards
        assert snap.grad_norm[-1, -1] > 0


def test_eigenvalues_of_a_known_recurrent_matrix():
    """A rotation by 30 degrees scaled by 0.9 has eigenvalues 0.9 e^(+-i pi/6), and a
    diagonal 1.2 entry makes the spectral radius 1.2."""
    spec = ModelSpec("elman", "tanh", 1, 3, 1, False, False, "last")
    a = np.pi / 6
    w = np.zeros((3, 3))
    w[:2, :2] = 0.9 * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    w[2, 2] = 1.2
    params = {"W_xh": np.ones((1, 3)), "W_hh": w, "W_hy": np.ones((3, 1))}
    snap = inspect(spec, params, Window(np.ones((1, 4, 1)), np.zeros((1, 1))), Loss("mse"))
    assert snap.spectral_radius[0] == pytest.approx(1.2)
    np.testing.assert_allclose(snap.eigenvalues[0], [1.2, 0.9 * np.exp(-1j * a), 0.9 * np.exp(1j * a)], atol=1e-12)


@pytest.mark.parametrize("cell,block", [("lstm", 2), ("gru", 2)])
def test_gated_cells_report_the_candidate_block(cell, block):
    h = 3
    spec = ModelSpec(cell, "tanh", 1, h, 1, True, False, "last")
    params = torch_default_stacked(0, cell, 1, h, 1, 1, True, False)
    params["W_hh"][:, block * h:(block + 1) * h] = np.diag([0.5, -2.0, 0.25])
    snap = inspect(spec, params, Window(np.ones((1, 3, 1)), np.zeros((1, 1))), Loss("mse"))
    np.testing.assert_allclose(snap.eigenvalues[0], [-2.0, 0.5, 0.25])
    assert snap.w_hh.shape == (1, h, params["W_hh"].shape[1])


def test_inspector_arrays_round_trip_through_inspection_npz(tmp_path):
    spec = _spec("elman", 2, "last")
    window = Window(np.ones((1, 6, 2)), np.zeros((1, 3)))
    inspector = Inspector(spec, window)
    for epoch in (0, 10, 20):
        inspector.record(epoch, torch_default_stacked(epoch, "elman", 2, 5, 3, 2, True, True))
    write_inspection(tmp_path / "inspection.npz", inspector.arrays())
    back = read_inspection(tmp_path / "inspection.npz")
    assert back.epochs.tolist() == [0, 10, 20]
    assert back.hidden.shape == (3, 2, 6, 5) and back.grad_norm.shape == (3, 2, 6)
    assert back.eigenvalues.shape == (3, 2, 5) and back.spectral_radius.shape == (3, 2)
    np.testing.assert_allclose(back.spectral_radius, np.abs(back.eigenvalues).max(axis=-1))
    last = torch_default_stacked(20, "elman", 2, 5, 3, 2, True, True)
    np.testing.assert_array_equal(back.w_hh[1], last["W_hh_l1"])


def test_a_broken_inspection_file_is_refused(tmp_path):
    spec = _spec("gru", 1, "last")
    inspector = Inspector(spec, Window(np.ones((1, 4, 2)), np.zeros((1, 3))))
    inspector.record(0, torch_default_stacked(0, "gru", 2, 5, 3, 1, True, True))
    arrays = inspector.arrays()
    arrays["grad_norm"] = arrays["grad_norm"][:, :, :2]
    with pytest.raises(ValueError, match="grad_norm"):
        write_inspection(tmp_path / "inspection.npz", arrays)
    with pytest.raises(ValueError, match="one encoded example"):
        Inspector(spec, Window(np.ones((2, 4, 2)), np.zeros((2, 3))))


def test_non_finite_parameters_are_recorded_as_nan():
    spec = _spec("elman", 1, "last")
    params = torch_default_stacked(0, "elman", 2, 5, 3, 1, True, True)
    params["W_hh"][0, 0] = np.inf
    snap = inspect(spec, params, Window(np.ones((1, 4, 2)), np.zeros((1, 3))), Loss("mse"))
    assert np.isnan(snap.spectral_radius[0])


def test_a_resumed_inspector_continues_the_records_before_its_checkpoint():
    spec = _spec("elman", 1, "last")
    window = Window(np.ones((1, 4, 2)), np.zeros((1, 3)))
    params = {e: torch_default_stacked(e, "elman", 2, 5, 3, 1, True, True) for e in (0, 10, 20)}
    whole = Inspector(spec, window)
    for e, p in params.items():
        whole.record(e, p)
    resumed = Inspector(spec, window)
    resumed.resume(whole.arrays(), epoch=15)  # the checkpoint was at epoch 15: epoch 20 comes again
    assert resumed.epochs == [0, 10]
    resumed.record(20, params[20])
    for key, value in whole.arrays().items():
        np.testing.assert_array_equal(resumed.arrays()[key], value, err_msg=key)
