"""The pure functions the JAX engine compiles: objective, one epoch, a chunk of epochs.

Semantics are the NumPy engine's (rnnlab.engines.numpy.engine), so both engines agree to
rounding: full batch is one update per epoch on every window; online walks the sequence
from a zero state in chunks of `truncate` steps, updating after each chunk and carrying
the state on without its gradient; the chunk objective is the sum over its steps of each
step's loss. The reported loss is measured before the updates and summed in float64.

A chunk of epochs is one `lax.fori_loop` with a run-time trip count, so one compiled
program serves every chunk length the trainer asks for (up to CAPACITY epochs per call).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from rnnlab.engines.jax import optim
from rnnlab.engines.jax.losses import loss_value, sequence_value
from rnnlab.engines.jax.network import Network
from rnnlab.spec import ModelSpec, TrainingSpec

Params = dict[str, jax.Array]
CAPACITY = 1024  # epochs per compiled call; longer requests are split on the host


class Programs:
    """Functions of (params, data) for one ModelSpec and TrainingSpec; nothing is stored."""

    def __init__(self, model: ModelSpec, training: TrainingSpec) -> None:
        self.model, self.training = model, training
        self.net = Network(model)

    # -- values ----------------------------------------------------------------
    def outputs(self, p: Params, x: jax.Array) -> jax.Array:
        """From a zero state: (N, O) for readout 'last', (N, L, O) for 'every'."""
        hs, _ = self.net.forward(p, x, None)
        return self.net.readout(p, hs if self.model.readout == "every" else hs[:, -1])

    def objective(self, p: Params, x: jax.Array, y: jax.Array) -> jax.Array:
        """The training objective from a zero state (full BPTT for readout 'every')."""
        value = sequence_value if self.model.readout == "every" else loss_value
        return value(self.training.loss, self.outputs(p, x), y)

    def gradients(self, p: Params, x: jax.Array, y: jax.Array) -> tuple[jax.Array, Params]:
        return jax.value_and_grad(self.objective)(p, x, y)

    # -- training --------------------------------------------------------------
    def train_chunk(self, p: Params, opt: optim.OptState, x: jax.Array, y: jax.Array, lr: jax.Array,
                    epochs: jax.Array) -> tuple[Params, optim.OptState, jax.Array]:
        """`epochs` (<= CAPACITY, known at run time) epochs; losses (CAPACITY,) float64, the
        first `epochs` filled."""
        epoch = self._online_epoch if self.training.schedule == "online" else self._full_batch_epoch

        def body(i: jax.Array, carry: tuple) -> tuple:
            p, opt, losses = carry
            p, opt, loss = epoch(p, opt, x, y, lr)
            return p, opt, losses.at[i].set(loss)

        return lax.fori_loop(0, epochs, body, (p, opt, jnp.zeros(CAPACITY, jnp.float64)))

    def _full_batch_epoch(self, p: Params, opt: optim.OptState, x: jax.Array, y: jax.Array, lr: jax.Array
                          ) -> tuple[Params, optim.OptState, jax.Array]:
        def value(p: Params) -> tuple[jax.Array, jax.Array]:
            pred = self.outputs(p, x)  # (N, O)
            return loss_value(self.training.loss, pred, y), pred

        (loss, pred), grads = jax.value_and_grad(value, has_aux=True)(p)
        report = self._report(loss, pred, y, loss_value)
        p, opt = optim.step(self.training, p, grads, opt, lr)
        return p, opt, report

    def _online_epoch(self, p: Params, opt: optim.OptState, x: jax.Array, y: jax.Array, lr: jax.Array
                      ) -> tuple[Params, optim.OptState, jax.Array]:
        """Chunks of `truncate` steps from the zero state (zeros: exact, 0 @ W is 0), then
        the shorter last chunk if the length is not a multiple."""
        k, steps = self.training.truncate, x.shape[1]
        full = steps // k
        n = x.shape[0]
        state = [self.net.cell.zero_state(n, self.model.hidden, x.dtype) for _ in range(self.model.layers)]
        carry = (p, opt, state, jnp.zeros((), jnp.float64))
        if full:
            xs = jnp.swapaxes(x[:, :full * k].reshape(n, full, k, -1), 0, 1)  # (chunks, N, k, D)
            ys = jnp.swapaxes(y[:, :full * k].reshape(n, full, k, -1), 0, 1)
            carry, _ = lax.scan(lambda c, xy: (self._chunk(c, xy[0], xy[1], lr), None), carry, (xs, ys))
        if steps % k:
            carry = self._chunk(carry, x[:, full * k:], y[:, full * k:], lr)
        p, opt, _, total = carry
        return p, opt, total

    def _chunk(self, carry: tuple, xs: jax.Array, ys: jax.Array, lr: jax.Array) -> tuple:
        p, opt, state, total = carry

        def value(p: Params) -> tuple[jax.Array, tuple[jax.Array, Any]]:
            hs, final = self.net.forward(p, xs, state)
            pred = self.net.readout(p, hs)  # (N, k, O)
            return sequence_value(self.training.loss, pred, ys), (pred, final)

        (loss, (pred, final)), grads = jax.value_and_grad(value, has_aux=True)(p)
        report = self._report(loss, pred, ys, sequence_value)
        p, opt = optim.step(self.training, p, grads, opt, lr)
        return p, opt, lax.stop_gradient(final), total + report

    def _report(self, loss: jax.Array, pred: jax.Array, y: jax.Array, value: Any) -> jax.Array:
        """The reported loss in float64: the objective itself, or the `report` loss. A
        per-step mean is scaled by the step count in float64, as the NumPy engine does."""
        t = self.training
        if t.report == t.loss and not (value is sequence_value and t.loss.reduction == "mean"):
            return loss.astype(jnp.float64)
        base = loss_value(t.report, lax.stop_gradient(pred), y).astype(jnp.float64)
        return base * pred.shape[1] if value is sequence_value and t.report.reduction == "mean" else base
