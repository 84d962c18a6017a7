"""Numbers in a column of text cells, with the decimal mark decided per column.

`2,019` is two thousand and nineteen in one file and two point zero one nine in another;
reading both as 2.019 silently changes a series a thousandfold. So the column as a whole
decides: a cell that can only be read one way ("2,5", "1.234,5", "2.5", "1,234.5") is
evidence for its mark, and the other cells are read with that mark ("2.019" in a
decimal-comma column is 2019). A column whose cells could be read either way with
nothing to tell them apart ("2,019" and "1,500" only), or that holds evidence for both
marks, is refused with one line: `decimal` ("point" or "comma") settles it.
"""

from __future__ import annotations

import math
import re
from typing import Literal

import numpy as np

from rnnlab.errors import UserError

Decimal = Literal["auto", "point", "comma"]
NAN_WORDS = {"", "nan", "na", "n/a", "null", "none", "-"}
# Digits grouped by the mark in thousands: 1-3 digits (no leading zero) then groups of exactly 3.
_GROUPED = {",": re.compile(r"[-+]?[1-9]\d{0,2}(,\d{3})+"), ".": re.compile(r"[-+]?[1-9]\d{0,2}(\.\d{3})+")}
_PLAIN = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def decimal_evidence(text: str) -> str | None:
    """The decimal mark this cell can only be read with ("," or "."), or None when it
    reads the same either way or is ambiguous ("2,019")."""
    t = text.strip().replace(" ", "")
    has_comma, has_point = "," in t, "." in t
    if has_comma and has_point:  # the last mark is the decimal one: 1.234,5 / 1,234.5
        return "," if t.rfind(",") > t.rfind(".") else "."
    for mark, other in ((",", "."), (".", ",")):
        if t.count(mark) > 1 and _GROUPED[mark].fullmatch(t):  # 1,234,567: the mark separates thousands
            return other
        if t.count(mark) == 1 and not _GROUPED[mark].fullmatch(t):
            return mark
    return None


def parse_cell(text: str, mark: str) -> float | None:
    """The cell's value with decimal mark `mark`; NaN for empty/NA cells; None if it is not a number."""
    t = text.strip()
    if t.lower() in NAN_WORDS:
        return math.nan
    t = t.replace(" ", "").replace("\u00a0", "")
    other = "." if mark == "," else ","
    if other in t:
        if not _GROUPED[other].fullmatch(t.split(mark)[0]):
            return None  # the thousands mark only between groups of three
        t = t.replace(other, "")
    if mark == ",":
        t = t.replace(",", ".")
    if t.lower() in ("inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"):
        return float(t)
    return float(t) if _PLAIN.fullmatch(t) else None


def column_mark(cells: list[str], places: list[str], where: str, decimal: Decimal, comma_file: bool = False) -> str:
    """The decimal mark of a column: `decimal` when given, else decided by its cells. In a
    comma-delimited file (`comma_file`) an unquoted comma cannot be a decimal mark, so
    "100.000" there is a decimal point; only a quoted "2,019" is left to doubt."""
    if decimal != "auto":
        return "," if decimal == "comma" else "."
    seen: dict[str, int] = {}
    grouped: dict[str, int] = {}
    for i, text in enumerate(cells):
        mark = decimal_evidence(text)
        if mark is not None and parse_cell(text, mark) is not None:  # "12,x" is evidence of nothing
            seen.setdefault(mark, i)
        else:
            t = text.strip()
            for m in (",", "."):
                if _GROUPED[m].fullmatch(t):
                    grouped.setdefault(m, i)
    if len(seen) == 2:
        c, p = seen[","], seen["."]
        raise UserError(f"{where}: decimal commas ({places[c]}: {cells[c].strip()!r}) and decimal points "
                        f"({places[p]}: {cells[p].strip()!r}) in one column; write every number the same way, "
                        "or set forecast.decimal=point or comma")
    if seen:
        return next(iter(seen))
    if comma_file and "," not in grouped:
        return "."
    if grouped:  # "2,019" (and perhaps "2.019") with nothing to tell what the marks mean
        i = min(grouped.values())
        raise UserError(f"{where}: {places[i]}: {cells[i].strip()!r} could be a decimal or a thousands "
                        "separator and no cell of the column tells which; set forecast.decimal=point "
                        "(2,019 is 2019) or forecast.decimal=comma (2,019 is 2.019)")
    return "."


def column_numbers(cells: list[str], places: list[str], where: str, decimal: Decimal = "auto",
                   comma_file: bool = False) -> np.ndarray:
    """The column as float64, NaN for empty/NA cells; text or infinities raise a UserError
    naming the line. `where` names the file and column in messages. Shape (rows,)."""
    mark = column_mark(cells, places, where, decimal, comma_file)
    out = np.empty(len(cells), dtype=np.float64)
    for i, text in enumerate(cells):
        value = parse_cell(text, mark)
        if value is None:
            raise UserError(f"{where}, {places[i]}: {text.strip()!r} is not a number; fix the cell or choose "
                            "another column")
        if math.isinf(value):
            raise UserError(f"{where}, {places[i]}: {text.strip()} is infinite; replace it with a finite value "
                            "or leave the cell empty and set forecast.fill")
        out[i] = value
    return out
