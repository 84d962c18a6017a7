"""docs/img/report.png: the inside views of a report, drawn by headless Chromium.

    python -m tools.report_screenshot [--out docs/img/report.png] [--epochs 4000]

Trains sine-recurrent with optim.lr=0.1 (where the README says full-batch descent starts
to oscillate at the edge of stability), writes its inspection.npz (tools.inspect_run)
and its report, then photographs the report's "Inside the network" section.
"""

from __future__ import annotations

import argparse
import io
import tempfile
from pathlib import Path

from PIL import Image

from rnnlab.cli import main as rnnlab
from rnnlab.report import write_report
from tools.chromium import Browser, chromium_path
from tools.inspect_run import record_inspection


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/img/report.png")
    parser.add_argument("--epochs", type=int, default=4000)
    args = parser.parse_args()
    binary = chromium_path()
    if binary is None:
        raise SystemExit("no Chromium here: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "sine-recurrent-lr0.1"
        code = rnnlab(["run", "sine-recurrent", "--epochs", str(args.epochs), "--set", "optim.lr=0.1",
                       "--no-plots", "--quiet", "--out", str(run_dir)])
        if code != 0:
            raise SystemExit(code)
        if not (run_dir / "inspection.npz").exists():
            record_inspection(run_dir)
        page = write_report(run_dir)
        with Browser(binary, width=1200) as browser:
            browser.open(page)
            if browser.errors:
                raise SystemExit(f"the page reported errors: {browser.errors}")
            top, bottom = browser.evaluate("""(() => {
                const first = document.querySelector('[data-panel=inspection-controls]').getBoundingClientRect();
                const last = document.querySelector('[data-panel=spectral-radius]').getBoundingClientRect();
                return [first.top + scrollY - 8, last.bottom + scrollY + 8]; })()""")
            shot = Image.open(io.BytesIO(browser.screenshot())).convert("RGB")
    shot = shot.crop((0, int(top), shot.width, int(bottom)))
    shot = shot.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    shot.save(args.out, optimize=True)
    print(f"{args.out}: {shot.width}x{shot.height}")


if __name__ == "__main__":
    main()
