"""Marked blocks of generated text in README.md and docs/*.md, and their figures.

A block is everything between `<!-- numbers:NAME -->` and `<!-- /numbers:NAME -->` on lines
of their own; `python -m benchmarks.docs_numbers` rewrites the inside and leaves the text
around it alone, so people editing the prose do not conflict with it.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
_BLOCK = re.compile(r"<!-- numbers:(?P<name>[\w-]+) -->\n(?P<body>.*?)<!-- /numbers:(?P=name) -->\n", re.S)
# a figure: an optional sign, digits with thousands commas or a decimal part, an exponent
_FIGURE = re.compile(r"(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])", re.I)


def find_blocks() -> dict[str, tuple[Path, str]]:
    """Every block in the docs: name -> (file, body)."""
    found: dict[str, tuple[Path, str]] = {}
    for path in DOCS:
        for m in _BLOCK.finditer(path.read_text(encoding="utf-8")):
            if m["name"] in found:
                raise ValueError(f"block {m['name']} appears twice ({found[m['name']][0].name}, {path.name})")
            found[m["name"]] = (path, m["body"])
    return found


def write_block(path: Path, name: str, body: str) -> bool:
    """Replace block `name`'s body in `path`; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    body = body if body.endswith("\n") else body + "\n"
    new, count = _BLOCK.subn(lambda m: m.group(0) if m["name"] != name else
                             f"<!-- numbers:{name} -->\n{body}<!-- /numbers:{name} -->\n", text)
    if count == 0 or f"<!-- numbers:{name} -->" not in text:
        raise ValueError(f"{path.name} has no block {name}")
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def figures(text: str) -> list[float]:
    """The numbers in `text`, in order (thousands commas allowed)."""
    return [float(m.group(0).replace(",", "")) for m in _FIGURE.finditer(text)]


def wrap(paragraph: str, width: int = 90) -> str:
    """A paragraph of prose (figures marked or not) broken into lines of at most `width`
    visible characters, as the docs' hand-written text is."""
    lines: list[list[str]] = [[]]
    used = 0
    for word in paragraph.split():
        size = len(_MARK.sub(r"\2", word))
        if lines[-1] and used + 1 + size > width:
            lines.append([])
            used = 0
        used += size + (1 if len(lines[-1]) else 0)
        lines[-1].append(word)
    return "\n".join(" ".join(line) for line in lines)


def words(text: str) -> str:
    """`text` with every figure replaced by '#': what must match exactly."""
    return _FIGURE.sub("#", text)


# How a regenerated figure may differ from the committed one, by kind; each block's figures
# say which kind they are (fig()), figures of the surrounding template are "exact".
KINDS = {
    "exact": "exactly as printed",
    "digits": "to the last printed digit, +-1",
    "float32": "within 1e-5 relative (a float32 result: its last digits depend on the CPU's kernels)",
    "float64": "within 1e-10 relative (a float64 result: its last digits depend on the CPU's kernels)",
    "rounding": "within a factor of 10 (a difference of rounding: its size depends on the CPU's kernels)",
    "cpu": "not compared (a figure of a run that amplifies rounding: it depends on the CPU's kernels)",
    "timing": "not compared (a timing)",
}
_MARK = re.compile("\x00(\\w+)\x01(.*?)\x02", re.S)


def fig(value: object, fmt: str = "", kind: str = "exact") -> str:
    """`value` formatted, marked with the kind of figure it is (see KINDS)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind}")
    return f"\x00{kind}\x01{format(value, fmt)}\x02"


def mark_all(text: str, kind: str) -> str:
    """Every figure of `text` marked as `kind` (a command's output shown as an example)."""
    return _FIGURE.sub(lambda m: fig(m.group(0), "", kind), text)


def unmark(marked: str) -> tuple[str, list[str]]:
    """The plain text, and the kind of each of its figures in order."""
    kinds: list[str] = []
    plain, at = [], 0
    for m in _MARK.finditer(marked):
        kinds += ["exact"] * len(figures(marked[at:m.start()])) + [m[1]] * len(figures(m[2]))
        plain += [marked[at:m.start()], m[2]]
        at = m.end()
    kinds += ["exact"] * len(figures(marked[at:]))
    return "".join(plain) + marked[at:], kinds


def _agree(kind: str, old: str, new: str) -> bool:
    a, b = float(old.replace(",", "")), float(new.replace(",", ""))
    if kind in ("cpu", "timing") or old == new:
        return True
    if kind == "digits":
        decimals = len(old.split("e")[0].partition(".")[2])
        unit = 10.0 ** (-decimals) * (10.0 ** int(old.split("e")[1]) if "e" in old.lower() else 1.0)
        return abs(a - b) <= unit * 1.0000001
    if kind in ("float32", "float64"):
        return abs(a - b) <= (1e-5 if kind == "float32" else 1e-10) * max(abs(a), abs(b))
    if kind == "rounding":
        return a > 0 and b > 0 and max(a, b) <= 10 * min(a, b)
    return False


def compare_figures(committed: str, marked: str) -> list[str]:
    """How the committed text of a block departs from its regenerated (marked) text."""
    fresh, kinds = unmark(marked)
    if " ".join(words(committed).split()) != " ".join(words(fresh).split()):  # line breaks may move
        return ["the text differs:\n--- committed\n" + committed + "--- regenerated\n" + fresh]
    old = [m.group(0) for m in _FIGURE.finditer(committed)]
    new = [m.group(0) for m in _FIGURE.finditer(fresh)]
    return [f"figure {i + 1}: committed {a}, regenerated {b}, allowed: {KINDS[k]}"
            for i, (a, b, k) in enumerate(zip(old, new, kinds)) if not _agree(k, a, b)]
