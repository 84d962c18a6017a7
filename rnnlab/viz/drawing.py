"""What render_run draws, as bytes, in shares that separate processes can draw at once.

Share 0 of n draws loss.png, predictions.png and the GIF's first frames; the other
shares draw the remaining frames in order. ``join`` puts the shares together into the
same bytes one process drawing everything gives: a GIF frame depends only on the frame
before it, which a share draws again (one extra frame) before its own.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rnnlab.runs.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from rnnlab.viz.prediction_plot import Predictions

__all__ = ["Drawing", "RenderResult", "draw_share", "frame_bounds", "import_drawing_libraries", "join"]

# loss.png and predictions.png together take about as long to draw as this many GIF
# frames (measured on primer-torch), so share 0 gets that many frames fewer than the others.
PNG_FRAMES = 60


class RenderResult(list[Path]):
    """The paths written, plus ``skipped``: output file name -> why it was not written."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: dict[str, str] = {}


@dataclass
class Drawing:
    """Output file name -> bytes, in writing order; ``skipped``: name -> why it is not drawn.
    ``gif_blocks`` is this share's part of training.gif (None: no GIF drawn here)."""

    files: dict[str, bytes] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    gif_blocks: bytes | None = None

    def write(self, run_dir: Path) -> RenderResult:
        """Write each file atomically into ``run_dir``; an OSError names the file it failed on."""
        result = RenderResult()
        result.skipped.update(self.skipped)
        for name, data in self.files.items():
            try:
                atomic_write_bytes(run_dir / name, data)
            except OSError as err:
                raise OSError(err.errno, err.strerror or str(err), str(run_dir / name)) from err
            result.append(run_dir / name)
        return result


def join(shares: Sequence[Drawing]) -> Drawing:
    """The shares (in order) as one drawing, with training.gif assembled from their blocks."""
    from rnnlab.viz.gif import TRAILER

    joined = Drawing()
    for share in shares:
        joined.files.update(share.files)
        joined.skipped.update(share.skipped)
    blocks = [s.gif_blocks for s in shares if s.gif_blocks is not None]
    if blocks:
        joined.files["training.gif"] = b"".join(blocks) + TRAILER
    return joined


def frame_bounds(count: int, shares: int) -> list[int]:
    """Where each share's frames start, then ``count``: share i draws [b[i], b[i+1])."""
    if shares == 1:
        return [0, count]
    head = max(0, count - PNG_FRAMES * (shares - 1)) // shares
    return [0, *(head + (count - head) * i // (shares - 1) for i in range(shares))]


def import_drawing_libraries() -> None:
    """Import what drawing needs (matplotlib takes most of a second), e.g. ahead of a run."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    from PIL import GifImagePlugin, Image, ImageDraw, ImageFont, PngImagePlugin  # noqa: F401


def _title(run_dir: Path) -> str:
    """The recipe's name from config.toml's [run] table; the folder name otherwise."""
    try:
        name = tomllib.loads((run_dir / "config.toml").read_text(encoding="utf-8")).get("run", {}).get("name")
    except (OSError, ValueError, AttributeError):
        name = None
    return name if isinstance(name, str) and name else run_dir.name


def draw_share(run_dir: Path, share: int = 0, shares: int = 1, *, gif: bool = True) -> Drawing:
    """Share ``share`` of ``shares`` of the drawing of ``run_dir`` (the module docstring says
    which); outputs whose inputs are missing are listed in ``skipped`` by share 0."""
    from rnnlab.viz.gif import encode_frames
    from rnnlab.viz.loss_plot import read_metrics, render_loss_png
    from rnnlab.viz.prediction_plot import PredictionFigure, load_predictions

    run_dir = Path(run_dir)
    drawing, first = Drawing(), share == 0
    title = _title(run_dir)
    if first:
        metrics = run_dir / "metrics.csv"
        curve = read_metrics(metrics) if metrics.is_file() else None
        if curve is None:
            drawing.skipped["loss.png"] = "no metrics.csv"
        elif len(curve) == 0:
            drawing.skipped["loss.png"] = "metrics.csv has no rows yet"
        else:
            drawing.files["loss.png"] = render_loss_png(curve, title)

    npz = run_dir / "predictions.npz"
    if not npz.is_file():
        if first:
            drawing.skipped["predictions.png"] = "no predictions.npz"
            if gif:
                drawing.skipped["training.gif"] = "no predictions.npz"
        return drawing
    preds = load_predictions(npz)
    snapshots, labels = gif_frames(preds)
    start, stop = frame_bounds(len(snapshots), shares)[share : share + 2] if gif else (0, 0)
    if not first and start == stop:
        drawing.gif_blocks = b"" if gif else None
        return drawing
    figure = PredictionFigure(preds, title)
    if first:
        drawing.files["predictions.png"] = figure.png(preds.final, "after training")
    if gif:
        drawing.gif_blocks = b""
        if start < stop:
            before = max(start - 1, 0)
            frames = figure.frames(snapshots[before:stop], labels[before:stop])
            after = next(frames) if start > 0 else None
            drawing.gif_blocks = encode_frames(frames, figure.colors, after=after)
    return drawing


def gif_frames(preds: Predictions) -> tuple[np.ndarray, list[str]]:
    """training.gif's frames and labels: every snapshot, then the predictions after training
    (as the primer's GIF ends on a plot made after its loop), unless the last snapshot
    already shows them (a log point at the last epoch)."""
    labels = [f"epoch {e}" for e in preds.epochs]
    if len(preds.snapshots) and np.array_equal(preds.snapshots[-1], preds.final, equal_nan=True):
        return preds.snapshots, labels
    return np.concatenate([preds.snapshots, preds.final[None]]), [*labels, "after training"]
