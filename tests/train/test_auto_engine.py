"""`--engine auto`: numpy for short runs; for long ones numba where its fused kernel covers
the model, else jax; jax for ensembles; numpy when neither is installed; config.toml
records the engine chosen."""

import tomllib

import pytest

from rnnlab.cli import main
from rnnlab.config import override
from rnnlab.recipes import resolve
from rnnlab.train import auto as auto_engine
from rnnlab.train.auto import choose_engine, resolve_engine


def auto(recipe, *sets):
    return override(resolve(recipe), ["run.engine=auto", *sets])


def test_explicit_engines_are_kept():
    cfg = resolve("primer-torch")
    assert resolve_engine(cfg) is cfg and choose_engine(cfg)[0] == "numpy"


def test_short_runs_take_numpy_long_runs_and_ensembles_take_jax(monkeypatch):
    monkeypatch.setattr(auto_engine, "jax_installed", lambda: True)
    monkeypatch.setattr(auto_engine, "numba_installed", lambda: False)
    assert choose_engine(auto("elman-sine", "train.epochs=5"))[0] == "numpy"
    assert choose_engine(auto("sine-recurrent"))[0] == "jax"
    assert choose_engine(auto("elman-sine", "train.epochs=5"), members=10)[0] == "jax"
    assert choose_engine(auto("primer-numpy", "train.gradient=primer_approx"))[0] == "numpy"
    assert auto_engine.numpy_seconds(auto("sine-recurrent")) > auto_engine.numpy_seconds(auto("primer-torch"))


def test_long_runs_the_fused_kernel_covers_take_numba(monkeypatch):
    monkeypatch.setattr(auto_engine, "jax_installed", lambda: True)
    monkeypatch.setattr(auto_engine, "numba_installed", lambda: True)
    assert choose_engine(auto("sine-recurrent"))[0] == "numba"
    assert choose_engine(auto("sine-recurrent", "model.cell=lstm"))[0] == "jax"  # outside the kernel
    assert choose_engine(auto("sine-recurrent", "optim.name=adam"))[0] == "jax"
    assert choose_engine(auto("sine-recurrent"), members=10)[0] == "jax"  # vectorised there
    assert choose_engine(auto("elman-sine", "train.epochs=5"))[0] == "numpy"


def test_without_compiled_engines_auto_is_numpy(monkeypatch):
    monkeypatch.setattr(auto_engine, "jax_installed", lambda: False)
    monkeypatch.setattr(auto_engine, "numba_installed", lambda: False)
    engine, why = choose_engine(auto("sine-recurrent"), members=10)
    assert engine == "numpy" and "not installed" in why
    engine, why = choose_engine(auto("sine-recurrent"))
    assert engine == "numpy" and "no compiled engine is installed" in why


def test_cli_records_the_chosen_engine(tmp_path):
    out = tmp_path / "r"
    assert main(["run", "elman-sine", "--engine", "auto", "--epochs", "5", "--no-plots", "--quiet",
                 "--out", str(out)]) == 0
    assert tomllib.loads((out / "config.toml").read_text())["run"]["engine"] == "numpy"


def test_cli_auto_ensemble_uses_jax_when_installed(tmp_path):
    pytest.importorskip("jax")
    out = tmp_path / "e"
    assert main(["run", "elman-sine", "--engine", "auto", "--ensemble", "4", "--epochs", "5", "--no-plots",
                 "--quiet", "--out", str(out)]) == 0
    assert tomllib.loads((out / "config.toml").read_text())["run"]["engine"] == "jax"


def test_neither_import_rnnlab_nor_choosing_an_engine_imports_a_compiler():
    import subprocess
    import sys

    code = ("import sys, rnnlab, rnnlab.cli; from rnnlab.config import override; from rnnlab.recipes import resolve; "
            "from rnnlab.train.auto import choose_engine; "
            "choose_engine(override(resolve('sine-recurrent'), ['run.engine=auto']), members=3); "
            "choose_engine(override(resolve('sine-recurrent'), ['run.engine=auto'])); "
            "sys.exit('jax' in sys.modules or 'numba' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
