"""The jax engine against the NumPy reference through `compare` (same start, same data): its
steps agree to rounding and its runs stay within one step's rounding, over 1,000 epochs for
each input mode (float64; two of them in float32 too), and for every cell, loss and optimizer; tolerances
are derived from the dtype and the work (rnnlab.checks.tolerance). XLA fuses and orders
operations its own way, which a fixed tolerance measured on one CPU did not survive. Each
case compiles a program, so the grid is sampled (every loss once, every cell once) rather
than crossed; test_contract.py covers the rest."""

from dataclasses import replace

import pytest

pytest.importorskip("jax")

from engine_grid import assert_agree, config  # noqa: E402
from grid import LOSSES  # noqa: E402

from rnnlab.checks.compare import compare  # noqa: E402
from rnnlab.errors import UserError  # noqa: E402


@pytest.mark.parametrize("mode,cell,loss,reduction", [
    ("online1", "tanh", "sse_half", "sum"),  # the Elman tutorial's
    ("online3", "sigmoid-bias", "mse", "mean"),
    ("stepwise", "tanh-bias", "huber", "mean"),
    ("positional", "sigmoid", "soft_l1", "sum"),  # the primer's NumPy program's
    ("window", "tanh", "huber", "mean"),  # the primer's PyTorch program's
])
def test_each_input_mode_agrees_over_1000_epochs(mode, cell, loss, reduction):
    assert_agree(config(cell, mode, loss, reduction, epochs=1000), "jax")


@pytest.mark.parametrize("loss,reduction", [lr for lr in LOSSES if lr[1] == "mean"] + [("l1", "sum")])
def test_every_loss_agrees(loss, reduction):
    assert_agree(config("tanh-bias", "stepwise", loss, reduction, epochs=30), "jax", points=2)


@pytest.mark.parametrize("mode,model", [("online3", dict(cell="lstm")), ("stepwise", dict(cell="gru")),
                                        ("online3", dict(cell="gru", layers=2)), ("stepwise", dict(layers=2))],
                         ids=["lstm", "gru", "gru-2-layers", "elman-2-layers"])
def test_gated_cells_and_stacks_agree(mode, model):
    cfg = config("tanh-bias", mode, "mse", "mean", epochs=100, **model)
    assert_agree(replace(cfg, init=replace(cfg.init, scheme="torch_default")), "jax")


@pytest.mark.parametrize("optim", [dict(name="momentum", lr=0.02), dict(name="adam", lr=0.01), dict(clip=0.05)],
                         ids=["momentum", "adam", "clip"])
def test_optimizers_agree(optim):
    cfg = config("tanh-bias", "stepwise", "mse", "mean", epochs=200)
    assert_agree(replace(cfg, optim=replace(cfg.optim, **optim)), "jax")


@pytest.mark.parametrize("mode", ["online1", "window"])
def test_float32_agrees_to_float32_rounding(mode):
    cfg = config("tanh-bias", mode, "huber", "mean", epochs=1000)
    assert_agree(replace(cfg, run=replace(cfg.run, dtype="float32")), "jax")


def test_the_primer_approximation_is_numpy_only():
    cfg = config("tanh", "window", "sse_half", "sum", epochs=2)
    with pytest.raises(UserError, match="numpy engine only"):
        compare(replace(cfg, train=replace(cfg.train, gradient="primer_approx")), ["numpy", "jax"])
