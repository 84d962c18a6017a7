"""The torch engine on the command line: run, compare, predict, and life without torch."""

import json
import os
import subprocess
import sys

import pytest

from rnnlab.cli import main

NO_TORCH = "import sys; sys.modules['torch'] = None; from rnnlab.cli import main; sys.exit(main(sys.argv[1:]))"


def _no_torch(*argv: str) -> subprocess.CompletedProcess:
    """rnnlab in a Python where `import torch` fails, as on an install without the extra."""
    return subprocess.run([sys.executable, "-c", NO_TORCH, *argv], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("argv", [["run", "elman-sine", "--engine", "torch"],
                                  ["compare", "elman-sine", "--epochs", "2"],
                                  ["gradcheck", "primer-torch", "--engine", "torch"]])
def test_torch_engine_without_torch_is_one_line_and_exit_code_2(tmp_path, argv):
    done = _no_torch(*argv, *(["--out", str(tmp_path / "r")] if argv[0] == "run" else []))
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert 'pip install "rnnlab[torch]"' in lines[0]
    assert not (tmp_path / "r").exists()


def test_ci_has_the_pinned_torch():
    """CI sets RNNLAB_REQUIRE_TORCH to the pinned version: there a missing torch fails here
    instead of quietly skipping every torch test. Elsewhere nothing is required."""
    wanted = os.environ.get("RNNLAB_REQUIRE_TORCH")
    if wanted:
        import torch

        assert torch.__version__.split("+")[0] == wanted


def test_importing_rnnlab_never_imports_torch():
    code = ("import sys, rnnlab, rnnlab.cli, rnnlab.engines, rnnlab.checks.compare, rnnlab.train.predict; "
            "rnnlab.cli.build_parser(); sys.exit('torch' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


def test_run_records_device_torch_version_and_threads(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    assert main(["run", "primer-torch", "--engine", "torch", "--epochs", "30", "--quiet", "--no-plots",
                 "--out", str(tmp_path / "auto")]) == 0
    summary = json.loads((tmp_path / "auto" / "summary.json").read_text())
    assert summary["engine"] == "torch"
    assert summary["device"] == ("cuda:0" if torch.cuda.is_available() else "cpu")
    info = summary["engine_info"]
    assert info["torch_version"] == torch.__version__
    assert info["threads"] == 1 and info["threads_rule"].startswith("auto")
    assert main(["run", "primer-torch", "--engine", "torch", "--epochs", "30", "--quiet", "--no-plots",
                 "--threads", "2", "--device", "cpu", "--out", str(tmp_path / "two")]) == 0
    info = json.loads((tmp_path / "two" / "summary.json").read_text())["engine_info"]
    assert info["threads"] == 2 and "run.threads" in info["threads_rule"]


def test_compare_exit_codes(capsys, monkeypatch):
    pytest.importorskip("torch")
    from tests.checks import wrong_engine

    assert main(["compare", "primer-numpy", "--engines", "numpy,torch", "--epochs", "20"]) == 0
    out = capsys.readouterr().out
    assert "loss history" in out and "within the rounding envelope" in out and "\nPASS: " in out
    wrong_engine.register(monkeypatch)
    assert main(["compare", "primer-numpy", "--engines", "numpy,wrong", "--epochs", "20", "--sensitivity"]) == 1
    out = capsys.readouterr().out
    assert "FAILED: one step from epoch 0, wrong's gradient differs from numpy's by 1.00e-04" in out
    assert "running max" in out and "PASS" not in out


def test_compare_bad_input_is_one_line(capsys):
    assert main(["compare", "elman-sine", "--engines", "numpy"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "at least two engines" in err[0]


def test_predict_a_torch_run_on_numpy(tmp_path, capsys):
    pytest.importorskip("torch")
    out = tmp_path / "r"
    assert main(["run", "primer-torch", "--engine", "torch", "--epochs", "50", "--quiet", "--no-plots",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["predict", str(out), "--engine", "numpy"]) == 0
    text = capsys.readouterr().out
    assert "numpy engine (cpu), float32, parameters trained on torch" in text
    assert text.count("predicted") == 4 and "RMSE" in text and "run's own final predictions" in text


def test_predict_bad_folder_is_one_line(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such run folder" in err[0]


@pytest.mark.parametrize("command", ["compare", "predict"])
def test_help(command, capsys):
    assert main([command, "--help"]) == 0
    assert "examples:" in capsys.readouterr().out
