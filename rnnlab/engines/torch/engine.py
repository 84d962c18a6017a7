"""The torch engine: the NumPy engine's semantics, gradients from torch.autograd.

Same contract (rnnlab.engines.base), same parameter layout, same objective and reported
loss; what it adds is a device (CPU, CUDA, MPS), a thread count chosen for the model's
size, and the original programs' own torch ops (networks.py), so `primer-torch` and
`elman-sine` print exactly what the originals print.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from rnnlab.engines.base import check_params
from rnnlab.engines.torch.device import choose_threads, num_threads, resolve_device
from rnnlab.engines.torch.losses import loss_value, sequence_value
from rnnlab.engines.torch.networks import detach, make_network
from rnnlab.engines.torch.optim import clip_grad_norm, make_optimizer
from rnnlab.errors import UserError
from rnnlab.spec import ModelSpec, TrainingSpec

Params = dict[str, np.ndarray]
_DTYPES = {"float32": torch.float32, "float64": torch.float64}


class TorchEngine:
    """Trains a ModelSpec with a TrainingSpec on `device` ('auto', 'cpu', 'cuda', 'mps')
    with `threads` CPU threads (0: chosen from the model's size, see device.py)."""

    name = "torch"

    def __init__(self, model: ModelSpec, training: TrainingSpec, dtype: str, *, device: str = "auto",
                 threads: int = 0) -> None:
        if training.gradient != "exact":
            raise UserError(f"train.gradient='{training.gradient}' (the primer's approximate gradient) exists in "
                            "the numpy engine only; use run.engine=numpy, or train.gradient=exact")
        self.model, self.training, self.dtype = model, training, _DTYPES[dtype]
        self._reports_objective = training.report == training.loss
        self._device = resolve_device(device, dtype)
        self.net = make_network(model, training)
        self.optimizer = make_optimizer(training, self.net.descend)
        self.requested_threads = threads
        self.threads, self.threads_reason = choose_threads(threads, model, batch=1)
        self.p: dict[str, torch.Tensor] = {}
        self.x = self.y = torch.zeros(0)

    def device(self) -> str:
        d = self._device
        if d.type == "cuda" and d.index is None:
            return f"cuda:{torch.cuda.current_device()}"
        return str(d)

    def info(self) -> dict[str, Any]:
        return {"torch_version": torch.__version__, "threads": self.threads, "threads_rule": self.threads_reason}

    # -- parameters and data -------------------------------------------------
    def set_params(self, params: Params) -> None:
        check_params(self.model, params)
        self.p = self.net.to_tensors(params, self.dtype, self._device)

    def get_params(self) -> Params:
        return self.net.to_numpy(dict(self.p), self.p)

    def set_data(self, x: np.ndarray, y: np.ndarray) -> None:
        """Encoded inputs (N, L, D) and targets: (N, O), or (N, L, O) for readout 'every'."""
        self.x, self.y = self._tensor(x), self._tensor(y)
        self.threads, self.threads_reason = choose_threads(self.requested_threads, self.model, batch=x.shape[0])

    def optimizer_state(self) -> dict[str, np.ndarray]:
        return self.optimizer.state(self.net.to_numpy, self.p)

    def load_optimizer_state(self, state: dict[str, np.ndarray]) -> None:
        self.optimizer.load_state(state, lambda arrays: self.net.to_tensors(arrays, self.dtype, self._device))

    def _tensor(self, a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(a)).to(device=self._device, dtype=self.dtype)

    # -- training ------------------------------------------------------------
    def train(self, epochs: int) -> np.ndarray:
        """Run `epochs` epochs; returns each epoch's reported loss, measured before its updates.

        NaN and infinity are not raised: they show in the losses and parameters."""
        run_epoch = self._online_epoch if self.training.schedule == "online" else self._full_batch_epoch
        with num_threads(self.threads):
            losses = [run_epoch() for _ in range(epochs)]  # 0-d tensors: no device sync per epoch
            return torch.stack(losses).cpu().to(torch.float64).numpy() if losses else np.zeros(0)

    def _full_batch_epoch(self) -> torch.Tensor:
        hs, _ = self.net.forward(self.p, self.x, None)
        pred = self.net.readout(self.p, hs[-1])  # (N, O)
        loss = loss_value(self.training.loss, pred, self.y)
        report = loss.detach() if self._reports_objective else loss_value(self.training.report, pred.detach(), self.y)
        self._update(loss)
        return report

    def _online_epoch(self) -> torch.Tensor:
        """Walk the sequence from a zero state in chunks of `truncate` steps; update after
        each chunk, then cut the graph (the state carries on, its gradient does not)."""
        k = self.training.truncate
        state = None  # the zero state
        total = torch.zeros((), dtype=self.dtype, device=self._device)  # summed in the engine's dtype
        for start in range(0, self.x.shape[1], k):
            xs, ys = self.x[:, start:start + k], self.y[:, start:start + k]
            hs, state = self.net.forward(self.p, xs, state)
            pred = self.net.readout_every(self.p, hs)  # (N, k, O)
            loss = sequence_value(self.training.loss, pred, ys)
            total = total + (loss.detach() if self._reports_objective
                             else sequence_value(self.training.report, pred.detach(), ys))
            self._update(loss)
            state = detach(state)
        return total

    def _update(self, loss: torch.Tensor) -> None:
        grads = dict(zip(self.p, torch.autograd.grad(loss, list(self.p.values()), allow_unused=True)))
        clip_grad_norm(grads, self.training.clip)
        self.optimizer.step(self.p, grads)

    # -- gradients -----------------------------------------------------------
    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, Params]:
        """Objective and its autograd gradient at the current parameters from a zero state,
        no update. For readout 'every' this is full BPTT over the whole sequence."""
        with num_threads(self.threads):
            value = self._objective(self.p, self._tensor(x), self._tensor(y))
            grads = torch.autograd.grad(value, list(self.p.values()), allow_unused=True)
            return float(value.detach()), self.net.to_numpy(dict(zip(self.p, grads)), self.p)

    def objective(self, params: Params, x: np.ndarray, y: np.ndarray) -> float:
        """The training objective at `params` (for finite differences)."""
        check_params(self.model, params)
        with num_threads(self.threads), torch.no_grad():
            p = self.net.to_tensors(params, self.dtype, self._device)
            return float(self._objective(p, self._tensor(x), self._tensor(y)))

    def _objective(self, p: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        pred = self._outputs(p, self.net.forward(p, x, None)[0])
        value = sequence_value if self.model.readout == "every" else loss_value
        return value(self.training.loss, pred, y)

    def _outputs(self, p: dict[str, torch.Tensor], hs: list[torch.Tensor]) -> torch.Tensor:
        """(N, L, O) for readout 'every', (N, O) for 'last'."""
        return self.net.readout_every(p, hs) if self.model.readout == "every" else self.net.readout(p, hs[-1])

    # -- prediction ----------------------------------------------------------
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs from a zero state: (N, O) for readout 'last', (N, L, O) for 'every'."""
        with num_threads(self.threads), torch.no_grad():
            return self._outputs(self.p, self.net.forward(self.p, self._tensor(x), None)[0]).cpu().numpy()
