"""rnnlab.viz and rnnlab.runs.atomic: render synthetic run folders and check the files."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rnnlab.runs.atomic import atomic_path, atomic_write_bytes
from rnnlab.viz import render_run
from rnnlab.viz.gif import Quantiser, build_palette, rgbx
from rnnlab.viz.loss_plot import log_scale, read_metrics
from rnnlab.viz.prediction_plot import PredictionFigure, load_predictions

PREDICTION, TRUTH, GREY, WHITE = (213, 94, 0), (0, 114, 178), (153, 153, 153), (255, 255, 255)
OUTPUTS = ("loss.png", "predictions.png", "training.gif")


def write_metrics(run: Path, loss: list[float], test: list[str] | None = None) -> None:
    with open(run / "metrics.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["epoch", "step", "loss", "test_loss"])
        for i, value in enumerate(loss):
            w.writerow([i, 10 * i, value, "" if test is None else test[i]])


def make_windows_run(run: Path, k: int = 7, final: np.ndarray | None = None) -> Path:
    run.mkdir(parents=True, exist_ok=True)
    n, o, dx = 4, 8, 0.09
    truth = np.sin(dx * np.arange(o)[None, :] + np.arange(n)[:, None])
    w = np.exp(-np.arange(k) / 2.0)[:, None, None]
    snapshots = w * np.cos(np.arange(o))[None, None, :] * 0.5 + (1 - w) * truth
    np.savez(
        run / "predictions.npz", kind=np.array("windows"), truth=truth,
        grid_step=np.array(dx), epochs=np.arange(k) * 100, snapshots=snapshots,
        final=truth + 0.05 if final is None else final,
    )
    write_metrics(run, [0.5 / (i + 1) for i in range(k)], [f"{0.6 / (i + 1)}" for i in range(k)])
    (run / "config.toml").write_text('[run]\nname = "primer-torch"\n')
    return run


def make_next_step_run(run: Path, k: int = 5) -> Path:
    run.mkdir(parents=True, exist_ok=True)
    time = np.linspace(2, 10, 21)
    actual = np.sin(time)
    snapshots = actual[1:][None, :] + 0.5 * np.exp(-np.arange(k))[:, None]
    np.savez(
        run / "predictions.npz", kind=np.array("next_step"), time=time, actual=actual,
        epochs=np.arange(k), snapshots=snapshots, final=actual[1:] + 0.01,
    )
    write_metrics(run, [1.0, 0.5, 0.2])
    return run


def gif_structure(data: bytes) -> tuple[bool, int, int]:
    """(has global colour table, image count, local colour table count), by walking the blocks."""
    assert data[:6] in (b"GIF87a", b"GIF89a")

    def skip_sub_blocks(pos: int) -> int:
        while data[pos]:
            pos += data[pos] + 1
        return pos + 1

    flags, pos = data[10], 13
    has_global = bool(flags & 0x80)
    if has_global:
        pos += 3 * 2 ** ((flags & 7) + 1)
    images = local_tables = 0
    while data[pos] != 0x3B:
        if data[pos] == 0x21:  # extension
            pos = skip_sub_blocks(pos + 2)
        else:
            assert data[pos] == 0x2C, f"unexpected block 0x{data[pos]:02x}"
            packed = data[pos + 9]
            pos += 10
            images += 1
            if packed & 0x80:
                local_tables += 1
                pos += 3 * 2 ** ((packed & 7) + 1)
            pos = skip_sub_blocks(pos + 1)  # LZW minimum code size, then data
    return has_global, images, local_tables


def gif_frames(path: Path) -> list[Image.Image]:
    with Image.open(path) as im:
        frames = []
        for i in range(im.n_frames):
            im.seek(i)
            frames.append(im.convert("RGB"))
    return frames


def colours(image: Image.Image) -> set[tuple[int, int, int]]:
    return {c for _, c in image.getcolors(maxcolors=1 << 16)}


def test_windows_run_writes_valid_files(tmp_path: Path) -> None:
    run = make_windows_run(tmp_path / "run", k=7)
    written = render_run(run)
    assert [p.name for p in written] == list(OUTPUTS)
    assert written.skipped == {}
    for name, fmt in zip(OUTPUTS, ("PNG", "PNG", "GIF")):
        with Image.open(run / name) as im:
            assert im.format == fmt
            im.verify()
    assert not [p.name for p in run.iterdir() if p.name.startswith(".")]


def test_gif_has_one_frame_per_snapshot_then_the_final_one_and_plays_once(tmp_path: Path) -> None:
    """The primer's GIF plays once and ends on a frame drawn after training."""
    run = make_windows_run(tmp_path / "run", k=7)
    render_run(run)
    has_global, images, local_tables = gif_structure((run / "training.gif").read_bytes())
    assert (has_global, images, local_tables) == (True, 8, 0)
    frames = gif_frames(run / "training.gif")
    assert len(frames) == 8
    for frame in (frames[0], frames[-1]):
        assert {PREDICTION, TRUTH} <= colours(frame)
        assert frame.getpixel((0, frame.height - 1)) == WHITE  # background not tinted
    assert frames[0].tobytes() != frames[-1].tobytes()
    with Image.open(run / "training.gif") as im:
        assert "loop" not in im.info  # no looping extension: played once
        assert im.info["duration"] == 100
    palette = build_palette([(0, 0, 0), PREDICTION, TRUTH, GREY])
    with Image.open(run / "predictions.png") as im:  # the last frame is the final predictions
        full = np.array(palette, dtype=np.uint8)[Quantiser(palette)(rgbx(im.convert("RGB")))]
    assert np.array_equal(full[30:], np.asarray(frames[-1])[30:])
    assert not np.array_equal(full[30:], np.asarray(frames[-2])[30:])


