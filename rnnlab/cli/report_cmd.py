"""`rnnlab report RUN [RUN ...]`: the HTML report of a run folder, or one page comparing several."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="write report.html: a run folder's curves, predictions and inside views; or compare runs",
        description="Write report.html into a run folder from its files alone (one self-contained file: it "
                    "opens offline, without a server). Given several folders, write one page comparing them.",
        epilog="examples:\n  rnnlab report runs/x\n  rnnlab report runs/x --open\n"
               "  rnnlab report runs/x --live          # while it trains: the page refreshes itself\n"
               "  rnnlab report runs/a runs/b runs/c   # writes runs/compare.html",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+", metavar="RUN", help="a run folder (several: compare them)")
    p.add_argument("--out", metavar="FILE", help="where to write the comparison page (default: compare.html "
                   "beside the first folder)")
    p.add_argument("--open", action="store_true", help="open the page in a web browser, where one exists")
    p.add_argument("--live", action="store_true", help="for a run still training: write a page that refreshes "
                   "itself, then keep it current until the run completes (Ctrl-C stops watching)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from rnnlab.errors import UserError
    from rnnlab.report import write_comparison, write_report
    from rnnlab.report.reading import check_run_folder

    folders = [Path(r) for r in args.runs]
    for folder in folders:
        check_run_folder(folder)
    if len(folders) > 1:
        if args.live:
            raise UserError("--live follows one run folder; give one, or compare finished runs without --live")
        out = Path(args.out) if args.out else folders[0].parent / "compare.html"
        path = _readable(lambda: write_comparison(folders, out))
    else:
        if args.out:
            raise UserError("--out is for comparisons; a run's report is always RUN/report.html")
        path = _readable(lambda: write_report(folders[0], live=args.live))
        if args.live and not (folders[0] / "summary.json").is_file():
            return _follow(folders[0], path, args.open)
    print(path)
    if args.open:
        _open(path)
    return 0


def _readable(work: Callable[[], Path]) -> Path:
    """Run `work`, turning a malformed file into the one-line error of a damaged folder."""
    from rnnlab.errors import UserError

    try:
        return work()
    except (ValueError, KeyError) as err:
        raise UserError(f"a file of the run folder cannot be read ({err}); it is damaged or from another "
                        "rnnlab version") from err


def _follow(run_dir: Path, page: Path, open_it: bool) -> int:
    from rnnlab.report.live import watch

    print(f"{page} (live: refreshes while the run trains; Ctrl-C stops watching)", flush=True)
    if open_it:
        _open(page)
    try:
        final = watch(run_dir)
    except KeyboardInterrupt:
        print("stopped watching; rnnlab report rebuilds the page at any time", file=sys.stderr)
        return 0
    print(f"{final} (the run is complete)")
    return 0


def _open(path: Path) -> None:
    import webbrowser

    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        print("no web browser found here; open the file above in one", file=sys.stderr)
        return
    browser.open(path.resolve().as_uri())
