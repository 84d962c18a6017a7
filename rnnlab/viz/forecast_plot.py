"""forecast.png and the forecast's training.gif, drawn from a forecast run folder's
forecast.npz alone (read with ``allow_pickle=False``). Its arrays:

  title (0-d str); x (n,) float positions (matplotlib date units when ``is_date``);
  is_date (0-d bool); values (n,) the series, gaps filled; missing (n,) bool;
  train_end, val_end (0-d int) the split; origins (N,) int backtest origins;
  model, naive, seasonal_naive, mean (N, H) forecasts from each origin;
  mase (4,) MASE of model, naive, seasonal_naive, mean (NaN when undefined);
  season (0-d int, 1: none, when seasonal naive is naive and is not drawn twice);
  epochs (K,) int and snapshots (K, N, H): the first model's test forecasts while training.

The top panel shows the whole series and its three parts; the bottom one the test part,
forecasts from up to five origins spaced a horizon apart (all origins are scored, in
forecast.csv and metrics.json), and the naive baselines from the same origins.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rnnlab.runs.atomic import atomic_write_bytes

__all__ = ["ForecastPlot", "render_forecast"]

_BLACK, _GREY, _C0, _C1, _C2, _C3 = (0, 0, 0), (128, 128, 128), (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40)
MAX_SHOWN = 5
FINAL_TITLE = "test part: forecasts from rolling origins (dots), beside the naive baselines"
_GIF_DPI = 64


@dataclass(frozen=True)
class ForecastPlot:
    arrays: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> ForecastPlot:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        missing = {"title", "x", "values", "train_end", "val_end", "origins", "model", "naive",
                   "seasonal_naive", "mase", "epochs", "snapshots"} - set(arrays)
        if missing:
            raise ValueError(f"{path}: missing key(s) {sorted(missing)}")
        return cls(arrays)

    def shown(self) -> np.ndarray:
        """Indices of the origins drawn: at most MAX_SHOWN, a horizon apart where possible."""
        origins, h = self.arrays["origins"], self.arrays["model"].shape[1]
        picked = [0]
        for i in range(1, len(origins)):
            if origins[i] - origins[picked[-1]] >= h:
                picked.append(i)
        picked = np.array(picked)
        if len(picked) > MAX_SHOWN:
            picked = picked[np.linspace(0, len(picked) - 1, MAX_SHOWN).round().astype(int)]
        return picked

    def figure(self) -> tuple[Any, Any, list[Any]]:
        """The figure, its canvas and the model's forecast lines (updated per GIF frame)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        a = self.arrays
        x, v = a["x"], a["values"]
        tr, va = int(a["train_end"]), int(a["val_end"])
        mase = [float(m) for m in a["mase"]]
        fig = Figure(figsize=(8.0, 5.6), dpi=90)
        canvas = FigureCanvasAgg(fig)
        top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": [1, 2]})
        fig.subplots_adjust(left=0.08, right=0.98, top=0.92, bottom=0.08, hspace=0.32)
        fig.suptitle(str(a["title"]), fontsize=10)
        top.plot(x, v, color="0.2", lw=0.8)
        top.axvspan(x[tr], x[va], color="C0", alpha=0.10, lw=0)
        top.axvspan(x[va], x[-1], color="C1", alpha=0.12, lw=0)
        top.text(0.005, 0.95, "train", transform=top.transAxes, va="top", fontsize=8)
        top.text(float((x[tr] - x[0]) / (x[-1] - x[0])), 0.95, " validation", transform=top.transAxes,
                 va="top", fontsize=8, color="C0")
        top.text(float((x[va] - x[0]) / (x[-1] - x[0])), 0.95, " test", transform=top.transAxes,
                 va="top", fontsize=8, color="C1")
        start = max(0, va - (len(x) - va) // 2)
        bottom.plot(x[start:], v[start:], color="0.15", lw=1.2, label="actual")
        if a.get("missing") is not None and a["missing"][start:].any():
            m = np.where(a["missing"][start:], v[start:], np.nan)
            bottom.plot(x[start:], m, "x", color="0.5", ms=4, label="filled gap")
        bottom.axvline(x[va - 1], color="C1", lw=0.8, ls=":")
        steps = self._step_x()
        seasonal = int(a.get("season", 2)) > 1
        lines = []
        for j, i in enumerate(self.shown()):
            xs = steps[i]
            label = (lambda name, k: f"{name} (MASE {_fmt(mase[k])})" if j == 0 else None)
            naive_name = "naive" if seasonal else "naive = seasonal naive (no season)"
            bottom.plot(xs, a["naive"][i], color="C2", lw=1.0, ls="--", label=label(naive_name, 1))
            if seasonal:
                bottom.plot(xs, a["seasonal_naive"][i], color="C3", lw=1.0, ls=":",
                            label=label("seasonal naive", 2))
            (line,) = bottom.plot(xs, a["model"][i], color="C1", lw=1.8, label=label("model", 0))
            lines.append(line)
            bottom.plot([x[a["origins"][i]]], [v[a["origins"][i]]], "o", color="C1", ms=3)
        bottom.set_xlim(x[start], x[-1])
        lo, hi = float(np.min(v[start:])), float(np.max(v[start:]))
        pad = 0.15 * (hi - lo if hi > lo else 1.0)
        bottom.set_ylim(lo - pad, hi + pad)
        bottom.legend(loc="upper left", fontsize=8, ncol=2, framealpha=0.85)
        bottom.set_title(FINAL_TITLE, fontsize=9)
        if bool(a.get("is_date", False)):
            top.xaxis_date()
            bottom.xaxis_date()
        for ax in (top, bottom):
            ax.grid(True, alpha=0.25)
            ax.tick_params(labelsize=8)
        return fig, canvas, lines

    def _step_x(self) -> np.ndarray:
        """x of each origin's forecast steps, (N, H)."""
        x, o, h = self.arrays["x"], self.arrays["origins"], self.arrays["model"].shape[1]
        return x[o[:, None] + np.arange(1, h + 1)[None, :]]


def _fmt(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}"


def _image(canvas: Any) -> Any:
    """The drawn canvas as an RGB Pillow image."""
    from PIL import Image

    canvas.draw()
    return Image.frombytes("RGB", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBX")


def _png(image: Any) -> bytes:
    """A 256-colour PNG: a third of the RGB size, colours within a few levels of the original."""
    from PIL import Image

    buf = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE).save(
        buf, format="PNG", optimize=True)
    return buf.getvalue()


def render_forecast(run_dir: Path, *, gif: bool = True) -> list[Path]:
    """Write forecast.png and (if `gif`) training.gif into `run_dir` from its forecast.npz."""
    from rnnlab.viz.gif import encode_gif

    run_dir = Path(run_dir)
    plot = ForecastPlot.load(run_dir / "forecast.npz")
    fig, canvas, lines = plot.figure()
    atomic_write_bytes(run_dir / "forecast.png", _png(_image(canvas)))
    written = [run_dir / "forecast.png"]
    if not gif:
        return written
    shown = plot.shown()
    a = plot.arrays
    bottom = lines[0].axes
    model_entry = next(t for t in bottom.get_legend().get_texts() if t.get_text().startswith("model"))
    final_entry = model_entry.get_text()
    # Each frame says what it shows in the panel's title (the figure's title stays clear), and
    # the legend gives the model's MASE only on the last frame, the one that MASE is of.
    frames_data = [(f"test part: the first model's forecasts at epoch {int(e)}, beside the naive baselines",
                    "model (training)", s) for e, s in zip(a["epochs"], a["snapshots"])]
    frames_data.append(("test part: the trained ensemble's forecasts, beside the naive baselines", final_entry,
                        a["model"]))
    fig.set_dpi(_GIF_DPI)  # smaller frames: the GIF stays a few hundred kB
    frames = []
    for title, entry, snap in frames_data:
        for line, i in zip(lines, shown):
            line.set_ydata(snap[i])
        bottom.set_title(title, fontsize=9)
        model_entry.set_text(entry)
        frames.append(_image(canvas))
    atomic_write_bytes(run_dir / "training.gif", encode_gif(frames, [_BLACK, _GREY, _C0, _C1, _C2, _C3], 150))
    written.append(run_dir / "training.gif")
    return written
