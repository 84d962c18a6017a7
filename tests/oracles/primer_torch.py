"""Oracle: the "RNN primer" PyTorch program of seed 001 (REFERENCE_PROGRAMS.md §2, ``primer-torch``).

A transcription of the program quoted in ``shared/seeds/001_*.txt`` (gist
mcminis1/5ed44fb56891e0388fe47e52f8f12d66). It does not import rnnlab.

Deviations from the original (same math, same calls in the same order, so the
same draws from torch's and NumPy's global generators):

* ``torch.manual_seed(seed); np.random.seed(seed)`` is added at the top (the
  fidelity bar of REFERENCE_PROGRAMS.md §2); the original is unseeded.
* The device is forced to ``"cpu"``; the ``print(f"Using {device} device")`` is dropped.
* ``torch.FloatTensor(list_of_ndarrays)`` becomes
  ``torch.tensor(np.array(list_of_ndarrays), dtype=torch.float32)`` (same
  float64 -> float32 rounding, no "list of ndarrays is slow" warning).
* No plotting: where the original calls ``plot_tests(step)`` (after the update of
  every step with ``step % 100 == 0``, and once more after the loop) the oracle
  records ``predict_test_set(model)`` instead. ``print(f"loss: {loss:>7f}")``
  becomes recording ``(step, loss.item())``; that loss was computed *before* the
  step's update, as in the original.
* ``log_every`` (100 in the original) and ``n_epochs`` are parameters.
* ``torch.set_num_threads`` is left alone; the caller may set it.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import Flatten, HuberLoss, Linear, Module, RNNCell, Sequential


def run(seed: int = 1, n_epochs: int = 20000, log_every: int = 100) -> dict:
    torch.manual_seed(seed)
    np.random.seed(seed)

    # Configuration
    T = 6
    hidden_dim = 32
    output_dim = 8
    alpha = 0.025
    eps = 1e-1
    test_set_size = 4
    n_samples = 128

    # set up training data
    x_grid = np.linspace(0, 4 * np.pi, num=n_samples + test_set_size + T + output_dim)
    sin_wave = np.sin(x_grid)
    n_data_points = sin_wave.shape[0]
    n_samples = n_data_points - T - output_dim
    raw_X = []
    for i in range(0, n_samples):
        raw_X.append(sin_wave[i : i + T + output_dim])

    np.random.shuffle(raw_X)
    windows_shuffled = np.array(raw_X, dtype=np.float64)
    X_test = raw_X[:test_set_size]
    raw_X = raw_X[test_set_size:]

    def get_tensors(l):
        X = []
        y = []
        for x_y in l:
            X.append(x_y[:T])
            y.append(x_y[T:])
        X = torch.tensor(np.array(X), dtype=torch.float32)
        y = torch.tensor(np.array(y), dtype=torch.float32)
        return X, y

    X, y = get_tensors(raw_X)
    X_test, y_test = get_tensors(X_test)

    device = "cpu"

    class NeuralNetwork(Module):
        def __init__(self):
            super().__init__()
            self.flatten = Flatten()
            self.rnn_stack = Sequential(
                RNNCell(T, hidden_dim, bias=False, nonlinearity="tanh"),
                Linear(hidden_dim, output_dim, bias=False),
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.rnn_stack(x)
            return logits

    model = NeuralNetwork().to(device)
    params_init = {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}
    loss_fn = HuberLoss(delta=alpha)
    optimizer = torch.optim.SGD(model.parameters(), lr=eps)

    def predict_test_set(model):
        model.eval()
        with torch.no_grad():
            Xt, yt = X_test.to(device), y_test.to(device)
            pred = model(Xt)
        return pred

    printed = []
    test_predictions = []

    def train(step, X, y):
        model.train()
        X, y = X.to(device), y.to(device)

        pred = model(X)
        loss = loss_fn(pred, y)

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        if step % log_every == 0:
            printed.append((step, float(loss.item())))
            test_predictions.append(predict_test_set(model).cpu().numpy().copy())

    step = None
    for step in range(n_epochs):
        train(step, X, y)

    final_test_predictions = predict_test_set(model).cpu().numpy().copy()

    return {
        "printed": printed,
        "test_predictions": (
            np.stack(test_predictions)
            if test_predictions
            else np.zeros((0, test_set_size, output_dim), dtype=np.float32)
        ),
        "final_test_predictions": final_test_predictions,
        "params_init": params_init,
        "params": {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()},
        "X": X.numpy().copy(),
        "y": y.numpy().copy(),
        "X_test": X_test.numpy().copy(),
        "y_test": y_test.numpy().copy(),
        "windows_shuffled": windows_shuffled,
    }
