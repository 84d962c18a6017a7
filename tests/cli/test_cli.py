"""The command line: what a user types, what comes back, and the exit codes."""

import subprocess
import sys
import tomllib

import pytest

from rnnlab.cli import main
from rnnlab.config import from_dict


def _err_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


@pytest.mark.parametrize("argv,needle", [
    (["run", "no-such-recipe"], "unknown recipe 'no-such-recipe'"),
    (["run", "elman-sine", "--set", "model.no_such_key=3"], "unknown key 'model.no_such_key'"),
    (["run", "elman-sine", "--set", "model.hidden=many"], "model.hidden: 'many' is not allowed; expected an integer"),
    (["run", "elman-sine", "--set", "model.activation=relu"], "one of 'tanh', 'sigmoid'"),
    (["run", "elman-sine", "--epochs", "minus-one"], "--epochs: train.epochs"),
    (["run", "elman-sine", "--epochs", "0"], "must be positive"),
    (["run", "elman-sine", "--set", "hidden=3"], "unknown key 'hidden'"),
    (["run", "elman-sine", "--set", "model.hidden"], "expected section.key=value"),
    (["run", "primer-torch", "--set", "data.points=10"], "data.points: 10 points give"),
    (["run", "elman-sine", "--no-such-flag"], "unrecognized arguments"),
])
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, capsys, argv, needle):
    assert main([*argv, "--out", str(tmp_path / "r")]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and needle in lines[0], lines
    assert not (tmp_path / "r").exists()


def test_unwritable_out_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["run", "elman-sine", "--epochs", "2", "--out", str(blocker / "run")]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "cannot write there" in lines[0]


def test_bad_recipe_file_names_the_line(tmp_path, capsys):
    recipe = tmp_path / "my.toml"
    recipe.write_text("[model]\nhidden = 16\nbias = \n")
    assert main(["run", str(recipe)]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "line 3" in lines[0] and "my.toml" in lines[0]


def test_user_recipe_with_overrides_runs(tmp_path, capsys):
    recipe = tmp_path / "my.toml"
    recipe.write_text('[run]\nname = "mine"\n[data]\npoints = 40\n[train]\nepochs = 30\n[log]\nevery = 10\n')
    out = tmp_path / "x"
    code = main(["run", str(recipe), "--set", "model.hidden=7", "--epochs", "20", "--seed", "3",
                 "--no-plots", "--out", str(out)])
    assert code == 0
    cfg = from_dict(tomllib.loads((out / "config.toml").read_text()))
    assert (cfg.model.hidden, cfg.train.epochs, cfg.run.seed, cfg.data.points) == (7, 20, 3, 40)
    assert "run folder:" in capsys.readouterr().out


def test_print_config_prints_the_resolved_toml(capsys):
    assert main(["run", "primer-torch", "--epochs", "5", "--dtype", "float64", "--print-config"]) == 0
    cfg = from_dict(tomllib.loads(capsys.readouterr().out))
    assert cfg.train.epochs == 5 and cfg.run.dtype == "float64" and cfg.loss.delta == 0.025


def test_recipes_lists_the_reference_recipes(capsys):
    assert main(["recipes"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == ["elman-sine", "primer-numpy", "primer-torch", "sine-recurrent"]


def test_gradcheck_prints_errors_per_parameter(capsys):
    assert main(["gradcheck", "sine-recurrent"]) == 0
    out = capsys.readouterr().out
    for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"):
        assert name in out
    assert "ok:" in out


def test_gradcheck_of_the_primer_approximation_prints_its_cosine(capsys):
    assert main(["gradcheck", "primer-numpy", "--set", "train.gradient=primer_approx"]) == 0
    assert "cosine similarity of primer_approx" in capsys.readouterr().out


def test_import_rnnlab_does_not_import_torch_or_matplotlib():
    code = "import sys, rnnlab, rnnlab.cli; sys.exit(any(m in sys.modules for m in ('torch', 'matplotlib')))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_python_dash_m_is_the_same_cli():
    done = subprocess.run([sys.executable, "-m", "rnnlab", "recipes"], capture_output=True, text=True)
    assert done.returncode == 0 and "sine-recurrent" in done.stdout


def test_progress_lines_when_not_a_terminal(tmp_path, capsys):
    assert main(["run", "elman-sine", "--epochs", "20", "--no-plots", "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and err.count("\n") == 10 and "epoch 20/20" in err
    assert main(["run", "elman-sine", "--epochs", "5", "--quiet", "--no-plots", "--out", str(tmp_path / "q")]) == 0
    assert capsys.readouterr().err == ""
