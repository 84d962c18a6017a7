"""Drawing in shares and in the background worker gives the files drawing at once gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from test_viz import OUTPUTS, make_next_step_run, make_windows_run

from rnnlab.viz import background, render_run
from rnnlab.viz.background import BackgroundRenderer, DrawingFailed
from rnnlab.viz.drawing import draw_share, frame_bounds, join


def _copy_inputs(run: Path, to: Path) -> Path:
    to.mkdir(parents=True)
    for path in run.iterdir():
        shutil.copy(path, to / path.name)
    return to


def _outputs(run: Path) -> dict[str, bytes]:
    return {name: (run / name).read_bytes() for name in OUTPUTS if (run / name).exists()}


@pytest.mark.parametrize("count,shares", [(200, 2), (20, 2), (1, 2), (7, 3), (0, 2)])
def test_frame_bounds_cover_every_frame_once_in_order(count: int, shares: int) -> None:
    bounds = frame_bounds(count, shares)
    assert len(bounds) == shares + 1 and bounds[0] == 0 and bounds[-1] == count
    assert bounds == sorted(bounds)


@pytest.mark.parametrize("k", [0, 1, 7, 150])
@pytest.mark.parametrize("shares", [2, 3])
def test_shares_join_into_the_drawing_made_at_once(tmp_path: Path, k: int, shares: int) -> None:
    run = make_windows_run(tmp_path / "run", k=k)
    whole = join([draw_share(run)])
    parts = join([draw_share(run, i, shares) for i in range(shares)])
    assert list(parts.files) == list(whole.files) == list(OUTPUTS if k else OUTPUTS[1:])  # k = 0: no loss rows
    assert parts.files == whole.files and parts.skipped == whole.skipped


@pytest.mark.parametrize("helper", [True, False], ids=["with-helper", "alone"])
@pytest.mark.parametrize("make_run", [make_windows_run, make_next_step_run])
def test_the_worker_writes_what_render_run_writes(tmp_path: Path, make_run, helper: bool) -> None:
    serial = make_run(tmp_path / "a" / "run")  # the same name: it is the title without a config.toml
    background = _copy_inputs(serial, tmp_path / "b" / "run")
    expected = render_run(serial)
    with BackgroundRenderer(helper=helper) as renderer:
        written = renderer.render(background)
    assert [p.name for p in written] == [p.name for p in expected] == list(OUTPUTS)
    assert _outputs(background) == _outputs(serial)
    assert not [p.name for p in background.iterdir() if p.name.startswith(".")]


def test_missing_inputs_are_skipped_as_render_run_skips_them(tmp_path: Path) -> None:
    run = make_next_step_run(tmp_path / "run")
    (run / "predictions.npz").unlink()
    with BackgroundRenderer() as renderer:
        written = renderer.render(run)
    assert [p.name for p in written] == ["loss.png"]
    assert set(written.skipped) == {"predictions.png", "training.gif"}


@pytest.mark.parametrize("helper", [True, False], ids=["with-helper", "alone"])
def test_a_drawing_error_comes_back_as_one_line_and_the_worker_ends(tmp_path: Path, helper: bool) -> None:
    run = make_windows_run(tmp_path / "run")
    np.savez(run / "predictions.npz", kind=np.array("spiral"))
    renderer = BackgroundRenderer(helper=helper)
    with renderer, pytest.raises(DrawingFailed) as caught:
        renderer.render(run)
    assert str(caught.value).startswith("ValueError: ") and "unknown kind 'spiral'" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert renderer.process is not None and renderer.process.returncode is not None
    assert not list(run.glob("*.png")) and not (run / "training.gif").exists()


def test_leaving_without_a_request_stops_the_worker() -> None:
    renderer = BackgroundRenderer()
    with renderer:
        assert renderer.process is not None and renderer.process.poll() is None
    assert renderer.process.returncode is not None


def test_without_a_process_the_plots_are_drawn_here(tmp_path: Path, monkeypatch) -> None:
    def no_process(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(background.subprocess, "Popen", no_process)
    serial = make_windows_run(tmp_path / "a" / "run")
    here = _copy_inputs(serial, tmp_path / "b" / "run")
    render_run(serial)
    with BackgroundRenderer() as renderer:
        assert renderer.process is None
        renderer.render(here)
    assert _outputs(here) == _outputs(serial) and len(_outputs(here)) == len(OUTPUTS)
