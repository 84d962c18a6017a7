"""Cross-engine agreement: `compare` (same start, same data) finds the torch engine computing
the NumPy engine's steps to rounding, for every cell x input mode x loss and the other
options, float64 and float32; tolerances are derived from the dtype and the work
(rnnlab.checks.tolerance), not measured on one machine.

Learning rates are scaled so every problem trains smoothly, so the whole runs also stay
within one step's rounding (on a chaotic stretch they would part, as one engine does
against itself from a start a few ulps away: `compare`'s nudged runs).
"""

from dataclasses import replace

import pytest

pytest.importorskip("torch")

from engine_grid import CELLS, assert_agree, config  # noqa: E402
from grid import INPUT_MODES, LOSSES  # noqa: E402


@pytest.mark.parametrize("cell", list(CELLS))
@pytest.mark.parametrize("mode", INPUT_MODES)
@pytest.mark.parametrize("loss,reduction", LOSSES)
def test_every_cell_input_mode_and_loss_agree(cell, mode, loss, reduction):
    assert_agree(config(cell, mode, loss, reduction, epochs=20), "torch", points=2)


@pytest.mark.parametrize("mode,cell,loss,reduction", [
    ("online1", "tanh", "sse_half", "sum"),  # the Elman tutorial's
    ("online3", "sigmoid-bias", "mse", "mean"),
    ("stepwise", "tanh-bias", "huber", "mean"),
    ("positional", "sigmoid", "soft_l1", "sum"),  # the primer's NumPy program's
    ("window", "tanh", "huber", "mean"),  # the primer's PyTorch program's
])
def test_each_input_mode_agrees_over_1000_epochs(mode, cell, loss, reduction):
    assert_agree(config(cell, mode, loss, reduction, epochs=1000), "torch")


@pytest.mark.parametrize("mode", ["online3", "stepwise"])
@pytest.mark.parametrize("model", [dict(cell="lstm"), dict(cell="gru"), dict(cell="gru", layers=2),
                                   dict(layers=2)], ids=["lstm", "gru", "gru-2-layers", "elman-2-layers"])
def test_gated_cells_and_stacks_agree(mode, model):
    cfg = config("tanh-bias", mode, "mse", "mean", epochs=100, **model)
    assert_agree(replace(cfg, init=replace(cfg.init, scheme="torch_default")), "torch")


@pytest.mark.parametrize("optim", [dict(name="momentum", lr=0.02), dict(name="adam", lr=0.01), dict(clip=0.05)],
                         ids=["momentum", "adam", "clip"])
def test_optimizers_agree(optim):
    cfg = config("tanh-bias", "stepwise", "mse", "mean", epochs=200)
    assert_agree(replace(cfg, optim=replace(cfg.optim, **optim)), "torch")


@pytest.mark.parametrize("mode", ["online1", "stepwise"])
def test_float32_agrees_to_float32_rounding(mode):
    cfg = config("tanh-bias", mode, "huber", "mean", epochs=300)
    assert_agree(replace(cfg, run=replace(cfg.run, dtype="float32")), "torch")
