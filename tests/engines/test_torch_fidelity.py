"""The torch engine prints the original programs' numbers: `rnnlab run RECIPE --engine torch
--seed S` against the oracles' transcriptions of the originals (tests/oracles), float32."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from rnnlab.config import override  # noqa: E402
from rnnlab.recipes import resolve  # noqa: E402
from rnnlab.runs import folder as run_folder  # noqa: E402
from rnnlab.train.experiment import initial_params, prepare  # noqa: E402
from rnnlab.train.runner import run  # noqa: E402
from tests.oracles import elman_sine_torch, primer_torch  # noqa: E402

RTOL = 1e-6  # the bar; in practice the numbers are identical


@pytest.fixture(autouse=True)
def _oracles_on_one_thread():
    """The oracles leave torch's thread count alone; one thread is fastest for these tiny
    models (docs/engines.md) and does not change their numbers."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _logged(out, epochs):
    """The rows at the original's print points; the last row is rnnlab's own, the last epoch."""
    rows = [(int(r["epoch"]), float(r["loss"])) for r in run_folder.read_metrics(out / "metrics.csv")]
    assert rows[-1][0] == epochs - 1
    return rows[:-1]


def _max_rel(got, expected):
    got, expected = np.array(got, dtype=np.float64), np.array(expected, dtype=np.float64)
    return float(np.max(np.abs(got - expected) / np.abs(expected)))


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_primer_torch_prints_the_originals_losses(tmp_path, seed):
    steps = 600
    oracle = primer_torch.run(seed=seed, n_epochs=steps)
    cfg = override(resolve("primer-torch"), ["run.engine=torch", f"run.seed={seed}", f"train.epochs={steps}"])
    run(cfg, tmp_path / "r", argv=[], callbacks=[], plots=False)
    got = _logged(tmp_path / "r", steps)
    assert [e for e, _ in got] == [s for s, _ in oracle["printed"]] == list(range(0, steps, 100))
    assert _max_rel([v for _, v in got], [v for _, v in oracle["printed"]]) <= RTOL
    with np.load(tmp_path / "r" / "predictions.npz") as pred:  # the GIF frames: the test windows
        np.testing.assert_allclose(pred["snapshots"][:-1], oracle["test_predictions"], rtol=RTOL, atol=1e-7)
    params = run_folder.load_params(tmp_path / "r" / "params.npz")
    np.testing.assert_allclose(params["W_xh"], oracle["params"]["rnn_stack.0.weight_ih"].T, rtol=RTOL, atol=1e-7)
    np.testing.assert_allclose(params["W_hy"], oracle["params"]["rnn_stack.1.weight"].T, rtol=RTOL, atol=1e-7)


@pytest.mark.parametrize("seed", [1, 7])
def test_primer_torch_draws_the_originals_data_and_weights(seed):
    oracle = primer_torch.run(seed=seed, n_epochs=0)
    cfg = override(resolve("primer-torch"), ["run.engine=torch", f"run.seed={seed}"])
    exp = prepare(cfg)
    np.testing.assert_array_equal(exp.x[:, 0], oracle["X"])
    np.testing.assert_array_equal(exp.y, oracle["y"])
    np.testing.assert_array_equal(exp.eval_x[:, 0], oracle["X_test"])
    params = initial_params(cfg, exp.spec)
    init = oracle["params_init"]
    np.testing.assert_array_equal(params["W_xh"], init["rnn_stack.0.weight_ih"].T)
    np.testing.assert_array_equal(params["W_hh"], init["rnn_stack.0.weight_hh"].T)
    np.testing.assert_array_equal(params["W_hy"], init["rnn_stack.1.weight"].T)


def test_elman_sine_prints_the_originals_losses(tmp_path):
    oracle = elman_sine_torch.run(seed=1, epochs=200)
    cfg = override(resolve("elman-sine"), ["run.engine=torch"])
    params = initial_params(cfg, prepare(cfg).spec)
    np.testing.assert_array_equal(np.vstack([params["W_xh"], params["W_hh"]]), oracle["w1_init"])
    np.testing.assert_array_equal(params["W_hy"], oracle["w2_init"])
    run(cfg, tmp_path / "r", argv=[], callbacks=[], plots=False)
    got = _logged(tmp_path / "r", 200)
    assert [e for e, _ in got] == [i for i, _ in oracle["printed"]] == list(range(0, 200, 10))
    assert _max_rel([v for _, v in got], [v for _, v in oracle["printed"]]) <= RTOL
    with np.load(tmp_path / "r" / "predictions.npz") as pred:
        np.testing.assert_allclose(pred["final"], oracle["predictions"], rtol=RTOL, atol=1e-7)
    params = run_folder.load_params(tmp_path / "r" / "params.npz")
    np.testing.assert_allclose(np.vstack([params["W_xh"], params["W_hh"]]), oracle["w1"], rtol=RTOL, atol=1e-7)
