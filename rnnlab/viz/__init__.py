"""Plots of a run folder, drawn from its files alone.

``render_run(run_dir)`` reads the folder and writes, each atomically:

- ``loss.png`` from ``metrics.csv``: a header, then one row per log point with
  at least the columns ``epoch`` (int), ``step`` (int), ``loss`` (float) and
  ``test_loss`` (float, or an empty cell when undefined). The title is the
  ``name`` in the ``[run]`` table of ``config.toml`` when present, else the folder name.
- ``predictions.png`` and ``training.gif`` from ``predictions.npz`` (read with
  ``allow_pickle=False``). Its 0-d unicode array ``kind`` selects the layout:

  * ``"next_step"`` (the Elman sine tutorial): ``time`` (L+1,) and ``actual``
    (L+1,) hold the whole series; ``epochs`` (K,) int are the log points;
    ``snapshots`` (K, L) the predictions of ``actual[1:]`` at each log point;
    ``final`` (L,) the predictions after training.
  * ``"windows"`` (the primer): ``truth`` (N, O) the N test windows' targets;
    ``grid_step`` 0-d float, the grid spacing; ``epochs`` (K,) int;
    ``snapshots`` (K, N, O); ``final`` (N, O).

  predictions.png shows ``final``; training.gif has exactly one frame per
  snapshot (one frame of ``final`` when K = 0), 100 ms each, looping, labelled
  with its epoch.

Missing inputs are not errors, since rendering may run while training is still
writing the folder: the affected outputs are skipped and listed in the
returned list's ``skipped`` mapping. A present but malformed file raises
ValueError. This package imports nothing from rnnlab except ``rnnlab.atomic``,
and matplotlib only when drawing.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from rnnlab.atomic import atomic_write_bytes

__all__ = ["RenderResult", "render_run"]


class RenderResult(list[Path]):
    """The paths written, plus ``skipped``: output file name -> why it was not written."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: dict[str, str] = {}


def _title(run_dir: Path) -> str:
    """The recipe's name from config.toml's [run] table; the folder name otherwise."""
    try:
        name = tomllib.loads((run_dir / "config.toml").read_text(encoding="utf-8")).get("run", {}).get("name")
    except (OSError, ValueError, AttributeError):
        name = None
    return name if isinstance(name, str) and name else run_dir.name


def render_run(run_dir: Path, *, gif: bool = True) -> RenderResult:
    """Write loss.png, predictions.png and (if ``gif``) training.gif into ``run_dir``.

    Returns the paths written; outputs whose inputs are missing are listed in
    ``result.skipped`` instead.
    """
    from rnnlab.viz.loss_plot import read_metrics, render_loss_png
    from rnnlab.viz.prediction_plot import PredictionFigure, load_predictions

    run_dir = Path(run_dir)
    title = _title(run_dir)
    result = RenderResult()

    metrics = run_dir / "metrics.csv"
    curve = read_metrics(metrics) if metrics.is_file() else None
    if curve is None:
        result.skipped["loss.png"] = "no metrics.csv"
    elif len(curve) == 0:
        result.skipped["loss.png"] = "metrics.csv has no rows yet"
    else:
        atomic_write_bytes(run_dir / "loss.png", render_loss_png(curve, title))
        result.append(run_dir / "loss.png")

    npz = run_dir / "predictions.npz"
    if not npz.is_file():
        result.skipped["predictions.png"] = "no predictions.npz"
        if gif:
            result.skipped["training.gif"] = "no predictions.npz"
        return result
    preds = load_predictions(npz)
    figure = PredictionFigure(preds, title)
    atomic_write_bytes(run_dir / "predictions.png", figure.png(preds.final, "after training"))
    result.append(run_dir / "predictions.png")
    if gif:
        from rnnlab.viz.gif import encode_gif

        if len(preds.snapshots):
            snapshots, labels = preds.snapshots, [f"epoch {e}" for e in preds.epochs]
        else:
            snapshots, labels = preds.final[None], ["after training"]
        data = encode_gif(figure.frames(snapshots, labels), figure.colors)
        atomic_write_bytes(run_dir / "training.gif", data)
        result.append(run_dir / "training.gif")
    return result