def test_last_gif_frame_decodes_to_the_rendered_image(tmp_path: Path) -> None:
    """After 6 delta frames, the GIF shows exactly predictions.png of the same data.

    (Each pixel mapped to its nearest colour in the GIF's palette; only the label
    strip at the top differs, "epoch 600" vs "after training".)
    """
    run = make_windows_run(tmp_path / "probe", k=7)
    with np.load(run / "predictions.npz") as z:
        last = z["snapshots"][-1]
    make_windows_run(run, k=7, final=last)
    render_run(run)
    palette = build_palette([(0, 0, 0), PREDICTION, TRUTH, GREY])
    with Image.open(run / "predictions.png") as im:
        full = Quantiser(palette)(rgbx(im.convert("RGB")))
    full_rgb = np.array(palette, dtype=np.uint8)[full]
    frames = gif_frames(run / "training.gif")
    assert len(frames) == 7  # the last snapshot is the final predictions: no extra frame
    frame = np.asarray(frames[-1])
    below_label = slice(30, None)
    assert np.array_equal(full_rgb[below_label], frame[below_label])


def test_quantiser_picks_the_nearest_palette_colour_every_time() -> None:
    palette = build_palette([(0, 0, 0), PREDICTION, TRUTH, GREY])
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(2000, 3))
    pixels = (rgb[:, 0] | rgb[:, 1] << 8 | rgb[:, 2] << 16 | 255 << 24).astype("<u4")
    quantise = Quantiser(palette)
    nearest = ((rgb[:, None, :] - np.array(palette)[None]) ** 2).sum(axis=2).argmin(axis=1)
    assert np.array_equal(quantise(pixels), nearest)
    assert np.array_equal(quantise(pixels[::-1]), nearest[::-1])  # answers remembered stay right


@pytest.mark.parametrize("make_run", [make_windows_run, make_next_step_run])
def test_blitting_matches_a_full_draw(tmp_path: Path, make_run: Callable[[Path], Path]) -> None:
    figure = PredictionFigure(load_predictions(make_run(tmp_path / "run") / "predictions.npz"), "t")
    for values in figure.preds.snapshots[:2]:
        blitted = np.asarray(figure.render(values, ""))
    for artist in figure.fig.findobj():
        artist.set_animated(False)
    figure.canvas.draw()
    full = np.asarray(figure.canvas.buffer_rgba())[..., :3]
    assert np.array_equal(blitted, full)


