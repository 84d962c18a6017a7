"""The reports in a real browser (headless Chromium): no console errors, every panel drawn
(in the DOM and in the pixels of a screenshot), the sliders redraw what they drive, a live
page follows its run, and a long run's page opens quickly.

Skipped only where Chromium is absent; CI installs Debian's package and sets
RNNLAB_REQUIRE_CHROMIUM, which turns the skip into a failure."""

from __future__ import annotations

import io
import os
import shutil
import time

import numpy as np
import pytest
from PIL import Image

from tools.chromium import Browser, chromium_path
from rnnlab.report import write_comparison, write_report
from rnnlab.report.build import folder_data
from rnnlab.report.live_file import write_live

BACKGROUND = {(255, 255, 255), (244, 244, 242)}


@pytest.fixture(scope="module")
def browser():
    binary = chromium_path()
    if binary is None:
        if os.environ.get("RNNLAB_REQUIRE_CHROMIUM"):
            pytest.fail("RNNLAB_REQUIRE_CHROMIUM is set but no Chromium was found")
        pytest.skip("no Chromium here (apt-get install chromium)")
    with Browser(binary) as b:
        yield b


def panels(browser) -> list[dict]:
    return browser.evaluate("""[...document.querySelectorAll('[data-panel]')].map(p => {
        const r = p.getBoundingClientRect();
        return {name: p.dataset.panel, rendered: p.dataset.rendered === 'true',
                charts: p.querySelectorAll('svg.chart, canvas.chart').length,
                x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height};
    })""")


def check_page(browser, path, expected: set[str]) -> Image.Image:
    """Open `path`: no errors, the expected panels rendered, and each chart panel's pixels
    hold drawing (many pixels off the background, in more than grey)."""
    browser.errors.clear()
    browser.open(path)
    found = panels(browser)
    names = {p["name"] for p in found}
    assert expected <= names, f"missing panels: {expected - names}"
    assert all(p["rendered"] for p in found), [p["name"] for p in found if not p["rendered"]]
    shot = Image.open(io.BytesIO(browser.screenshot())).convert("RGB")
    for p in found:
        if not p["charts"]:
            continue
        box = shot.crop((int(p["x"]), int(p["y"]), int(p["x"] + p["w"]), int(p["y"] + p["h"])))
        pixels = np.asarray(box).reshape(-1, 3)
        drawn = ~np.isin(pixels.view([("", np.uint8)] * 3).ravel(), np.array(list(BACKGROUND), dtype=np.uint8).view([("", np.uint8)] * 3).ravel())
        coloured = np.ptp(pixels.astype(int), axis=1) > 40  # not a grey
        assert drawn.mean() > 0.03, f"panel {p['name']}: almost nothing drawn ({drawn.mean():.3f})"
        assert coloured.sum() > 150, f"panel {p['name']}: no coloured marks"
    assert browser.errors == [], browser.errors
    return shot


RUN_PANELS = {"loss", "predictions", "config", "summary"}
INSIDE = {"inspection-controls", "hidden", "projection", "grad-norm", "grad-map", "w-hh", "eigenvalues", "spectral-radius"}


@pytest.mark.parametrize("kind", ["windows", "next_step"])
def test_a_run_report_draws_every_panel(browser, folders, kind):
    path = write_report(folders[kind])
    check_page(browser, path, RUN_PANELS | INSIDE)


def test_without_inspection_the_inside_views_are_left_out(browser, folders):
    path = write_report(folders["plain"])
    check_page(browser, path, RUN_PANELS)
    assert not {p["name"] for p in panels(browser)} & INSIDE


def drag(browser, role: str, index: int) -> None:
    browser.evaluate(f"""(() => {{ const s = document.querySelector('[data-role="{role}"]');
        s.value = {index}; s.dispatchEvent(new Event('input')); }})()""")


def drawn(browser, role: str) -> str:
    return browser.evaluate(f"""[...document.querySelector('[data-role="{role}"]').querySelectorAll('path, circle')]
        .map(e => e.getAttribute('d') || (e.getAttribute('cx') + ',' + e.getAttribute('cy'))).join('|')""")


