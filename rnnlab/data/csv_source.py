"""Read a user's table (CSV with a header, or Parquet) and pull numeric columns out of it.

Every problem a user can cause is a UserError of one line that says where (file line and
column) and how to fix it: a traceback from deep inside a parser helps nobody.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab.data.numbers import Decimal, column_numbers, parse_cell
from rnnlab.errors import UserError

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 50


@dataclass(frozen=True)
class Table:
    """Cells as text, column by column. `places[i]` names row i for messages ("line 7")."""

    name: str
    columns: list[str]
    cells: dict[str, list[str]]
    places: list[str]
    delimiter: str = ","  # Parquet: "," (its numbers come with decimal points)

    def __len__(self) -> int:
        return len(self.places)

    def require(self, column: str) -> list[str]:
        if column not in self.cells:
            raise UserError(f"no column '{column}' in {self.name}; columns: {', '.join(self.columns)}")
        return self.cells[column]

    def numbers(self, column: str, decimal: Decimal = "auto") -> np.ndarray:
        """The column as float64 with NaN for empty or NaN cells, its decimal mark decided
        for the column as a whole (rnnlab.data.numbers); other text or infinities raise a
        UserError naming the line. Shape (rows,)."""
        return column_numbers(self.require(column), self.places, f"{self.name}, column '{column}'", decimal,
                              comma_file=self.delimiter == ",")


def parse_number(text: str) -> float | None:
    """float of a cell written with a decimal point; NaN for empty/NA cells; None if it is not a number."""
    return parse_cell(text, ".")


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
    delimiter = sniff_delimiter(text, name)
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
        raise _csv_error(name, reader.line_num, err) from None
    if header is None:
        raise UserError(f"{name} is empty; it needs a header line and rows of values")
    if not rows:
        raise UserError(f"{name} has a header but no rows of values")
    cells = {col: [row[j] for row in rows] for j, col in enumerate(header)}
    return Table(name, header, cells, places, delimiter)


def _csv_error(name: str, line: int, err: csv.Error) -> UserError:
    """csv's complaint as one line; its field limit in words (an unclosed quote runs into it)."""
    if "field larger than field limit" in str(err):
        return UserError(f"{name}, line {line}: a cell of more than {csv.field_size_limit():,} characters; "
                         "a table of numbers has none (an unclosed quote?): fix the file")
    return UserError(f"{name}, line {line}: cannot parse CSV ({err})")


def sniff_delimiter(text: str, name: str = "the file") -> str:
    """The delimiter that splits the header into more than one field and most of the first
    lines into as many; ',' when none does (a one-column file). Quotes are respected, and
    one ragged row does not change the verdict (it is reported later, by line)."""
    lines = [line for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            widths = [len(f) for f in reader]
        except csv.Error as err:
            raise _csv_error(name, reader.line_num, err) from None
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
