"""Small problems for comparing engines: every Elman cell variant, learning rates scaled so
each trains smoothly (rnnlab compare --sensitivity shows why that matters)."""

from dataclasses import replace

from grid import small_config

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