def crop(browser, role: str) -> bytes:
    r = browser.evaluate(f"""(() => {{ const b = document.querySelector('[data-role="{role}"]').getBoundingClientRect();
        return [b.left + scrollX, b.top + scrollY, b.right + scrollX, b.bottom + scrollY]; }})()""")
    return Image.open(io.BytesIO(browser.screenshot())).convert("RGB").crop(tuple(int(v) for v in r)).tobytes()


@pytest.mark.parametrize("kind", ["windows", "next_step"])
def test_the_slider_changes_the_drawn_prediction(browser, folders, kind):
    browser.open(write_report(folders[kind]))
    last, pixels_last = drawn(browser, "prediction-chart"), crop(browser, "prediction-chart")
    drag(browser, "prediction-slider", 0)
    assert drawn(browser, "prediction-chart") != last
    assert crop(browser, "prediction-chart") != pixels_last
    label = browser.evaluate("document.querySelector('[data-role=\"prediction-slider\"]').nextSibling.textContent")
    assert label == "epoch 0"
    before = drawn(browser, "projection-chart")
    drag(browser, "inspection-slider", 0)
    assert drawn(browser, "projection-chart") != before
    assert browser.errors == []


def test_an_ensemble_sweep_report_names_the_best_value(browser, folders):
    path = write_report(folders["sweep"])
    check_page(browser, path, {"ensemble-loss", "members", "config", "summary"})
    text = browser.evaluate("document.querySelector('[data-panel=members] .help').textContent")
    best = folder_data(folders["sweep"])["ensemble"]["best_value"]
    assert f"Best optim.lr: {best}" in text


def test_a_forecast_report_draws_every_panel(browser, folders):
    path = write_report(folders["forecast"])
    check_page(browser, path, {"forecast-metrics", "forecast-series", "forecast-origins", "forecast-steps",
                               "forecast-training", "config", "summary"})


def test_the_comparison_page(browser, folders, tmp_path):
    path = write_comparison([folders["windows"], folders["plain"], folders["sweep"]], tmp_path / "compare.html")
    check_page(browser, path, {"compare-loss", "compare-metrics", "compare-config", "ensemble-loss", "members"})
    rows = browser.evaluate("document.querySelectorAll('[data-panel=compare-config] tbody tr').length")
    assert rows > 0


def test_a_live_page_follows_its_run(browser, folders, tmp_path):
    run_dir = tmp_path / "live"
    shutil.copytree(folders["windows"], run_dir)
    (run_dir / "summary.json").unlink()  # as if still training
    data = folder_data(run_dir)
    data["progress"] = {"epoch": 100, "epochs": 400}
    write_live(run_dir, data)
    write_report(run_dir, live=True)
    browser.open(run_dir / "report.html")
    data["progress"] = {"epoch": 300, "epochs": 400}
    write_live(run_dir, data)
    browser.wait_for("document.body.dataset.liveEpoch === '300'", timeout=10)
    assert "epoch 300 of 400" in browser.evaluate("document.querySelector('header .meta').textContent")
    shutil.copy(folders["windows"] / "summary.json", run_dir / "summary.json")
    write_report(run_dir)  # the run completes: final page, and live.js says so
    browser.wait_for("document.querySelector('header .meta').textContent.includes('complete')", timeout=10)
    assert browser.errors == []


def test_a_20000_epoch_run_opens_in_well_under_a_second(browser, folders, tmp_path):
    run_dir = tmp_path / "long"
    shutil.copytree(folders["windows"], run_dir)
    epochs = np.arange(20000)
    loss = 0.5 * np.exp(-epochs / 4000) + 0.01 * np.abs(np.sin(epochs / 7))
    (run_dir / "metrics.csv").write_text("epoch,step,loss,test_loss\n" + "".join(
        f"{e},{e},{v!r},{1.1 * v!r}\n" for e, v in zip(epochs, loss)))
    path = write_report(run_dir)
    assert path.stat().st_size < 1_500_000
    browser.open(path)
    started = time.monotonic()
    seconds = browser.open(path)
    assert seconds < 0.8, f"{seconds:.2f} s to open and draw"
    assert time.monotonic() - started < 2
