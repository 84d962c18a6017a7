"""One-step agreement per engine pair per recipe: `compare` passes every built-in recipe on
every pair of engines, float32 and float64, over its first epochs (the full runs:
docs/engines.md, `python -m benchmarks.docs_numbers --only compare-defaults`)."""

import pytest

pytest.importorskip("torch")
pytest.importorskip("jax")
pytest.importorskip("numba")

from rnnlab.checks.compare import compare  # noqa: E402
from rnnlab.config import override  # noqa: E402
from rnnlab.recipes import resolve  # noqa: E402

RECIPES = ("elman-sine", "primer-torch", "primer-numpy", "sine-recurrent")
# Each reference with every engine after it: all six pairs of the four engines.
REFERENCES = (("numpy", "torch", "jax", "numba"), ("torch", "jax", "numba"), ("jax", "numba"))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("engines", REFERENCES, ids=lambda e: f"{e[0]}-vs-rest")
@pytest.mark.parametrize("recipe", RECIPES)
def test_every_engine_pair_agrees_on_every_recipe(recipe, engines, dtype):
    cfg = override(resolve(recipe), ["train.epochs=60", f"run.dtype={dtype}"])
    result = compare(cfg, list(engines), points=3)
    assert result.ok, (result.steps, [(d.label, d.losses, d.params) for d in result.differences])
    assert [s.engine for s in result.steps] == list(engines[1:]) and result.step_epochs == (0, 30, 59)
    assert all(0.0 <= s.worst <= 1.0 for s in result.steps)
