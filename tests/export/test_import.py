"""`rnnlab import`: a torch state_dict becomes a run folder whose predictions are torch's own."""

import json

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.config import load
from rnnlab.errors import UserError
from rnnlab.export.importer import import_model
from rnnlab.export.job import export_run
from rnnlab.export.source import load_model
from rnnlab.train.experiment import prepare
from rnnlab.train.predict import predict_run

torch = pytest.importorskip("torch")
nn = torch.nn
MODULES = {"elman": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class Net(nn.Module):
    """How torch users write it: a recurrent module and a Linear head, under their own names."""

    def __init__(self, cell, d, h, o, layers, bias, readout):
        super().__init__()
        self.encoder = MODULES[cell](d, h, num_layers=layers, bias=bias, batch_first=True)
        self.head = nn.Linear(h, o, bias=bias)
        self.readout = readout

    def forward(self, x):
        out, _ = self.encoder(x)
        return self.head(out if self.readout == "every" else out[:, -1])


def _saved(tmp_path, cell, d=1, h=6, o=3, layers=1, bias=True, readout="last", seed=0):
    torch.manual_seed(seed)
    net = Net(cell, d, h, o, layers, bias, readout)
    if bias:  # torch starts biases uniform too, but make b_ih and b_hh clearly different
        with torch.no_grad():
            for name, value in net.encoder.named_parameters():
                if name.startswith("bias_hh"):
                    value.mul_(3.0)
    path = tmp_path / "model.pt"
    torch.save(net.state_dict(), path)
    return net, path


@pytest.mark.parametrize("cell", ["elman", "lstm", "gru"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("readout,d,o", [("last", 1, 3), ("last", 4, 2), ("every", 1, 1)])
def test_an_imported_model_predicts_what_torch_predicts(tmp_path, cell, layers, bias, readout, d, o):
    net, path = _saved(tmp_path, cell, d=d, o=o, layers=layers, bias=bias, readout=readout)
    out, summary = import_model(path, tmp_path / "run", cell=cell, readout=readout)
    assert {p.name for p in out.iterdir()} == {"config.toml", "params.npz", "summary.json"}
    assert summary["kind"] == "imported" and summary["epochs"] == 0
    exp = prepare(load(out / "config.toml"))
    with torch.no_grad():
        want = net(torch.from_numpy(exp.eval_x.astype(np.float32))).double().numpy()
    got = predict_run(out)
    assert "imported model" in got.evaluated_on
    scale = np.abs(want).max()
    assert np.abs(got.predictions.reshape(want.shape) - want).max() / scale < 1e-5


def test_an_imported_model_exports_again(tmp_path):
    net, path = _saved(tmp_path, "gru", layers=2)
    out, _ = import_model(path, tmp_path / "run")
    result = export_run(out, ["onnx", "torch"], check=True)
    assert result.checks and all(c.ok for c in result.checks)
    exported = torch.load(result.folder / "model.pt", weights_only=True)
    assert set(exported) == {f"rnn.{k}" for k in net.encoder.state_dict()} | {f"readout.{k}" for k in net.head.state_dict()}


def test_a_safetensors_export_imports_back_with_the_same_tensors(tmp_path):
    _, path = _saved(tmp_path, "lstm", layers=2)
    first, _ = import_model(path, tmp_path / "first")
    export_run(first, ["safetensors"], out=tmp_path / "exported")
    second, _ = import_model(tmp_path / "exported" / "model.safetensors", tmp_path / "second")
    a, b = load_model(first), load_model(second)
    assert a.spec == b.spec
    for name, value in a.params.items():
        np.testing.assert_array_equal(b.params[name], value.astype(np.float32))


def test_the_cli_imports_and_predict_accepts_the_folder(tmp_path, capsys):
    _, path = _saved(tmp_path, "lstm")
    assert main(["import", str(path), "--cell", "lstm", "--out", str(tmp_path / "run")]) == 0
    assert "lstm, 1 layer, 1 -> 6 -> 3" in capsys.readouterr().out
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["source"] == str(path)
    assert main(["predict", str(tmp_path / "run")]) == 0
    assert "not the data it was trained on" in capsys.readouterr().out


def _state_dict_file(tmp_path, tensors):
    path = tmp_path / "odd.pt"
    torch.save({k: torch.as_tensor(v, dtype=torch.float32) for k, v in tensors.items()}, path)
    return path


@pytest.mark.parametrize("build,needle", [
    (lambda: {**{f"rnn.{k}": v for k, v in nn.LSTM(1, 4, bidirectional=True).state_dict().items()},
              "fc.weight": torch.zeros(2, 8)}, "bidirectional"),
    (lambda: {**{f"rnn.{k}": v for k, v in nn.LSTM(1, 4, proj_size=2).state_dict().items()},
              "fc.weight": torch.zeros(2, 2)}, "proj_size"),
    (lambda: {**{f"rnn.{k}": v for k, v in nn.GRU(1, 4).state_dict().items()}, "emb.weight": torch.zeros(10, 3),
              "fc.weight": torch.zeros(2, 4)}, "no place for (emb.weight)"),
    (lambda: {**{f"rnn.{k}": v for k, v in nn.GRU(1, 4).state_dict().items()}, "a.weight": torch.zeros(2, 4),
              "b.weight": torch.zeros(3, 4)}, "2 nn.Linear"),
    (lambda: {"fc.weight": torch.zeros(2, 4)}, "no recurrent module"),
    (lambda: {**{f"rnn.{k}": v for k, v in nn.GRU(1, 4).state_dict().items()}}, "no nn.Linear"),
])
def test_state_dicts_rnnlab_cannot_hold_are_one_line_errors(tmp_path, build, needle):
    path = _state_dict_file(tmp_path, build())
    with pytest.raises(UserError, match="odd.pt: ") as err:
        import_model(path, tmp_path / "run")
    assert needle in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "run").exists()


def test_other_files_are_one_line_errors(tmp_path, capsys):
    _, path = _saved(tmp_path, "lstm")
    torch.save(Net("gru", 1, 4, 2, 1, True, "last"), tmp_path / "module.pt")
    torch.save(torch.zeros(3), tmp_path / "tensor.pt")
    (tmp_path / "text.pt").write_text("not torch")
    cases = [
        ([str(path), "--cell", "gru"], "holds cell lstm (4 gate blocks of 6 units), not gru"),
        ([str(tmp_path / "module.pt")], "torch.save(model.state_dict()"),
        ([str(tmp_path / "tensor.pt")], "not a state_dict of tensors"),
        ([str(tmp_path / "text.pt")], "cannot load it as a plain state_dict"),
        ([str(tmp_path / "missing.pt")], "no such file"),
    ]
    for argv, needle in cases:
        assert main(["import", *argv, "--out", str(tmp_path / "run")]) == 2
        err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert len(err) == 1 and needle in err[0], err
    assert not (tmp_path / "run").exists()


def test_a_readout_at_every_step_needs_one_input_and_one_output(tmp_path):
    _, path = _saved(tmp_path, "gru", d=3, o=2, readout="every")
    with pytest.raises(UserError, match="readout='last'"):
        import_model(path, tmp_path / "run", readout="every")
    out, summary = import_model(path, tmp_path / "run")  # as a window model: its output at the last step
    assert "3 -> 6 -> 2" in summary["model"] and "readout last" in summary["model"]
