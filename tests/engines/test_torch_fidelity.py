"""The torch engine prints the original programs' numbers bit for bit: `rnnlab run RECIPE
--engine torch --seed S` against the oracles' transcriptions of the originals
(tests/oracles), float32, over the recipes' whole length: primer-torch's 20,000 steps and
elman-sine's 200 epochs. Every logged loss, every logged prediction and the final
parameters are identical (the engine uses the originals' own torch ops in their order,
docs/engines.md); a shorter check covers two more seeds."""

import numpy as np
import pytest

pytest.importorskip("torch")

from rnnlab.config import override  # noqa: E402
from rnnlab.recipes import resolve  # noqa: E402
from rnnlab.train.experiment import initial_params, prepare  # noqa: E402
from tests.fidelity_runs import elman_sine_oracle, primer_torch_oracle, rnnlab_run  # noqa: E402


def assert_identical(got, expected) -> None:
    np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))


@pytest.mark.parametrize("seed,steps", [(1, 20000), (7, 600), (2024, 600)])
def test_primer_torch_prints_the_originals_losses_bit_for_bit(seed, steps):
    oracle = primer_torch_oracle(seed, steps)
    settings = ("run.engine=torch", f"run.seed={seed}") + (() if steps == 20000 else (f"train.epochs={steps}",))
    got = rnnlab_run("primer-torch", settings)
    assert [e for e, _ in got["logged"]] == [s for s, _ in oracle["printed"]] == list(range(0, steps, 100))
    assert_identical([v for _, v in got["logged"]], [v for _, v in oracle["printed"]])
    assert_identical(got["predictions"]["snapshots"], oracle["test_predictions"])  # the GIF frames: the test windows
    assert_identical(got["params"]["W_xh"], oracle["params"]["rnn_stack.0.weight_ih"].T)
    assert_identical(got["params"]["W_hy"], oracle["params"]["rnn_stack.1.weight"].T)


@pytest.mark.parametrize("seed", [1, 7])
def test_primer_torch_draws_the_originals_data_and_weights(seed):
    oracle = primer_torch_oracle(seed, 0)
    cfg = override(resolve("primer-torch"), ["run.engine=torch", f"run.seed={seed}"])
    exp = prepare(cfg)
    assert_identical(exp.x[:, 0], oracle["X"])
    assert_identical(exp.y, oracle["y"])
    assert_identical(exp.eval_x[:, 0], oracle["X_test"])
    params = initial_params(cfg, exp.spec)
    init = oracle["params_init"]
    assert_identical(params["W_xh"], init["rnn_stack.0.weight_ih"].T)
    assert_identical(params["W_hh"], init["rnn_stack.0.weight_hh"].T)
    assert_identical(params["W_hy"], init["rnn_stack.1.weight"].T)


def test_elman_sine_prints_the_originals_losses_bit_for_bit():
    oracle = elman_sine_oracle(1, 200)
    cfg = override(resolve("elman-sine"), ["run.engine=torch"])
    params = initial_params(cfg, prepare(cfg).spec)
    assert_identical(np.vstack([params["W_xh"], params["W_hh"]]), oracle["w1_init"])
    assert_identical(params["W_hy"], oracle["w2_init"])
    got = rnnlab_run("elman-sine", ("run.engine=torch",))
    assert [e for e, _ in got["logged"]] == [i for i, _ in oracle["printed"]] == list(range(0, 200, 10))
    assert_identical([v for _, v in got["logged"]], [v for _, v in oracle["printed"]])
    assert_identical(got["predictions"]["final"], oracle["predictions"])
    assert_identical(np.vstack([got["params"]["W_xh"], got["params"]["W_hh"]]), oracle["w1"])
    assert_identical(got["params"]["W_hy"], oracle["w2"])
