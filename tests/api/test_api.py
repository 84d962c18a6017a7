"""The Python API: recipe names, paths and Configs with keyword overrides; objects back;
nothing printed unless asked; the command line's errors as exceptions; a light import."""

import subprocess
import sys

import numpy as np
import pytest

import rnnlab
from rnnlab.config import ConfigError, to_toml
from rnnlab.errors import UserError


def test_dir_and_help_list_the_api():
    names = dir(rnnlab)
    for name in ("run", "load", "sweep", "forecast", "configure", "list_recipes", "predict", "compare", "UserError"):
        assert name in names
    assert "rnnlab.run(" in rnnlab.__doc__


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'trian'"):
        rnnlab.trian  # noqa: B018


def test_import_rnnlab_and_its_api_stays_light():
    code = ("import sys, rnnlab; rnnlab.configure('elman-sine', epochs=3); "
            "print(sorted(m for m in ('torch', 'matplotlib', 'jax', 'numba', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_configure_applies_named_and_dotted_overrides():
    cfg = rnnlab.configure("elman-sine", epochs=7, seed=5, engine="numpy", dtype="float64",
                           set={"optim.lr": 0.125, "model.hidden": 4, "data.shuffle": True})
    assert (cfg.train.epochs, cfg.run.seed, cfg.run.engine, cfg.run.dtype) == (7, 5, "numpy", "float64")
    assert (cfg.optim.lr, cfg.model.hidden) == (0.125, 4)
    assert rnnlab.configure(cfg) is cfg


def test_configure_reads_a_toml_path(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(to_toml(rnnlab.configure("elman-sine", set={"model.hidden": 3})))
    assert rnnlab.configure(path).model.hidden == 3
    assert rnnlab.configure(path, epochs=3).train.epochs == 3


@pytest.mark.parametrize("recipe, overrides, message", [
    ("no-such-recipe", {}, "no-such-recipe"),
    ("elman-sine", {"set": {"optim.lr": "fast"}}, "optim.lr"),
    ("elman-sine", {"set": {"model.nope": 1}}, "model.nope"),
    (42, {}, "recipe: expected a recipe name"),
])
def test_bad_input_is_a_user_error_with_one_line(recipe, overrides, message):
    with pytest.raises(UserError) as info:
        rnnlab.configure(recipe, **overrides)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_run_prints_nothing_and_returns_the_folder(tmp_path, capsys):
    run = rnnlab.run("elman-sine", epochs=12, out=tmp_path / "r")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert isinstance(run, rnnlab.Run) and run.folder == tmp_path / "r"
    assert run.summary["final_epoch"] == 11 and run.kind == "run"
    metrics = run.metrics
    assert list(metrics["epoch"])[-1] == 11
    loaded = rnnlab.load(tmp_path / "r")
    assert isinstance(loaded, rnnlab.Run)
    for name, values in run.params.items():
        np.testing.assert_array_equal(values, loaded.params[name])


def test_run_with_progress_writes_to_stderr_only(tmp_path, capsys):
    rnnlab.run("elman-sine", epochs=5, out=tmp_path / "r", progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "elman-sine" in captured.err


def test_predict_agrees_with_the_runs_own_predictions(tmp_path):
    run = rnnlab.run("primer-torch", epochs=30, seed=2, out=tmp_path / "r")
    from rnnlab.train.experiment import prepare

    exp_x = prepare(run.config).eval_x[:, 0]
    with np.load(tmp_path / "r" / "predictions.npz") as saved:
        final = saved["final"]
    np.testing.assert_allclose(run.predict(exp_x), final.reshape(len(exp_x), -1), rtol=1e-5, atol=1e-6)


def test_metrics_are_dicts_without_pandas(tmp_path, monkeypatch):
    run = rnnlab.run("elman-sine", epochs=4, out=tmp_path / "r")
    monkeypatch.setitem(sys.modules, "pandas", None)
    rows = run.metrics
    assert isinstance(rows, list) and rows[-1]["epoch"] == 3 and isinstance(rows[-1]["loss"], float)


def test_load_refuses_what_is_not_a_run(tmp_path):
    with pytest.raises(UserError, match="not a finished run folder"):
        rnnlab.load(tmp_path)


def test_a_config_error_is_a_user_error():
    assert issubclass(ConfigError, UserError)


def test_no_api_name_is_also_a_subpackage():
    """`rnnlab.X` must mean one thing: once a submodule rnnlab.X is imported, the package
    attribute X is that module, and a function of the same name is shadowed."""
    import importlib.util

    clashes = [name for name in rnnlab.__all__ if importlib.util.find_spec(f"rnnlab.{name}") is not None]
    assert clashes == []


def test_in_a_notebook_progress_is_one_redrawn_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ipykernel", sys)  # what a Jupyter kernel has imported
    rnnlab.run("elman-sine", epochs=5, out=tmp_path / "r", progress=True)
    err = capsys.readouterr().err
    assert err.startswith("\r") and err.count("\n") == 1
