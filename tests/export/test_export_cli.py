"""`rnnlab export` on real run folders: what a user types, what comes back, the exit codes."""

import json
import subprocess
import sys

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.config import override
from rnnlab.export.reference import rnnlab_outputs, zero_state
from rnnlab.export.source import load_model
from rnnlab.recipes import resolve
from rnnlab.train.ensemble_job import run_ensemble
from rnnlab.train.predict import predict_run
from rnnlab.train.runner import run


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "sr"
    cfg = override(resolve("sine-recurrent"), ["train.epochs=30", "model.hidden=8"])
    run(cfg, out, argv=[], callbacks=[], plots=False)
    return out


def _err_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_export_all_verify_prints_a_table_and_succeeds(run_dir, tmp_path, capsys):
    assert main(["export", str(run_dir), "--to", "all", "--verify", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert {p.name for p in tmp_path.iterdir()} == {"model.onnx", "model.pt", "load_model.py", "model.keras",
                                                    "model.safetensors"}
    rows = [line.split() for line in out.splitlines() if line.split()[:1] in (["onnx"], ["torch"], ["keras"],
                                                                               ["safetensors"]) and line.endswith("yes")]
    assert {r[0] for r in rows} == {"onnx", "torch", "keras", "safetensors"}
    assert "12 of 12 checks within 1e-05" in out


def test_predict_is_rnnlabs_arithmetic_from_the_zero_state(run_dir):
    model = load_model(run_dir)
    ours = rnnlab_outputs(model.spec, model.params, zero_state(model.spec, model.test_x, "test")).y
    np.testing.assert_allclose(ours, predict_run(run_dir).predictions, rtol=1e-6, atol=1e-7)  # a float32 recipe


def test_the_default_folder_is_inside_the_run_and_torch_alone_prints_its_loader(run_dir, capsys):
    assert main(["export", str(run_dir), "--to", "torch"]) == 0
    out = capsys.readouterr().out
    assert (run_dir / "export" / "model.pt").is_file()
    assert "nn.RNN(1, 8, num_layers=1, bias=True, batch_first=True" in out
    assert (run_dir / "export" / "load_model.py").read_text() in out


@pytest.mark.parametrize("seeds,sweep", [(1, ("model.hidden", ["3", "5"])), (3, None)])
def test_an_ensemble_member_is_exported_with_its_own_weights(tmp_path, seeds, sweep):
    cfg = override(resolve("sine-recurrent"), ["train.epochs=20", "model.cell=gru", "model.hidden=5"])
    out = tmp_path / "ens"
    run_ensemble(cfg, out, seeds=seeds, sweep=sweep, argv=[], callbacks=[], plots=False)
    with np.load(out / "params.npz") as saved:  # hidden 3 and 5: one entry per member; else a member axis
        assert ("W_hh@1" in saved.files) == (sweep is not None)
    with np.load(out / "predictions.npz") as saved:
        final = saved["final"][1]
    assert main(["export", str(out), "--to", "onnx", "--member", "1", "--verify"]) == 0
    model = load_model(out, member=1)
    assert model.spec.hidden == 5 and model.member == 1
    import onnxruntime as ort

    session = ort.InferenceSession(str(out / "export-member1" / "model.onnx"), providers=["CPUExecutionProvider"])
    x = model.test_x.astype(np.float32)
    y = session.run(None, {"x": x, "h0": np.zeros((1, x.shape[0], 5), np.float32)})[0]
    np.testing.assert_allclose(y, final, rtol=1e-5, atol=1e-6)


def _forecast_like(run_dir, tmp_path):
    """A copy of a run folder that says it is a forecast (their params are 'member<k>/<name>')."""
    fake = tmp_path / "forecast"
    fake.mkdir()
    for name in ("config.toml", "params.npz"):
        (fake / name).write_bytes((run_dir / name).read_bytes())
    summary = json.loads((run_dir / "summary.json").read_text())
    (fake / "summary.json").write_text(json.dumps({**summary, "kind": "forecast"}))
    return fake


@pytest.mark.parametrize("argv,needle", [
    (["--to", "torch"], "torch.nn.RNN has no sigmoid nonlinearity"),
    (["--to", "onnx", "--member", "2"], "holds one model, not an ensemble"),
    (["--to", "tflite"], "export target tflite: unknown; choose from onnx, torch, keras, safetensors or all"),
    (["--to", "onnx", "--member", "-1"], "--member: must be 0 or more"),
])
def test_what_cannot_be_exported_is_one_line_and_exit_code_2(tmp_path, capsys, argv, needle):
    sigmoid = tmp_path / "pn"
    run(override(resolve("primer-numpy"), ["train.epochs=5"]), sigmoid, argv=[], callbacks=[], plots=False)
    assert main(["export", str(sigmoid), *argv]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and needle in lines[0], lines


def test_forecast_and_unfinished_folders_are_refused_in_one_line(run_dir, tmp_path, capsys):
    assert main(["export", str(_forecast_like(run_dir, tmp_path)), "--to", "onnx"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "a forecast folder; its models read inputs scaled outside the network" in lines[0]
    assert main(["export", str(tmp_path), "--to", "onnx"]) == 2
    assert "not a finished run" in _err_lines(capsys)[0]
    assert main(["export", str(tmp_path / "nothing"), "--to", "onnx"]) == 2
    assert "no such run folder" in _err_lines(capsys)[0]


def test_all_skips_a_target_that_cannot_express_the_model(tmp_path, capsys):
    sigmoid = tmp_path / "pn"
    run(override(resolve("primer-numpy"), ["train.epochs=5"]), sigmoid, argv=[], callbacks=[], plots=False)
    assert main(["export", str(sigmoid), "--to", "all"]) == 0
    out = capsys.readouterr().out
    assert "torch        skipped: torch.nn.RNN has no sigmoid" in out
    assert sorted(p.name for p in (sigmoid / "export").iterdir()) == ["model.keras", "model.onnx",
                                                                      "model.safetensors"]


def test_import_rnnlab_imports_no_export_framework():
    code = ("import sys, rnnlab, rnnlab.cli, rnnlab.export.job, rnnlab.export.importer; "
            "print(sorted(m for m in ('onnx', 'onnxruntime', 'keras', 'safetensors', 'torch', 'jax', 'h5py') "
            "if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


@pytest.mark.parametrize("name,module,extra", [("onnx", "onnx", "onnx"), ("keras", "keras", "keras"),
                                               ("safetensors", "safetensors", "safetensors"),
                                               ("torch", "torch", "torch")])
def test_a_missing_extra_is_one_line_naming_it(run_dir, tmp_path, monkeypatch, capsys, name, module, extra):
    for loaded in [m for m in sys.modules if m == module or m.startswith(module + ".")] + [module]:
        monkeypatch.setitem(sys.modules, loaded, None)  # as if it were not installed
    assert main(["export", str(run_dir), "--to", name, "--out", str(tmp_path)]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and f'needs {module}: pip install "rnnlab[{extra}]"' in lines[0], lines
