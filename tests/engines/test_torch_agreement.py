"""Cross-engine agreement in float64: `compare` (same start, same data) finds the NumPy and
torch engines within 1e-9 for every cell x input mode x loss, and for the other options.

Learning rates are scaled so every problem trains smoothly: where training goes through
a chaotic stretch (a loss spike), rounding differences grow for any two implementations,
even for one engine against itself (see `compare --sensitivity`), so that tests nothing.
"""

from dataclasses import replace

import pytest

pytest.importorskip("torch")

from engine_grid import CELLS, config  # noqa: E402
from grid import INPUT_MODES, LOSSES  # noqa: E402

from rnnlab.checks.compare import compare  # noqa: E402
from rnnlab.config import Config  # noqa: E402

TOL = 1e-9


def assert_agree(cfg: Config, tol: float = TOL) -> None:
    result = compare(cfg, ["numpy", "torch"], tolerance=tol)
    assert result.ok, result.differences


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("mode", INPUT_MODES)
@pytest.mark.parametrize("loss,reduction", LOSSES)
def test_every_cell_input_mode_and_loss_agree(cell, mode, loss, reduction):
    assert_agree(config(cell, mode, loss, reduction, epochs=20))


@pytest.mark.parametrize("mode,cell,loss,reduction", [
    ("online1", "tanh", "sse_half", "sum"),  # the Elman tutorial's
    ("online3", "sigmoid-bias", "mse", "mean"),
    ("stepwise", "tanh-bias", "huber", "mean"),
    ("positional", "sigmoid", "soft_l1", "sum"),  # the primer's NumPy program's
    ("window", "tanh", "huber", "mean"),  # the primer's PyTorch program's
])
def test_each_input_mode_agrees_over_1000_epochs(mode, cell, loss, reduction):
    assert_agree(config(cell, mode, loss, reduction, epochs=1000))


@pytest.mark.parametrize("mode", ["online3", "stepwise"])
@pytest.mark.parametrize("model", [dict(cell="lstm"), dict(cell="gru"), dict(cell="gru", layers=2),
                                   dict(layers=2)], ids=["lstm", "gru", "gru-2-layers", "elman-2-layers"])
def test_gated_cells_and_stacks_agree(mode, model):
    cfg = config("tanh-bias", mode, "mse", "mean", epochs=100, **model)
    assert_agree(replace(cfg, init=replace(cfg.init, scheme="torch_default")))


@pytest.mark.parametrize("optim", [dict(name="momentum", lr=0.02), dict(name="adam", lr=0.01), dict(clip=0.05)],
                         ids=["momentum", "adam", "clip"])
def test_optimizers_agree(optim):
    cfg = config("tanh-bias", "stepwise", "mse", "mean", epochs=200)
    assert_agree(replace(cfg, optim=replace(cfg.optim, **optim)))


def test_float32_agrees_to_float32_rounding():
    cfg = config("tanh-bias", "stepwise", "huber", "mean", epochs=300)
    assert_agree(replace(cfg, run=replace(cfg.run, dtype="float32")), tol=1e-5)
