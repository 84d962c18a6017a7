"""One self-contained HTML file: the stylesheet and the scripts of assets/ inlined, the
data embedded as JSON. Nothing is fetched when it opens (no server, no network); a live
page only reloads the live.js beside it."""

from __future__ import annotations

import html
import json
import time
from importlib import resources
from typing import Any

SCRIPTS = ("charts.js", "panels.js", "page.js")


def _asset(name: str) -> str:
    return resources.files("rnnlab.report").joinpath("assets", name).read_text(encoding="utf-8")


def embed_json(data: Any) -> str:
    """JSON safe inside a <script> element: '</' cannot close it, and no NaN (not JSON)."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


def render_page(title: str, data: dict[str, Any]) -> str:
    """The page for `data` (a run's or a comparison's, with "page" saying which)."""
    from rnnlab.runs.summary import versions

    data = {**data, "generated": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "version": versions().get("rnnlab", "")}
    scripts = "\n".join(_asset(name) for name in SCRIPTS)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{_asset('report.css')}</style>\n</head>\n<body>\n"
        "<main id=\"report\"></main>\n"
        f"<script type=\"application/json\" id=\"rnnlab-data\">{embed_json(data)}</script>\n"
        f"<script>\n{scripts}</script>\n</body>\n</html>\n"
    )
