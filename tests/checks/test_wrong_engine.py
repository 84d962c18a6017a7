"""`compare` fails a deliberately wrong engine: the NumPy engine with one gradient term off
by 1e-4 relative, on every recipe, chaotic trajectories included."""

import pytest
import wrong_engine

from rnnlab.checks.compare import compare
from rnnlab.config import override
from rnnlab.recipes import resolve

ERROR = wrong_engine.ERROR


@pytest.fixture(autouse=True)
def _registered(monkeypatch):
    wrong_engine.register(monkeypatch)


@pytest.mark.parametrize("recipe", ["elman-sine", "primer-torch", "primer-numpy", "sine-recurrent"])
def test_a_gradient_off_by_1e_4_fails_on_every_recipe(recipe):
    cfg = override(resolve(recipe), ["train.epochs=30", "run.dtype=float64"])
    result = compare(cfg, ["numpy", "wrong"], points=3)
    assert not result.ok
    step = result.steps[0]
    assert step.ratios["gradient"] > 1e3  # far beyond rounding
    assert step.differences["gradient"] == pytest.approx(ERROR / (1 + ERROR), rel=1e-6)


def test_a_training_loop_off_by_1e_4_fails_through_the_new_parameters():
    cfg = override(resolve("sine-recurrent"), ["train.epochs=30", "run.dtype=float64"])
    result = compare(cfg, ["numpy", "wrong-training"], points=3)
    step = result.steps[0]
    assert step.ratios["gradient"] == 0.0 and step.ratios["parameters"] > 1e3 and not result.ok


def test_a_gradient_off_by_1e_4_fails_in_float32_too():
    """In float32 the tolerance is 2**29 times wider; 1e-4 is still beyond it at the start of
    primer-torch (one cell step; each gradient entry sums 128 terms)."""
    cfg = override(resolve("primer-torch"), ["train.epochs=30"])
    result = compare(cfg, ["numpy", "wrong"], points=3)
    assert not result.ok and result.steps[0].ratios["gradient"] > 1.5 and result.steps[0].epochs["gradient"] == 0
