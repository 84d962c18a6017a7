"""A deliberately wrong engine for testing `compare`: the NumPy engine with one gradient
term off by ERROR relative."""

import pytest

from rnnlab import engines
from rnnlab.engines.bptt.backprop import Backprop
from rnnlab.engines.numpy import NumpyEngine

ERROR = 1e-4


def _off(grads):
    return {**grads, "W_hy": grads["W_hy"] * (1 + ERROR)}


class WrongBackprop(Backprop):
    """The hand-written arithmetic with the readout weights' gradient scaled by 1 + ERROR."""

    def window_grads(self, *args):
        return _off(super().window_grads(*args))

    def sequence_grads(self, *args):
        value, grads, state = super().sequence_grads(*args)
        return value, _off(grads), state


class WrongEngine(NumpyEngine):
    """Wrong in training and in `gradients`."""

    name = "wrong"

    def __init__(self, model, training, dtype):
        super().__init__(model, training, dtype)
        self.backprop = WrongBackprop(model, training, training.lr)


class WrongTrainingEngine(WrongEngine):
    """Wrong in training only, as a compiled training loop could be while the shared gradient is right."""

    name = "wrong-training"

    def gradients(self, x, y):
        wrong, self.backprop = self.backprop, Backprop(self.model, self.training, self.training.lr)
        try:
            return super().gradients(x, y)
        finally:
            self.backprop = wrong


def register(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the engines available as `--engines numpy,wrong` and `numpy,wrong-training`."""
    monkeypatch.setitem(engines._ENGINES, "wrong", (__name__, "WrongEngine", None))
    monkeypatch.setitem(engines._ENGINES, "wrong-training", (__name__, "WrongTrainingEngine", None))
