"""Small configs covering every cell x input mode x loss, shared by engine tests."""

from __future__ import annotations

from dataclasses import replace

from rnnlab.config import Config, DataConfig, LossConfig, ModelConfig, TrainConfig, validate
from rnnlab.core.losses import LOSS_NAMES

CELLS = {
    "tanh": dict(activation="tanh", bias=False, readout_bias=False),
    "sigmoid-bias": dict(activation="sigmoid", bias=True, readout_bias=True),
}
INPUT_MODES = ("online1", "online3", "stepwise", "positional", "window")
LOSSES = tuple((name, red) for name in LOSS_NAMES for red in ("sum", "mean"))


def small_config(cell: str, mode: str, loss: str, reduction: str, *, dtype: str = "float64",
                 epochs: int = 20, lr: float = 0.05, hidden: int = 5) -> Config:
    """A fast problem: 24-point sine, tiny hidden layer."""
    if mode.startswith("online"):
        data = DataConfig(start=2.0, stop=10.0, points=13, framing="next_step", shuffle=False)
        train = TrainConfig(epochs=epochs, schedule="online", truncate=int(mode[-1]))
        model_input = "stepwise"
    else:
        data = DataConfig(points=24, framing="windows", window=4, horizon=3, test_windows=3)
        train = TrainConfig(epochs=epochs, schedule="full_batch")
        model_input = mode
    cfg = Config(data=data, train=train,
                 model=ModelConfig(hidden=hidden, input=model_input, **CELLS[cell]),
                 loss=LossConfig(name=loss, reduction=reduction, delta=0.1, mix=0.3))
    cfg = replace(cfg, run=replace(cfg.run, dtype=dtype, seed=3), optim=replace(cfg.optim, lr=lr))
    return validate(cfg)


def grid() -> list[tuple[str, str, str, str]]:
    return [(c, m, n, r) for c in CELLS for m in INPUT_MODES for n, r in LOSSES]
