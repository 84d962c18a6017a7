"""The jax engine against the NumPy reference through `compare` (same start, same data):
within 1e-9 in float64 over 1,000 epochs for each input mode, 1e-5 in float32, and for
every cell, loss and optimizer. Each case compiles a program, so the grid is sampled
(every loss once, every cell once) rather than crossed; test_contract.py covers the rest."""

from dataclasses import replace

import pytest

pytest.importorskip("jax")

from engine_grid import config  # noqa: E402
from grid import LOSSES  # noqa: E402

from rnnlab.checks.compare import compare  # noqa: E402
from rnnlab.config import Config  # noqa: E402
from rnnlab.errors import UserError  # noqa: E402

TOL = 1e-9


def assert_agree(cfg: Config, tol: float = TOL) -> None:
    result = compare(cfg, ["numpy", "jax"], tolerance=tol)
    assert result.ok, result.differences


@pytest.mark.parametrize("mode,cell,loss,reduction", [
    ("online1", "tanh", "sse_half", "sum"),  # the Elman tutorial's
    ("online3", "sigmoid-bias", "mse", "mean"),
    ("stepwise", "tanh-bias", "huber", "mean"),
    ("positional", "sigmoid", "soft_l1", "sum"),  # the primer's NumPy program's
    ("window", "tanh", "huber", "mean"),  # the primer's PyTorch program's
])
def test_each_input_mode_agrees_over_1000_epochs(mode, cell, loss, reduction):
    assert_agree(config(cell, mode, loss, reduction, epochs=1000))


@pytest.mark.parametrize("loss,reduction", [lr for lr in LOSSES if lr[1] == "mean"] + [("l1", "sum")])
def test_every_loss_agrees(loss, reduction):
    assert_agree(config("tanh-bias", "stepwise", loss, reduction, epochs=30))


@pytest.mark.parametrize("mode,model", [("online3", dict(cell="lstm")), ("stepwise", dict(cell="gru")),
                                        ("online3", dict(cell="gru", layers=2)), ("stepwise", dict(layers=2))],
                         ids=["lstm", "gru", "gru-2-layers", "elman-2-layers"])
def test_gated_cells_and_stacks_agree(mode, model):
    cfg = config("tanh-bias", mode, "mse", "mean", epochs=100, **model)
    assert_agree(replace(cfg, init=replace(cfg.init, scheme="torch_default")))


@pytest.mark.parametrize("optim", [dict(name="momentum", lr=0.02), dict(name="adam", lr=0.01), dict(clip=0.05)],
                         ids=["momentum", "adam", "clip"])
def test_optimizers_agree(optim):
    cfg = config("tanh-bias", "stepwise", "mse", "mean", epochs=200)
    assert_agree(replace(cfg, optim=replace(cfg.optim, **optim)))


@pytest.mark.parametrize("mode", ["online1", "window"])
def test_float32_agrees_to_float32_rounding(mode):
    cfg = config("tanh-bias", mode, "huber", "mean", epochs=1000)
    assert_agree(replace(cfg, run=replace(cfg.run, dtype="float32")), tol=1e-5)


def test_the_primer_approximation_is_numpy_only():
    cfg = config("tanh", "window", "sse_half", "sum", epochs=2)
    with pytest.raises(UserError, match="numpy engine only"):
        compare(replace(cfg, train=replace(cfg.train, gradient="primer_approx")), ["numpy", "jax"])
