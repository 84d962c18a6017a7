"""Parameters are portable: a run trained on one engine predicts the same on another."""

import json
import shutil

import numpy as np
import pytest

from rnnlab.config import override
from rnnlab.errors import UserError
from rnnlab.recipes import resolve
from rnnlab.train.predict import predict_run
from rnnlab.train.runner import run


def _train(tmp_path, recipe, engine, epochs):
    out = tmp_path / f"{recipe}-{engine}"
    run(override(resolve(recipe), [f"run.engine={engine}", f"train.epochs={epochs}"]), out, argv=[], callbacks=[],
        plots=False)
    return out


@pytest.mark.parametrize("recipe,epochs", [("primer-torch", 300), ("sine-recurrent", 100), ("elman-sine", 20)])
@pytest.mark.parametrize("trained_on,predicted_on", [("torch", "numpy"), ("numpy", "torch")])
def test_a_run_predicts_the_same_on_the_other_engine(tmp_path, recipe, epochs, trained_on, predicted_on):
    pytest.importorskip("torch")
    out = _train(tmp_path, recipe, trained_on, epochs)
    own = predict_run(out)
    other = predict_run(out, predicted_on)
    assert (own.engine, other.engine, other.trained_on) == (trained_on, predicted_on, trained_on)
    assert own.saved_difference == 0.0  # the run's own engine gives back exactly what it saved
    np.testing.assert_allclose(other.predictions, own.predictions, rtol=1e-6, atol=1e-6)  # float32 recipes
    assert other.saved_difference < 1e-6
    assert other.rmse == pytest.approx(json.loads((out / "summary.json").read_text())["test_rmse"], rel=1e-4)


def test_predict_without_torch_engine_needs_nothing_extra(tmp_path):
    import rnnlab

    out = _train(tmp_path, "elman-sine", "numpy", 5)
    r = rnnlab.predict(out)  # the Python API
    assert r.predictions.shape == (20,) and r.truth.shape == (20,) and r.evaluated_on.startswith("the training")


def test_bad_run_folders_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="no such run folder"):
        predict_run(tmp_path / "missing")
    with pytest.raises(UserError, match="not a finished run"):
        predict_run(tmp_path)
    out = _train(tmp_path, "elman-sine", "numpy", 3)
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    np.savez(broken / "params.npz", W_xh=np.zeros((3, 3)))
    with pytest.raises(UserError, match="does not fit its config.toml"):
        predict_run(broken)
    (broken / "params.npz").write_bytes(b"not a zip")
    with pytest.raises(UserError, match="cannot read parameters"):
        predict_run(broken)