def test_next_step_run(tmp_path: Path) -> None:
    run = make_next_step_run(tmp_path / "elman", k=5)
    written = render_run(run)
    assert [p.name for p in written] == list(OUTPUTS)
    has_global, images, local_tables = gif_structure((run / "training.gif").read_bytes())
    assert (has_global, images, local_tables) == (True, 6, 0)  # 5 snapshots and the final predictions
    c0, c1 = (31, 119, 180), (255, 127, 14)
    for frame in gif_frames(run / "training.gif"):
        assert {c0, c1} <= colours(frame)


def test_predictions_png_shows_final(tmp_path: Path) -> None:
    truth_like = make_windows_run(tmp_path / "a")
    far_off = make_windows_run(tmp_path / "b", final=np.zeros((4, 8)))
    render_run(truth_like, gif=False)
    render_run(far_off, gif=False)
    with Image.open(truth_like / "predictions.png") as a, Image.open(far_off / "predictions.png") as b:
        assert a.size == b.size
        assert a.tobytes() != b.tobytes()
    assert not (truth_like / "training.gif").exists()


@pytest.mark.parametrize("k", [0, 1])
def test_zero_or_one_snapshot_gives_them_and_the_final_frame(tmp_path: Path, k: int) -> None:
    run = make_windows_run(tmp_path / "run", k=k)
    render_run(run)
    assert gif_structure((run / "training.gif").read_bytes()) == (True, k + 1, 0)


def test_identical_snapshots_still_give_k_frames(tmp_path: Path) -> None:
    """Pillow's save() would merge identical frames; the GIF must keep one per snapshot (then the final one)."""
    run = make_next_step_run(tmp_path / "run", k=4)
    with np.load(run / "predictions.npz") as z:
        arrays = dict(z)
    arrays["epochs"] = np.zeros(4, dtype=int)
    arrays["snapshots"] = np.repeat(arrays["snapshots"][:1], 4, axis=0)
    np.savez(run / "predictions.npz", **arrays)
    render_run(run)
    with Image.open(run / "training.gif") as im:
        assert im.n_frames == 5


def test_missing_predictions_is_skipped_not_fatal(tmp_path: Path) -> None:
    run = make_next_step_run(tmp_path / "run")
    (run / "predictions.npz").unlink()
    written = render_run(run)
    assert [p.name for p in written] == ["loss.png"]
    assert set(written.skipped) == {"predictions.png", "training.gif"}
    assert not (run / "predictions.png").exists()


def test_empty_folder_and_header_only_metrics(tmp_path: Path) -> None:
    assert render_run(tmp_path) == []
    (tmp_path / "metrics.csv").write_text("epoch,step,loss,test_loss\n")
    written = render_run(tmp_path)
    assert written == [] and "loss.png" in written.skipped


def test_nan_loss_and_bad_config_still_render(tmp_path: Path) -> None:
    run = make_next_step_run(tmp_path / "run")
    write_metrics(run, [1.0, float("nan"), float("inf")], ["", "0.5", ""])
    (run / "config.toml").write_text("[run\nnot toml")
    assert log_scale(read_metrics(run / "metrics.csv")) is False
    written = render_run(run, gif=False)
    assert [p.name for p in written] == ["loss.png", "predictions.png"]
    with Image.open(run / "loss.png") as im:
        im.verify()


def test_log_scale_ignores_undefined_test_loss(tmp_path: Path) -> None:
    write_metrics(tmp_path, [1.0, 0.1], ["", "0.2"])
    curve = read_metrics(tmp_path / "metrics.csv")
    assert np.isnan(curve.test_loss[0]) and curve.test_loss[1] == 0.2
    assert log_scale(curve) is True
    write_metrics(tmp_path, [1.0, 0.0])
    assert log_scale(read_metrics(tmp_path / "metrics.csv")) is False


