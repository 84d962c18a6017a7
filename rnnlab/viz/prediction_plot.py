"""predictions.png and the drawing shared with the GIF frames, read from predictions.npz.

Both kinds of plot are drawn on one Agg figure whose static parts (axes, truth,
actual series, legend) are rendered once; only the prediction artists and the
epoch label change between frames, so a frame costs a blit plus a few
``draw_artist`` calls instead of a full figure draw.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["KINDS", "PredictionFigure", "Predictions", "load_predictions"]

KINDS = ("next_step", "windows")

# Blue and orange, a pair every common colour-vision deficiency tells apart (the primer's
# own red and green is the pair most often confused): "C0"/"C1" as in the Elman tutorial's
# scatter; for the windows Okabe & Ito's blue (truth) and vermillion (prediction), with
# grey separators; black for text and axes.
_NEXT_STEP_COLORS = ("k", "C0", "C1")
_TRUTH, _PREDICTION, _SEPARATOR = "#0072B2", "#D55E00", "0.6"
_WINDOWS_COLORS = ("k", _PREDICTION, _TRUTH, _SEPARATOR)
_BLACK = (0, 0, 0)

_WIDTH_IN, _HEIGHT_IN, _DPI = 6.4, 3.6, 100
_LABEL_AT = (6, 5)  # where the epoch label is written, in pixels from the top left


@dataclass(frozen=True)
class Predictions:
    """Validated contents of predictions.npz; see rnnlab.viz for the contract."""

    kind: str
    epochs: np.ndarray  # (K,) int: the log points
    snapshots: np.ndarray  # (K, L) next_step | (K, N, O) windows
    final: np.ndarray  # (L,) next_step | (N, O) windows
    time: np.ndarray | None = None  # next_step: (L+1,)
    actual: np.ndarray | None = None  # next_step: (L+1,)
    truth: np.ndarray | None = None  # windows: (N, O)
    grid_step: float = 1.0  # windows


def _array(z: Any, key: str, ndim: int, path: Path) -> np.ndarray:
    if key not in z:
        raise ValueError(f"{path}: missing key {key!r}")
    a = np.asarray(z[key])
    if a.ndim != ndim:
        raise ValueError(f"{path}: {key!r} has shape {a.shape}, expected {ndim} dimension(s)")
    return a


def load_predictions(path: Path) -> Predictions:
    """Read and shape-check predictions.npz; raise ValueError on a broken contract."""
    with np.load(path, allow_pickle=False) as z:
        kind = str(_array(z, "kind", 0, path))
        if kind not in KINDS:
            raise ValueError(f"{path}: unknown kind {kind!r}, expected one of {KINDS}")
        epochs = _array(z, "epochs", 1, path).astype(np.int64)
        if kind == "next_step":
            time = _array(z, "time", 1, path).astype(np.float64)
            actual = _array(z, "actual", 1, path).astype(np.float64)
            snapshots = _array(z, "snapshots", 2, path).astype(np.float64)
            final = _array(z, "final", 1, path).astype(np.float64)
            n = len(time) - 1
            if len(actual) != n + 1 or final.shape != (n,) or snapshots.shape[1:] != (n,):
                raise ValueError(f"{path}: next_step arrays disagree on the series length {n + 1}")
            preds = Predictions(kind, epochs, snapshots, final, time=time, actual=actual)
        else:
            truth = _array(z, "truth", 2, path).astype(np.float64)
            snapshots = _array(z, "snapshots", 3, path).astype(np.float64)
            final = _array(z, "final", 2, path).astype(np.float64)
            grid_step = float(_array(z, "grid_step", 0, path))
            if final.shape != truth.shape or snapshots.shape[1:] != truth.shape:
                raise ValueError(f"{path}: windows arrays disagree with truth shape {truth.shape}")
            preds = Predictions(kind, epochs, snapshots, final, truth=truth, grid_step=grid_step)
    if len(epochs) != len(snapshots):
        raise ValueError(f"{path}: {len(epochs)} epochs but {len(snapshots)} snapshots")
    return preds


def _finite_or_nan(values: np.ndarray) -> np.ndarray:
    """inf would stretch nothing (limits are fixed) but NaN is the documented 'gap'."""
    return np.where(np.isfinite(values), values, np.nan)


def _next_step_ylim(preds: Predictions) -> tuple[float, float]:
    """Limits that fit the series and the predictions, but not a wild early guess.

    Fixed limits are needed for blitting; they cover every finite prediction
    unless that would squash the series to less than a quarter of the height.
    """
    assert preds.actual is not None
    actual = preds.actual[np.isfinite(preds.actual)]
    lo, hi = (float(actual.min()), float(actual.max())) if actual.size else (-1.0, 1.0)
    span = max(hi - lo, 1e-9)
    everything = np.concatenate([preds.snapshots.ravel(), preds.final.ravel()])
    everything = everything[np.isfinite(everything)]
    if everything.size:
        lo = max(min(lo, float(everything.min())), lo - 1.5 * span)
        hi = min(max(hi, float(everything.max())), hi + 1.5 * span)
    pad = 0.08 * (hi - lo if hi > lo else 1.0)
    return lo - pad, hi + pad


class PredictionFigure:
    """One reusable figure: ``png`` for predictions.png, ``frames`` for the GIF.

    The epoch label is drawn by Pillow (in matplotlib's own font) on the
    rendered pixels: matplotlib's text layout costs 1-3 ms per call, more than
    the rest of a frame.
    """

    def __init__(self, preds: Predictions, title: str) -> None:
        from matplotlib import font_manager
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from PIL import ImageFont

        self.preds = preds
        self.fig = Figure(figsize=(_WIDTH_IN, _HEIGHT_IN), dpi=_DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_subplot()
        self.fig.text(0.99, 0.975, title, ha="right", va="top", fontsize=9, color="0.3")
        props = font_manager.FontProperties(size=10)
        self._font = ImageFont.truetype(
            font_manager.findfont(props), round(props.get_size() * _DPI / 72),
            layout_engine=ImageFont.Layout.BASIC,
        )
        self._background: Any = None  # an Agg BufferRegion once drawn
        self._renderer: Any = None  # the canvas's RendererAgg once drawn
        self._pixels: Any = None  # its RGBA buffer, (height, width, 4) uint8, once drawn
        if preds.kind == "next_step":
            self._build_next_step()
        else:
            self._build_windows()

    @property
    def colors(self) -> list[tuple[int, int, int]]:
        """The solid colours drawn, as RGB bytes, from which the GIF palette is built."""
        from matplotlib.colors import to_rgb

        names = _NEXT_STEP_COLORS if self.preds.kind == "next_step" else _WINDOWS_COLORS
        rgb = [to_rgb(name) for name in names]
        return [(round(255 * r), round(255 * g), round(255 * b)) for r, g, b in rgb]

    def _build_next_step(self) -> None:
        p, ax = self.preds, self.ax
        assert p.time is not None and p.actual is not None
        self.fig.subplots_adjust(left=0.11, right=0.98, bottom=0.14, top=0.9)
        ax.set_xlabel("time", fontsize=9)
        ax.set_ylabel("value", fontsize=9)
        ax.scatter(p.time[:-1], p.actual[:-1], s=90, color="C0", label="Actual")
        # The original's second scatter (default s=36), as markers on a Line2D:
        # same look, and a fifth of a PathCollection's per-frame draw time.
        (predicted,) = ax.plot(
            p.time[1:], _finite_or_nan(p.final), "o", color="C1", markersize=6,
            markeredgewidth=1.5, label="Predicted",
        )
        ax.set_ylim(*_next_step_ylim(p))
        self._legend_on_top()
        self._dynamic = [predicted]

    def _build_windows(self) -> None:
        """The primer's plot_tests, with each colour's windows joined into one line.

        One Line2D per colour (NaN between windows) halves the per-frame cost of
        a line per window; truth stays drawn above the prediction, as in the
        original, where each window's green line came after its red one.
        """
        p, ax = self.preds, self.ax
        assert p.truth is not None
        self.fig.subplots_adjust(left=0.11, right=0.98, bottom=0.1, top=0.9)
        n, o = p.truth.shape
        dx = p.grid_step
        x = dx * np.arange(n * (o + 1) - 1)  # window i starts at dx*(o+1)*i
        (predicted,) = ax.plot(x, self._window_y(p.final), color=_PREDICTION, label="prediction")
        (truth,) = ax.plot(x, self._window_y(p.truth), color=_TRUTH, label="truth")
        if n > 1:
            ax.vlines([dx * (o + 1) * i - dx for i in range(1, n)], -1, 1, colors=_SEPARATOR)
        ax.set_xticks([])
        ax.set_xlabel(f"time: {n} test window{'s' if n > 1 else ''} of {o} steps, side by side", fontsize=9)
        ax.set_ylabel("value", fontsize=9)
        ax.set_ylim(-1.1, 1.1)
        self._legend_on_top()
        self._dynamic = [predicted, truth]

    def _legend_on_top(self) -> None:
        """Legend in the header row, where moving predictions can never cover it."""
        self.fig.legend(
            loc="upper center", ncol=2, frameon=False, fontsize=9,
            bbox_to_anchor=(0.5, 1.0), borderaxespad=0.2,
        )

    @staticmethod
    def _window_y(values: np.ndarray) -> np.ndarray:
        """(N, O) windows -> one row with a NaN gap after each window but the last."""
        gaps = np.full((len(values), 1), np.nan)
        return np.hstack([_finite_or_nan(values), gaps]).ravel()[:-1]

    def _show(self, values: np.ndarray) -> None:
        if self.preds.kind == "next_step":
            self._dynamic[0].set_ydata(_finite_or_nan(values))
        else:
            self._dynamic[0].set_ydata(self._window_y(values))

    def _write_label(self, label: str) -> None:
        """Write ``label`` top left into the canvas's pixels, exactly as Pillow draws it
        on a whole image: the box around the text is copied out, drawn on, and copied
        back, so the canvas itself (a GIF frame) is never copied."""
        from PIL import Image, ImageDraw

        if not label:
            return
        left, top, right, bottom = self._font.getbbox(label)
        x0, y0 = max(_LABEL_AT[0] + left - 1, 0), max(_LABEL_AT[1] + top - 1, 0)
        x1, y1 = _LABEL_AT[0] + right + 1, _LABEL_AT[1] + bottom + 1
        box = self._pixels[y0:y1, x0:x1, :3]
        patch = Image.fromarray(np.ascontiguousarray(box))
        ImageDraw.Draw(patch).text((_LABEL_AT[0] - x0, _LABEL_AT[1] - y0), label, fill=_BLACK, font=self._font)
        box[...] = np.asarray(patch)

    def _draw(self, values: np.ndarray, label: str) -> np.ndarray:
        """``values`` drawn over the static background, labelled: the canvas's pixels
        as (height, width) RGBX words, a view that the next call overwrites.

        The first call draws the whole figure once without the animated
        artists and keeps that background; every call then restores it and
        draws just those artists. The pixels equal a full draw's (tested).
        """
        if self._background is None:
            for artist in self._dynamic:
                artist.set_animated(True)
            self.canvas.draw()
            # The canvas size is fixed, so its renderer can be kept: asking
            # the canvas for it re-checks the size, a measurable cost per call.
            self._renderer = self.canvas.get_renderer()
            self._background = self._renderer.copy_from_bbox(self.fig.bbox)
            self._pixels = np.asarray(self._renderer.buffer_rgba())
        self._renderer.restore_region(self._background)
        self._show(values)
        for artist in self._dynamic:
            artist.draw(self._renderer)
        self._write_label(label)
        return self._pixels.view("<u4")[..., 0]

    def render(self, values: np.ndarray, label: str) -> Image.Image:
        """``values`` drawn and labelled, as an RGB image."""
        from PIL import Image

        # Decoding the RGBA buffer as "RGBX" drops alpha in the copy itself,
        # five times faster than an RGBA image plus convert("RGB").
        height, width = self._draw(values, label).shape
        return Image.frombytes("RGB", (width, height), self._renderer.buffer_rgba(), "raw", "RGBX")

    def png(self, values: np.ndarray, label: str) -> bytes:
        """``values`` rendered as PNG bytes."""
        buf = io.BytesIO()
        self.render(values, label).save(buf, format="PNG", compress_level=3)
        return buf.getvalue()

    def frames(self, snapshots: np.ndarray, labels: list[str]) -> Iterator[np.ndarray]:
        """Yield each snapshot drawn, as ``_draw`` returns it, for the GIF."""
        for values, label in zip(snapshots, labels):
            yield self._draw(values, label)
