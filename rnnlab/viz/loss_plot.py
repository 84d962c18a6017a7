"""loss.png: training (and test) loss against epoch, read from metrics.csv, and the training
loss of every epoch from history.npz beside it when there is one (rnnlab.runs.history)."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.ticker import Formatter

__all__ = ["LossCurve", "log_scale", "plain_log_formatter", "read_metrics", "render_loss_png"]


@dataclass(frozen=True)
class LossCurve:
    """The columns of metrics.csv that the plot needs (NaN marks a missing test loss), and
    every epoch's training loss when history.npz has it (else the log points' losses)."""

    epoch: np.ndarray
    loss: np.ndarray
    test_loss: np.ndarray
    train_epoch: np.ndarray | None = None
    train_loss: np.ndarray | None = None

    @property
    def train(self) -> tuple[np.ndarray, np.ndarray]:
        if self.train_epoch is None or self.train_loss is None:
            return self.epoch, self.loss
        return self.train_epoch, self.train_loss

    def __len__(self) -> int:
        return len(self.epoch)


def _to_float(text: str | None) -> float:
    """Empty cells (test loss undefined) and unparsable ones become NaN, not errors."""
    if text is None or not text.strip():
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def read_metrics(path: Path) -> LossCurve:
    """Parse metrics.csv (and history.npz beside it, if present); raise ValueError if a
    required column or array is missing."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"epoch", "loss"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
        rows = list(reader)
    train_epoch = train_loss = None
    history = path.with_name("history.npz")
    if history.is_file():
        with np.load(history, allow_pickle=False) as npz:
            if "epoch" not in npz or "loss" not in npz:
                raise ValueError(f"{history}: needs the arrays 'epoch' and 'loss'")
            train_epoch, train_loss = npz["epoch"].astype(np.int64), npz["loss"].astype(np.float64)
    return LossCurve(
        epoch=np.array([int(float(r["epoch"])) for r in rows], dtype=np.int64),
        loss=np.array([_to_float(r["loss"]) for r in rows], dtype=np.float64),
        test_loss=np.array([_to_float(r.get("test_loss")) for r in rows], dtype=np.float64),
        train_epoch=train_epoch, train_loss=train_loss,
    )


def log_scale(curve: LossCurve) -> bool:
    """Whether loss.png uses a log y-axis: only if every value drawn is finite and > 0.

    A NaN or inf in the training loss means the run diverged; a linear axis
    shows that honestly instead of hiding it. Empty test-loss cells don't count.
    """
    defined_test = curve.test_loss[~np.isnan(curve.test_loss)]
    values = np.concatenate([curve.train[1], defined_test])
    return bool(values.size and np.isfinite(values).all() and (values > 0).all())


def plain_log_formatter(*, label_only_base: bool) -> Formatter:
    """Matplotlib's choice of which log ticks to label, written as plain numbers (0.02).

    The default labels are mathtext, whose parser alone takes a quarter of a
    second to build; the plain LogFormatter rounds 0.45 to "5e-01".
    """
    from matplotlib.ticker import LogFormatter

    class PlainLogFormatter(LogFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return f"{x:.3g}" if super().__call__(x, pos) else ""

    return PlainLogFormatter(labelOnlyBase=label_only_base)


def render_loss_png(curve: LossCurve, title: str) -> bytes:
    """Draw the curve as PNG bytes (the caller writes them atomically)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    train_epoch, train_loss = curve.train
    loss = np.where(np.isfinite(train_loss), train_loss, np.nan)
    test = np.where(np.isfinite(curve.test_loss), curve.test_loss, np.nan)
    has_test = bool(np.isfinite(test).any())
    log_y = log_scale(curve)

    fig = Figure(figsize=(6.4, 3.6), dpi=100)
    canvas = FigureCanvasAgg(fig)
    # Fixed margins, not a layout engine: constrained layout costs a second
    # full text layout pass, which is most of this plot's time.
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.13, top=0.91)
    ax = fig.add_subplot()
    ax.plot(train_epoch, loss, color="C0", marker="o" if len(train_epoch) == 1 else None, label="train loss")
    if has_test:
        ax.plot(curve.epoch, test, color="C1", marker="o" if len(curve) <= 30 else None, label="test loss")
    if log_y:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(plain_log_formatter(label_only_base=True))
        ax.yaxis.set_minor_formatter(plain_log_formatter(label_only_base=False))
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if not np.isfinite(train_loss).all():
        ax.text(0.01, 0.98, "loss has NaN/inf values (not drawn)", transform=ax.transAxes,
                color="C3", fontsize=8, va="top")
    ax.set_title(title)
    ax.legend(loc="best")
    canvas.draw()
    buf = io.BytesIO()
    rgb = Image.frombytes("RGB", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBX")
    rgb.save(buf, format="PNG", compress_level=3)
    return buf.getvalue()
