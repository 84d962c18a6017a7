"""The Flux.jl loader in docs/export.md (Julia cannot run here) against real safetensors exports.

Two checks: what the loader reads (its format, gate orders and tensor names) is what the
files hold, per their metadata; and Flux's cell equations (transcribed below from Flux
0.15's src/layers/recurrent.jl), run in NumPy on the weights as the loader places them
(every matrix transposed), give rnnlab's outputs.
"""

import re
from pathlib import Path

import numpy as np
import pytest

from rnnlab.export import to_safetensors
from rnnlab.export.reference import random_inputs, rnnlab_outputs

from export_models import CELLS, tiny_model

DOC = Path(__file__).resolve().parents[2] / "docs" / "export.md"
FLUX_GATES = {"elman": "h", "lstm": "i,f,g,o", "gru": "r,z,n"}  # Flux's chunk order: input, forget, cell, output; r, z, h̃


def loader() -> str:
    blocks = re.findall(r"```julia\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    found = [b for b in blocks if "function load_rnnlab" in b]
    assert len(found) == 1
    return found[0]


def julia_gates(code: str) -> dict[str, str]:
    return dict(re.findall(r'"(\w+)" => "([\w,]+)"', re.search(r"const GATES = Dict\((.*?)\)", code).group(1)))


def names_read(code: str, layers: int) -> dict[str, int]:
    """Tensor name -> rank the loader expects (w: a matrix, v: a vector), for `layers` layers."""
    out = {}
    for kind, name in re.findall(r'\b([wv])\("(\w+)(?:\$s)?"\)', code):
        suffixed = f'{kind}("{name}$s")' in code
        for k in range(layers if suffixed else 1):
            out[name + ("" if k == 0 else f"_l{k}")] = 2 if kind == "w" else 1
    return out


def test_the_loader_reads_the_format_and_gate_orders_the_files_declare(tmp_path):
    code = loader()
    assert re.search(r'const FORMAT = "(.*?)"', code).group(1) == to_safetensors.FORMAT
    assert julia_gates(code) == FLUX_GATES  # the loader's claim: Flux's cells use the file's orders
    for cell, act in CELLS:
        to_safetensors.write(tiny_model(cell, act, 2, True, "last"), tmp_path)
        spec, _ = to_safetensors.read(tmp_path / to_safetensors.FILE)
        from safetensors import safe_open

        with safe_open(str(tmp_path / to_safetensors.FILE), framework="numpy") as f:
            meta = f.metadata()
        assert meta["gates"] == julia_gates(code)[cell]
        assert meta["convention"].startswith("row vectors")  # why the loader transposes every matrix


@pytest.mark.parametrize("cell,act", CELLS)
@pytest.mark.parametrize("bias", [False, True])
def test_every_tensor_the_loader_reads_is_in_the_file_and_every_tensor_is_read(tmp_path, cell, act, bias):
    to_safetensors.write(tiny_model(cell, act, 2, bias, "every"), tmp_path)
    _, tensors = to_safetensors.read(tmp_path / to_safetensors.FILE)
    code = loader()
    wanted = names_read(code, 2)
    present = {name: rank for name, rank in wanted.items() if name in tensors}
    assert all(tensors[name].ndim == rank for name, rank in present.items())
    assert set(tensors) <= set(wanted)  # nothing in the file is left unread
    # Read conditionally: biases only when the metadata says there are, b_hn only for a GRU with biases.
    unread = {"b_hn", "b_hn_l1"} if cell != "gru" else set()
    assert set(wanted) - set(tensors) == (unread if bias else unread | {"b_h", "b_h_l1", "b_hn", "b_hn_l1", "b_y"})


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def flux_forward(meta: dict, t: dict, x: np.ndarray, h0: np.ndarray, c0) -> np.ndarray:
    """Flux's cells with the loader's weights: column vectors, features first. x (D, time, batch)."""
    w = {name: value.T for name, value in t.items() if value.ndim == 2}  # permutedims
    v = {name: value for name, value in t.items() if value.ndim == 1}
    cell, bias, seq = meta["cell"], meta["bias"] == "true", x
    for k in range(int(meta["layers"])):
        s = "" if k == 0 else f"_l{k}"
        wi, wh, b = w[f"W_xh{s}"], w[f"W_hh{s}"], v[f"b_h{s}"] if bias else 0.0
        h, c = h0[k].T, None if c0 is None else c0[k].T  # (H, batch)
        hs = []
        for step in range(seq.shape[1]):
            xt = seq[:, step, :]
            if cell == "elman":  # RNNCell: σ.(Wi * x .+ Wh * h .+ bias)
                act = np.tanh if meta["activation"] == "tanh" else _sigmoid
                h = act(wi @ xt + wh @ h + (b[:, None] if bias else 0.0))
            elif cell == "lstm":  # input, forget, cell, output = chunk(Wi x .+ Wh h .+ b, 4)
                g = wi @ xt + wh @ h + (b[:, None] if bias else 0.0)
                i, f, cc, o = np.split(g, 4)
                c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(cc)
                h = _sigmoid(o) * np.tanh(c)
            else:  # GRUCell, or the loader's GRUbhn when there are biases
                gx, gh = np.split(wi @ xt, 3), np.split(wh @ h, 3)
                bs = np.split(b, 3) if bias else [0.0, 0.0, 0.0]
                bs = [bb[:, None] if bias else 0.0 for bb in bs]
                b_hn = v[f"b_hn{s}"][:, None] if bias else 0.0
                r = _sigmoid(gx[0] + gh[0] + bs[0])
                z = _sigmoid(gx[1] + gh[1] + bs[1])
                n = np.tanh(gx[2] + bs[2] + r * (gh[2] + b_hn))
                h = (1 - z) * n + z * h
            hs.append(h)
        seq = np.stack(hs, axis=1)  # (H, time, batch)
    top = seq if meta["readout"] == "every" else seq[:, -1, :]
    y = np.tensordot(w["W_hy"], top, axes=1)  # Dense: weight (O, H)
    if meta["readout_bias"] == "true":
        y = y + v["b_y"].reshape((-1,) + (1,) * (y.ndim - 1))
    return y


@pytest.mark.parametrize("cell,act", CELLS)
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("readout", ["last", "every"])
def test_flux_equations_on_the_loaders_weights_give_rnnlabs_outputs(tmp_path, cell, act, layers, bias, readout):
    model = tiny_model(cell, act, layers, bias, readout)
    to_safetensors.write(model, tmp_path)
    from safetensors import safe_open

    with safe_open(str(tmp_path / to_safetensors.FILE), framework="numpy") as f:
        meta, tensors = f.metadata(), {name: f.get_tensor(name).astype(np.float64) for name in f.keys()}
    inputs = random_inputs(model.spec, 3, 9, seed=4)
    want = rnnlab_outputs(model.spec, tensors, inputs).y
    got = flux_forward(meta, tensors, inputs.x.transpose(2, 1, 0), inputs.h0, inputs.c0)
    got = np.moveaxis(got, 0, -1)  # Flux's (O, [time,] batch) -> rnnlab's ([time,] batch, O)
    got = got.transpose(1, 0, 2) if readout == "every" else got
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
