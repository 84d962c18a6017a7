"""Read a user's table (CSV with a header, or Parquet) and pull numeric columns out of it.

Every problem a user can cause is a UserError of one line that says where (file line and
column) and how to fix it: a traceback from deep inside a parser helps nobody.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab.errors import UserError

DELIMITERS = (",", ";", "\t", "|")
_NAN_WORDS = {"", "nan", "na", "n/a", "null", "none", "-"}
_SNIFF_LINES = 50


@dataclass(frozen=True)
class Table:
    """Cells as text, column by column. `places[i]` names row i for messages ("line 7")."""

    name: str
    columns: list[str]
    cells: dict[str, list[str]]
    places: list[str]
    decimal_comma: bool = False  # "1,5" means 1.5 (a ';'-delimited file)

    def __len__(self) -> int:
        return len(self.places)

    def require(self, column: str) -> list[str]:
        if column not in self.cells:
            raise UserError(f"no column '{column}' in {self.name}; columns: {', '.join(self.columns)}")
        return self.cells[column]

    def numbers(self, column: str) -> np.ndarray:
        """The column as float64 with NaN for empty or NaN cells; other text or infinities
        raise a UserError naming the line. Shape (rows,)."""
        out = np.empty(len(self), dtype=np.float64)
        for i, text in enumerate(self.require(column)):
            value = parse_number(text, self.decimal_comma)
            if value is None:
                raise UserError(f"{self.name}, {self.places[i]}, column '{column}': {text.strip()!r} is not a "
                                "number; fix the cell or choose another column")
            if math.isinf(value):
                raise UserError(f"{self.name}, {self.places[i]}, column '{column}': {text.strip()} is infinite; "
                                "replace it with a finite value or leave the cell empty and set forecast.fill")
            out[i] = value
        return out


def parse_number(text: str, decimal_comma: bool = False) -> float | None:
    """float of a cell; NaN for empty/NA cells; None if it is not a number."""
    t = text.strip()
    if t.lower() in _NAN_WORDS:
        return math.nan
    if decimal_comma and t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def read_table(path: Path) -> Table:
    """A CSV (delimiter sniffed) or, with pyarrow installed, a Parquet file."""
    if not path.exists():
        raise UserError(f"cannot read {path}: no such file; check the path (or `rnnlab datasets` for bundled names)")
    if not path.is_file():
        raise UserError(f"cannot read {path}: it is not a file")
    if path.suffix.lower() in (".parquet", ".pq"):
        return _read_parquet(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise UserError(f"cannot read {path}: {err.strerror or err}") from None
    return parse_csv(raw, str(path))


def parse_csv(raw: bytes, name: str) -> Table:
    """Parse CSV bytes with a header row; blank lines are skipped."""
    if b"\x00" in raw[:65536]:
        raise UserError(f"{name} looks like a binary file (it contains NUL bytes), not a CSV with a header")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise UserError(f"{name}, line {line}: not UTF-8 text (byte 0x{raw[err.start]:02x}); "
                        "save the file as UTF-8 CSV") from None
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[list[str]] = []
    places: list[str] = []
    try:
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                continue
            if header is None:
                header = [f.strip() for f in fields]
                _check_header(header, name, reader.line_num)
                continue
            if len(fields) != len(header):
                raise UserError(f"{name}, line {reader.line_num}: {len(fields)} fields where the header has "
                                f"{len(header)} (delimiter {delimiter!r}); fix the row")
            rows.append(fields)
            places.append(f"line {reader.line_num}")
    except csv.Error as err:
        raise UserError(f"{name}, line {reader.line_num}: cannot parse CSV ({err})") from None
    if header is None:
        raise UserError(f"{name} is empty; it needs a header line and rows of values")
    if not rows:
        raise UserError(f"{name} has a header but no rows of values")
    cells = {col: [row[j] for row in rows] for j, col in enumerate(header)}
    return Table(name, header, cells, places, decimal_comma=delimiter != ",")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header into more than one field and most of the first
    lines into as many; ',' when none does (a one-column file). Quotes are respected, and
    one ragged row does not change the verdict (it is reported later, by line)."""
    lines = [line for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        widths = [len(f) for f in csv.reader(lines, delimiter=delimiter)]
        if not widths or widths[0] < 2:
            continue
        score = (sum(w == widths[0] for w in widths) / len(widths), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _check_header(header: list[str], name: str, line: int) -> None:
    if any(not h for h in header):
        raise UserError(f"{name}, line {line}: the header has an empty column name; "
                        "the first line must name every column")
    seen = set()
    for h in header:
        if h in seen:
            raise UserError(f"{name}, line {line}: column name '{h}' appears twice in the header")
        seen.add(h)
    if all(parse_number(h) is not None for h in header):
        raise UserError(f"{name}, line {line}: the first line holds numbers, not column names; add a header line")


def _read_parquet(path: Path) -> Table:
    try:
        import pyarrow.parquet as pq
    except ModuleNotFoundError:
        raise UserError(f"reading {path.name} needs pyarrow: pip install pyarrow (or save the table as CSV)") from None
    try:
        table = pq.read_table(path)
    except Exception as err:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        raise UserError(f"cannot read {path} as Parquet: {str(err).splitlines()[0]}") from None
    columns = [str(c) for c in table.column_names]
    cells = {c: ["" if v is None else str(v) for v in table.column(c).to_pylist()] for c in columns}
    if table.num_rows == 0:
        raise UserError(f"{path} has no rows")
    return Table(str(path), columns, cells, [f"row {i + 1}" for i in range(table.num_rows)])
