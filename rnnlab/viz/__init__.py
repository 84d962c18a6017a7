"""Plots of a run folder, drawn from its files alone.

``render_run(run_dir)`` reads the folder and writes, each atomically:

- ``loss.png`` from ``metrics.csv``: a header, then one row per log point with
  at least the columns ``epoch`` (int), ``step`` (int), ``loss`` (float) and
  ``test_loss`` (float, or an empty cell when undefined). The title is the
  ``name`` in the ``[run]`` table of ``config.toml`` when present, else the folder name.
  The training curve is every epoch's loss from ``history.npz`` when the folder has one
  (``epoch`` (K,) int, ``loss`` (K,) float; rnnlab.runs.history), else metrics.csv's.
- ``predictions.png`` and ``training.gif`` from ``predictions.npz`` (read with
  ``allow_pickle=False``). Its 0-d unicode array ``kind`` selects the layout:

  * ``"next_step"`` (the Elman sine tutorial): ``time`` (L+1,) and ``actual``
    (L+1,) hold the whole series; ``epochs`` (K,) int are the log points;
    ``snapshots`` (K, L) the predictions of ``actual[1:]`` at each log point;
    ``final`` (L,) the predictions after training.
  * ``"windows"`` (the primer): ``truth`` (N, O) the N test windows' targets;
    ``grid_step`` 0-d float, the grid spacing; ``epochs`` (K,) int;
    ``snapshots`` (K, N, O); ``final`` (N, O).

  predictions.png shows ``final``; training.gif has one frame per snapshot, then
  one of ``final`` ("after training") unless the last snapshot equals it, 100 ms
  each, labelled with its epoch, played once (no looping extension: it stops on
  the trained result, as the primer's GIF does).

Missing inputs are not errors, since rendering may run while training is still
writing the folder: the affected outputs are skipped and listed in the
returned list's ``skipped`` mapping. A present but malformed file raises
ValueError. This package imports nothing from rnnlab except ``rnnlab.runs.atomic``,
and matplotlib only when drawing.

``render_run`` draws in the calling process; ``rnnlab.viz.background`` draws the
same bytes in a worker process that imports matplotlib while a run trains.
"""

from __future__ import annotations

from pathlib import Path

from rnnlab.viz.drawing import RenderResult, draw_share, join

__all__ = ["RenderResult", "render_run"]


def render_run(run_dir: Path, *, gif: bool = True) -> RenderResult:
    """Write loss.png, predictions.png and (if ``gif``) training.gif into ``run_dir``.

    Returns the paths written; outputs whose inputs are missing are listed in
    ``result.skipped`` instead. Everything is drawn before anything is written.
    """
    run_dir = Path(run_dir)
    return join([draw_share(run_dir, gif=gif)]).write(run_dir)
