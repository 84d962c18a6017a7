"""Small problems for comparing engines: every Elman cell variant, learning rates scaled so
each trains smoothly, and the agreement check every engine test uses: `rnnlab compare`'s
verdict, with tolerances derived from the dtype and the work (rnnlab.checks.tolerance)."""

from dataclasses import replace

from grid import small_config

from rnnlab.checks.compare import compare
from rnnlab.config import Config, validate

CELLS = {  # Elman cells: activation, and biases on or off
    "tanh": dict(activation="tanh", bias=False, readout_bias=False),
    "tanh-bias": dict(activation="tanh", bias=True, readout_bias=True),
    "sigmoid": dict(activation="sigmoid", bias=False, readout_bias=False),
    "sigmoid-bias": dict(activation="sigmoid", bias=True, readout_bias=True),
}


def config(kind: str, mode: str, loss: str, reduction: str, epochs: int, **model) -> Config:
    """small_config with cell `kind` (CELLS); online sequences cut to 6 steps (2 chunks of 3)."""
    lr = 0.05
    if reduction == "sum" and not mode.startswith("online"):
        lr /= 42  # 14 windows x 3 outputs: the sum's gradient is 42 times the mean's
    if loss == "soft_l1":
        lr /= 10  # its gradient is 1/delta = 10 times larger near zero
    cfg = small_config("tanh", mode, loss, reduction, epochs=epochs, lr=lr)
    if mode.startswith("online"):
        cfg = replace(cfg, data=replace(cfg.data, points=7, stop=6.0))
    return validate(replace(cfg, model=replace(cfg.model, **CELLS[kind], **model)))


def assert_agree(cfg: Config, engine: str, points: int = 4, smooth: bool = True) -> None:
    """`engine` computes what the NumPy engine computes: every step from `points` states of
    the NumPy run within the rounding tolerance, and the whole run within the rounding
    envelope. `smooth`: the problem trains without amplifying rounding (the nudged runs'
    differences never grow tenfold), so the loss histories never differ by more than one
    step's rounding either (they may drift within it, as rounding accumulates)."""
    result = compare(cfg, ["numpy", engine], points=points)
    assert result.ok, (result.steps, result.differences)
    if smooth:
        assert result.growth is None, result.growth
        assert result.differences[0].losses <= result.rounding, (result.rounding, result.differences)
