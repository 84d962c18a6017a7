"""The original programs, re-implemented with today's PyTorch API and the same math: the
baselines every benchmark row is measured against (in the same run).

Each function trains and returns the seconds its training loop took (data preparation
and model construction excluded, as for rnnlab's engines). Call `torch.set_num_threads`
before them; the originals ran with torch's defaults, the issue's reference is 1 thread.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn


def elman_sine(epochs: int = 200) -> float:
    """The PyTorch Elman tutorial: 20 online SGD steps per epoch, truncated BPTT of one step."""
    torch.manual_seed(1)
    data = np.sin(np.linspace(2, 10, 21)).reshape(21, 1)
    x = torch.tensor(data[:-1], dtype=torch.float32)
    y = torch.tensor(data[1:], dtype=torch.float32)
    w1 = torch.empty(7, 6).normal_(0.0, 0.4).requires_grad_()
    w2 = torch.empty(6, 1).normal_(0.0, 0.3).requires_grad_()
    started = time.perf_counter()
    for _ in range(epochs):
        total = 0.0
        h = torch.zeros((1, 6))
        for j in range(x.size(0)):
            h = torch.tanh(torch.cat((x[j:j + 1], h), 1).mm(w1))
            loss = (h.mm(w2) - y[j:j + 1]).pow(2).sum() / 2
            total += loss.detach()
            loss.backward()
            with torch.no_grad():
                w1 -= 0.1 * w1.grad
                w2 -= 0.1 * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
            h = h.detach()
    return time.perf_counter() - started


def _primer_data(seed: int = 1) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, np.ndarray]:
    torch.manual_seed(seed)
    np.random.seed(seed)
    grid = np.linspace(0, 4 * np.pi, 128 + 4 + 6 + 8)
    wave = np.sin(grid)
    windows = [wave[i:i + 14] for i in range(len(grid) - 14)]
    np.random.shuffle(windows)
    w = np.array(windows, dtype=np.float32)
    return (torch.tensor(w[4:, :6]), torch.tensor(w[4:, 6:]), torch.tensor(w[:4, :6]), torch.tensor(w[:4, 6:]),
            grid)


def primer_torch(steps: int = 20000, plots_dir: Path | None = None) -> float:
    """The RNN primer's PyTorch program: Flatten -> RNNCell(6, 32) -> Linear(32, 8), Huber
    loss, full-batch SGD. With `plots_dir`, also its plot of the test windows every 100
    steps (pyplot, one PNG each) and the GIF made from them (the post used ImageMagick's
    `convert`; Pillow here)."""
    x, y, x_test, y_test, grid = _primer_data()
    model = nn.Sequential(nn.Flatten(), nn.RNNCell(6, 32, bias=False), nn.Linear(32, 8, bias=False))
    loss_fn = nn.HuberLoss(delta=0.025)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    plot = _primer_plotter(model, x_test, y_test, grid, plots_dir) if plots_dir else None
    started = time.perf_counter()
    for step in range(steps):
        model.train()
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            loss.item()
            if plot:
                plot(step)
    if plot:
        plot(steps - 1)
        _gif(sorted(plots_dir.glob("*.png")), plots_dir / "rnn_optimization_pytorch.gif")
    return time.perf_counter() - started


def _primer_plotter(model: nn.Module, x_test: torch.Tensor, y_test: torch.Tensor, grid: np.ndarray, folder: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dx = grid[1] - grid[0]

    def plot_tests(step: int) -> None:  # the post's plot_tests, line for line
        model.eval()
        with torch.no_grad():
            y_hats = model(x_test)
        v_lines = []
        for i, (y_hat, ys) in enumerate(zip(y_hats.numpy(), y_test.numpy())):
            xs = grid[:8] + dx * 9 * i
            v_lines.append(dx * 9 * i - dx)
            plt.plot(xs, y_hat, "r")
            plt.plot(xs, ys, "g")
        for x_pos in v_lines[1:]:
            plt.vlines(x_pos, -1, 1)
        frame = plt.gca()
        frame.axes.get_xaxis().set_ticks([])
        frame.set_ylim([-1.1, 1.1])
        plt.savefig(folder / f"{step:06d}.png", format="png")
        plt.clf()

    return plot_tests


def _gif(pngs: list[Path], out: Path) -> None:
    from PIL import Image

    frames = [Image.open(p).convert("RGB") for p in pngs]
    frames[0].save(out, save_all=True, append_images=frames[1:], duration=100, loop=0)


def sine_recurrent(steps: int = 20000) -> float:
    """The primer's task as a real recurrence, written the usual PyTorch way: a Python loop
    over RNNCell for the 6 values, Linear readout, MSE, full-batch SGD (lr 0.1)."""
    x, y, _, _, _ = _primer_data()
    cell, readout = nn.RNNCell(1, 32), nn.Linear(32, 8)
    params = list(cell.parameters()) + list(readout.parameters())
    optimizer = torch.optim.SGD(params, lr=0.1)
    loss_fn = nn.MSELoss()
    started = time.perf_counter()
    for _ in range(steps):
        h = torch.zeros(x.shape[0], 32)
        for t in range(x.shape[1]):
            h = cell(x[:, t:t + 1], h)
        loss = loss_fn(readout(h), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - started


def rnn_step(seq: int, hidden: int, batch: int = 128) -> Callable[[int], float]:
    """torch.nn.RNN (tanh, one layer) + Linear readout of the last state, MSE, SGD: a
    function running k full training steps (forward, backward through all `seq` steps,
    update) and returning their seconds."""
    torch.manual_seed(0)
    rnn, readout = nn.RNN(1, hidden, batch_first=True), nn.Linear(hidden, 8)
    optimizer = torch.optim.SGD(list(rnn.parameters()) + list(readout.parameters()), lr=0.01)
    x, y = torch.randn(batch, seq, 1), torch.randn(batch, 8)

    def run(k: int) -> float:
        started = time.perf_counter()
        for _ in range(k):
            out, _ = rnn(x)
            loss = ((readout(out[:, -1]) - y) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return time.perf_counter() - started

    return run
