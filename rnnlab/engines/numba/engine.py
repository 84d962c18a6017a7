"""The numba engine: the hand-written arithmetic (rnnlab.engines.bptt) with its training
loop compiled where a fused kernel covers the model (rnnlab.engines.numba.kernel), and
that arithmetic's own loop elsewhere.

The kernel covers what the primer recipes and sine-recurrent train: one Elman layer
(tanh or sigmoid), readout at the last step, full-batch SGD with the exact gradient and no
clipping, any input mode, loss and bias setting. Predictions, gradients and objectives
come from the hand-written arithmetic (each is one pass; there is no loop to compile).
"""

from __future__ import annotations

import sys
import threading
import time

import numba
import numpy as np
import scipy.linalg.cython_blas  # noqa: F401  the BLAS numba's products call, loaded before threads are limited

from rnnlab.core.losses import Loss
from rnnlab.engines.base import NumericalError
from rnnlab.engines.bptt.engine import BpttEngine
from rnnlab.engines.bptt.threads import blas_threads, rescan_blas
from rnnlab.engines.numba import kernel
from rnnlab.engines.numba.scope import ACTIVATIONS, LOSSES, unfused_reason
from rnnlab.spec import ModelSpec, TrainingSpec

rescan_blas()
NOTICE_AFTER_SECONDS = 1.0  # a cache load takes 0.2-0.5 s; a compile 10-20 s


class NumbaEngine(BpttEngine):
    """Trains a ModelSpec with a TrainingSpec; see rnnlab.engines.base for the contract."""

    name = "numba"

    def __init__(self, model: ModelSpec, training: TrainingSpec, dtype: str) -> None:
        super().__init__(model, training, dtype)
        self.unfused = unfused_reason(model, training)
        self.compile_seconds, self.compiled = 0.0, False
        self.time_major = np.zeros((0, 0, 0), self.dtype)

    def info(self) -> dict[str, object]:
        return {**super().info(), "numba_version": numba.__version__,
                "training_loop": self.unfused or "fused kernel (one compiled loop per call)",
                "compile_seconds": round(self.compile_seconds, 4)}

    def set_data(self, x: np.ndarray, y: np.ndarray) -> None:
        super().set_data(x, y)
        if not self.unfused:  # the kernel's layout (L, N, D): one step's rows together
            self.time_major = np.ascontiguousarray(self.x.transpose(1, 0, 2))

    def train(self, epochs: int) -> np.ndarray:
        """Run `epochs` epochs; returns each epoch's reported loss, measured before its updates.

        A loss that is not finite raises NumericalError naming the epoch; the parameters are
        those from before it."""
        if self.unfused:
            return super().train(epochs)
        if not self.compiled:
            self._compile()
        losses = np.empty(epochs, dtype=np.float64)
        with blas_threads(self.threads):
            done = kernel.train_full_batch(*self._arguments(epochs), losses)
        if done < epochs:
            raise NumericalError(f"the loss became {losses[done]} (overflow or an undefined value)", epochs_done=done)
        return losses

    def _arguments(self, epochs: int) -> tuple:
        p, m, t = self.params, self.model, self.training
        empty = np.zeros(0, self.dtype)
        return (self.time_major, self.y, p["W_xh"], p["W_hh"], p.get("b_h", empty), p["W_hy"],
                p.get("b_y", empty), t.lr, epochs, ACTIVATIONS[m.activation],
                *self._loss_arguments(t.loss), *self._loss_arguments(t.report))

    @staticmethod
    def _loss_arguments(loss: Loss) -> tuple[int, float, float, bool]:
        return LOSSES[loss.name], loss.delta, loss.mix, loss.reduction == "mean"

    def _compile(self) -> None:
        """Compile (or load from numba's disk cache) the kernel for this dtype, timed apart
        from training. A compile that is not a quick cache load says so on stderr, so the
        first run's 10-20 s of silence is explained."""
        notice = threading.Timer(NOTICE_AFTER_SECONDS, print, args=(
            f"rnnlab: compiling the numba engine's kernel for {self.dtype} (the first time only: 10-20 s; "
            "cached afterwards)",), kwargs={"file": sys.stderr, "flush": True})
        notice.daemon = True
        started = time.perf_counter()
        notice.start()
        try:
            kernel.train_full_batch(*self._arguments(0), np.empty(0))
        finally:
            notice.cancel()
        self.compile_seconds += time.perf_counter() - started
        self.compiled = True