def test_malformed_predictions_raise(tmp_path: Path) -> None:
    run = make_windows_run(tmp_path / "run")
    np.savez(run / "predictions.npz", kind=np.array("windows"), truth=np.zeros((4, 8)),
             grid_step=np.array(0.1), epochs=np.arange(3), snapshots=np.zeros((3, 4, 7)),
             final=np.zeros((4, 8)))
    with pytest.raises(ValueError, match="truth shape"):
        render_run(run)
    np.savez(run / "predictions.npz", kind=np.array("spiral"))
    with pytest.raises(ValueError, match="unknown kind"):
        render_run(run)


def test_atomic_path_keeps_old_file_when_body_raises(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.parent == target.parent and tmp != target
            tmp.write_bytes(b"half-written")
            raise RuntimeError("writer failed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_atomic_write_replaces(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def _write_sweep_folder(run: Path, values: list[str]) -> Path:
    run.mkdir(parents=True, exist_ok=True)
    with open(run / "members.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["member", "seed", "optim.lr", "final_loss", "test_rmse", "diverged_epoch"])
        for i, v in enumerate(values):
            w.writerow([i, 1, v, 0.1, 0.1 + 0.01 * i, ""])
    with open(run / "metrics.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["member", "epoch", "step", "loss", "test_loss"])
        for i in range(len(values)):
            for e in range(3):
                w.writerow([i, e, e, 1.0 / (e + 1 + i), ""])
    return run


@pytest.mark.parametrize("count", [3, 10])
def test_ensemble_tick_labels_never_overlap(tmp_path: Path, count: int) -> None:
    from rnnlab.viz.ensemble_plot import ensemble_figure, render_ensemble

    values = ["0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.3", "0.5"][:count]
    run = _write_sweep_folder(tmp_path / "sweep", values)
    canvas = ensemble_figure(run)
    canvas.draw()
    renderer = canvas.get_renderer()
    axes = canvas.figure.axes[1]
    boxes = [t.get_window_extent(renderer) for t in axes.get_xticklabels()]
    assert [t.get_text() for t in axes.get_xticklabels()] == values
    for a, b in zip(boxes, boxes[1:]):
        assert a.x1 <= b.x0 or not a.overlaps(b), "neighbouring tick labels overprint"
    figure_box = canvas.figure.bbox
    assert all(box.y0 >= figure_box.y0 for box in boxes)  # none cut off at the bottom
    with Image.open(render_ensemble(run)) as im:
        im.verify()


def test_forecast_gif_frames_keep_the_title_clear_and_play_once(tmp_path: Path) -> None:
    from rnnlab.viz.forecast_plot import render_forecast

    n, h = 120, 5
    x = np.arange(n, dtype=float)
    values = 10 + np.sin(x / 4)
    origins = np.arange(90, 110, 4)
    future = values[origins[:, None] + np.arange(1, h + 1)]
    np.savez(tmp_path / "forecast.npz", title=np.array("a series: value, 5-step forecasts"), x=x,
             is_date=np.array(False), values=values, missing=np.zeros(n, bool), train_end=np.array(70),
             val_end=np.array(90), origins=origins, model=future + 0.1, naive=future + 0.5,
             seasonal_naive=future + 0.4, mean=future * 0 + 10, mase=np.array([0.5, 2.0, 1.5, 3.0]),
             season=np.array(4), epochs=np.array([0, 10, 20]), snapshots=np.stack([future * 0 + 9, future - 1, future]))
    render_forecast(tmp_path)
    with Image.open(tmp_path / "training.gif") as im:
        assert im.n_frames == 4 and "loop" not in im.info
        frames = []
        for i in range(im.n_frames):
            im.seek(i)
            frames.append(np.asarray(im.convert("RGB")))
    title_rows = slice(0, 16)  # the figure's title: the same in every frame, nothing written over it
    assert all(np.array_equal(frames[0][title_rows], f[title_rows]) for f in frames[1:])
    assert not np.array_equal(frames[0], frames[-1])
