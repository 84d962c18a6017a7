"""Ensembles and sweeps: member i is exactly the single run with seed S+i (or the swept
value), on numpy (batched over a member axis), jax (vectorised with vmap) and numba (one
member after another); member-by-member
agreement over the whole grid is tests/engines/test_numpy_ensemble.py's."""

import csv
import json

import numpy as np
import pytest

from rnnlab.cli import main
from rnnlab.config import ConfigError, override
from rnnlab.recipes import resolve
from rnnlab.runs import folder as run_folder
from rnnlab.train.ensemble import make_members, parse_sweep
from rnnlab.train.ensemble_job import run_ensemble
from rnnlab.train.runner import run

RECIPES = {  # one per framing: next-step (shared data) and windows (each seed shuffles its own split)
    "elman-sine": ["train.epochs=30", "log.every=10", "run.dtype=float64"],
    "primer-torch": ["train.epochs=30", "log.every=10", "run.dtype=float64"],
}


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def single(cfg, tmp_path, name):
    run(cfg, tmp_path / name, argv=[], callbacks=[], plots=False)
    return read_csv(tmp_path / name / "metrics.csv"), run_folder.load_params(tmp_path / name / "params.npz")


def member_rows(out, member):
    return [r for r in read_csv(out / "metrics.csv") if r["member"] == str(member)]


def assert_rows_equal(got, expected, rtol):
    assert [(r["epoch"], r["step"]) for r in got] == [(r["epoch"], r["step"]) for r in expected]
    for column in ("loss", "test_loss"):
        a = [float(r[column] or "nan") for r in got]
        b = [float(r[column] or "nan") for r in expected]
        np.testing.assert_allclose(a, b, rtol=rtol, atol=0)


@pytest.mark.parametrize("engine,rtol", [("numpy", 1e-12), ("jax", 1e-12), ("numba", 0.0)])
@pytest.mark.parametrize("recipe", list(RECIPES))
def test_member_i_equals_the_single_run_with_seed_s_plus_i(tmp_path, engine, rtol, recipe):
    if engine != "numpy":
        pytest.importorskip(engine)
    cfg = override(resolve(recipe), [*RECIPES[recipe], f"run.engine={engine}", "run.seed=5"])
    summary = run_ensemble(cfg, tmp_path / "ens", seeds=3, sweep=None, argv=[], callbacks=[], plots=False)
    assert summary["ensemble"]["vectorised"] == (engine != "numba")  # numba trains members one by one
    params = run_folder.load_params(tmp_path / "ens" / "params.npz")
    for i in (0, 2):
        rows, p = single(override(cfg, [f"run.seed={5 + i}"]), tmp_path, f"single{i}")
        assert_rows_equal(member_rows(tmp_path / "ens", i), rows, rtol)
        for name, value in p.items():
            assert params[name].shape == (3, *value.shape)
            np.testing.assert_allclose(params[name][i], value, rtol=rtol, atol=rtol)


def test_sweep_member_equals_the_single_run_with_that_value(tmp_path):
    cfg = override(resolve("primer-torch"), RECIPES["primer-torch"])
    run_ensemble(cfg, tmp_path / "sweep", seeds=1, sweep=("optim.lr", ["0.2", "0.05"]), argv=[], callbacks=[],
                 plots=False)
    members = read_csv(tmp_path / "sweep" / "members.csv")
    assert [(m["member"], m["seed"], m["optim.lr"]) for m in members] == [("0", "1", "0.2"), ("1", "1", "0.05")]
    rows, _ = single(override(cfg, ["optim.lr=0.05"]), tmp_path, "single")
    assert_rows_equal(member_rows(tmp_path / "sweep", 1), rows, 1e-12)


def test_sweep_of_a_shape_keeps_one_params_entry_per_member(tmp_path):
    cfg = override(resolve("primer-torch"), RECIPES["primer-torch"])
    run_ensemble(cfg, tmp_path / "h", seeds=1, sweep=("model.hidden", ["3", "4"]), argv=[], callbacks=[],
                 plots=False)
    params = run_folder.load_params(tmp_path / "h" / "params.npz")
    assert params["W_hh@0"].shape == (3, 3) and params["W_hh@1"].shape == (4, 4)


def test_members_cross_values_and_seeds_and_bad_sweeps_are_config_errors():
    cfg = resolve("elman-sine")
    members = make_members(cfg, 2, ("optim.lr", ["0.1", "0.2"]))
    assert [(m.seed, m.value) for m in members] == [(1, "0.1"), (2, "0.1"), (1, "0.2"), (2, "0.2")]
    assert members[3].config.optim.lr == 0.2 and members[3].config.run.seed == 2
    assert parse_sweep("model.hidden=4, 8") == ("model.hidden", ["4", "8"])
    for bad in ("model.hidden", "hidden=4", "model.hidden="):
        with pytest.raises(ConfigError, match="sweep"):
            parse_sweep(bad)
    with pytest.raises(ConfigError, match="model.hidden"):
        make_members(cfg, 1, ("model.hidden", ["-1"]))


def test_cli_writes_the_ensemble_folder(tmp_path, capsys):
    out = tmp_path / "e"
    assert main(["run", "elman-sine", "--ensemble", "3", "--epochs", "20", "--out", str(out)]) == 0
    assert "3 members on numpy" in capsys.readouterr().out
    for name in ("config.toml", "metrics.csv", "members.csv", "params.npz", "predictions.npz", "ensemble.png",
                 "summary.json"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ensemble"]["members"] == 3 and summary["ensemble"]["seeds"] == {"first": 1, "last": 3}
    assert set(summary["test_rmse"]) == {"median", "mean", "std", "min", "max"}
    with np.load(out / "predictions.npz") as z:
        assert z["final"].shape == (3, 20) and z["truth"].shape == (3, 20)


def test_cli_refuses_checkpoints_for_ensembles_and_bad_counts(tmp_path, capsys):
    assert main(["run", "elman-sine", "--ensemble", "2", "--checkpoint-every", "5", "--out", str(tmp_path / "a")]) == 2
    assert "ensembles write no checkpoints" in capsys.readouterr().err
    assert main(["run", "elman-sine", "--ensemble", "0", "--out", str(tmp_path / "b")]) == 2
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_diverging_member_is_marked_and_the_others_finish(tmp_path):
    cfg = override(resolve("primer-torch"), ["train.epochs=40", "log.every=10", "train.max_loss_factor=1.5"])
    summary = run_ensemble(cfg, tmp_path / "d", seeds=1, sweep=("optim.lr", ["0.1", "1000"]), argv=[],
                           callbacks=[], plots=True)
    assert summary["diverged_members"] == [1]
    members = read_csv(tmp_path / "d" / "members.csv")
    assert members[0]["diverged_epoch"] == "" and members[1]["diverged_epoch"] != ""
    assert (tmp_path / "d" / "ensemble.png").exists()
