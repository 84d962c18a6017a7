"""Oracle: the PyTorch Elman RNN of seed 000 (REFERENCE_PROGRAMS.md §1, ``elman-sine``).

A line-by-line transcription of the PyTorch program quoted in
``shared/seeds/000_*.txt``. It does not import rnnlab.

Deviations from the original, all API spelling only (same math, same order of
random draws, float32 everywhere):

* ``torch.autograd.Variable`` is gone: ``Variable(t, requires_grad=True)`` becomes
  ``t.requires_grad_()``, ``Variable(context_state.data)`` becomes ``.detach()``.
* ``torch.FloatTensor(7, 6)`` + ``init.normal(w1, 0.0, 0.4)`` becomes
  ``torch.empty(7, 6).normal_(0.0, 0.4)``; ``init.normal_`` calls exactly this
  ``Tensor.normal_`` under ``no_grad``, so the generator draws are identical.
* ``torch.Tensor(data[:-1]).type(dtype)`` becomes
  ``torch.tensor(data[:-1], dtype=torch.float32)`` (same float64 -> float32 rounding).
* ``data.resize((21, 1))`` (in place) becomes ``data.reshape(21, 1)``.
* ``total_loss += loss`` accumulates ``loss.detach()``: the same float32 tensor sum,
  without keeping 20 autograd graphs alive. ``total_loss.data[0]`` becomes ``.item()``.
* The initial context state is created with ``requires_grad=True`` as in the
  original; its gradient is never used.
* Nothing is printed or plotted; the printed values are returned instead.
"""

from __future__ import annotations

import numpy as np
import torch


def run(seed: int = 1, epochs: int = 200) -> dict:
    torch.manual_seed(seed)

    input_size, hidden_size, output_size = 7, 6, 1
    seq_length = 20
    lr = 0.1

    data_time_steps = np.linspace(2, 10, seq_length + 1)
    data = np.sin(data_time_steps)
    data = data.reshape(seq_length + 1, 1)

    x = torch.tensor(data[:-1], dtype=torch.float32)
    y = torch.tensor(data[1:], dtype=torch.float32)

    w1 = torch.empty(input_size, hidden_size, dtype=torch.float32).normal_(0.0, 0.4)
    w1.requires_grad_(True)
    w2 = torch.empty(hidden_size, output_size, dtype=torch.float32).normal_(0.0, 0.3)
    w2.requires_grad_(True)

    w1_init = w1.detach().numpy().copy()
    w2_init = w2.detach().numpy().copy()

    def forward(input, context_state, w1, w2):
        xh = torch.cat((input, context_state), 1)
        context_state = torch.tanh(xh.mm(w1))
        out = context_state.mm(w2)
        return out, context_state

    epoch_losses = []
    printed = []
    for i in range(epochs):
        total_loss = 0
        context_state = torch.zeros((1, hidden_size), dtype=torch.float32, requires_grad=True)
        for j in range(x.size(0)):
            input = x[j : (j + 1)]
            target = y[j : (j + 1)]
            pred, context_state = forward(input, context_state, w1, w2)
            loss = (pred - target).pow(2).sum() / 2
            total_loss += loss.detach()  # float32 tensor sum, as in the original
            loss.backward()
            with torch.no_grad():
                w1 -= lr * w1.grad
                w2 -= lr * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
            context_state = context_state.detach()
        epoch_losses.append(float(total_loss.item()))
        if i % 10 == 0:
            printed.append((i, float(total_loss.item())))

    with torch.no_grad():
        context_state = torch.zeros((1, hidden_size), dtype=torch.float32)
        predictions = []
        for i in range(x.size(0)):
            input = x[i : i + 1]
            pred, context_state = forward(input, context_state, w1, w2)
            predictions.append(pred.numpy().ravel()[0])

    return {
        "epoch_losses": epoch_losses,
        "printed": printed,
        "w1_init": w1_init,
        "w2_init": w2_init,
        "w1": w1.detach().numpy().copy(),
        "w2": w2.detach().numpy().copy(),
        "predictions": np.array(predictions, dtype=np.float32),
    }
