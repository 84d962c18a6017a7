"""Series to forecast, read from a user's file or a bundled dataset, with their checks: one
series, or a long-format panel (an id column) of several.

Rows are put in time order when the time column can be read: a file written newest first
is reversed (with a note), rows that share a timestamp are refused unless `duplicates`
says how to combine them, and rows in no order are refused, since a forecast of shuffled
rows would look fine and mean nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rnnlab.data import bundled
from rnnlab.data.csv_source import Table, read_table
from rnnlab.data.numbers import Decimal
from rnnlab.data.timeaxis import TimeAxis, parse_time, positions
from rnnlab.errors import UserError

LARGEST = 1e100  # beyond this, squares and sums of a window overflow float64
SMALLEST = 1e-100  # spreads below this underflow when squared


@dataclass(frozen=True)
class Series:
    """The target (NaN where a cell was empty), extra input columns and the time axis.

    Shapes: values (n,), features (n, F), missing (n,) bool: the target cell was empty/NaN.
    `key` names the series within a panel ("" for a lone series).
    """

    name: str
    column: str
    values: np.ndarray
    features: np.ndarray
    feature_names: list[str]
    time: TimeAxis
    time_column: str
    missing: np.ndarray
    places: list[str]  # where each row came from, for messages ("line 7")
    key: str = ""

    def __len__(self) -> int:
        return self.values.shape[0]

    @property
    def label(self) -> str:
        """How messages name it: the file, and the id within a panel."""
        return f"{self.name} ['{self.key}']" if self.key else self.name


@dataclass(frozen=True)
class Reading:
    """What to read: the settings of rnnlab.config.ForecastConfig that concern the file."""

    column: str
    time_column: str = ""
    features: tuple[str, ...] = ()
    fill: str = "none"
    id_column: str = ""
    duplicates: str = "none"  # none (refuse), mean, sum, last
    decimal: Decimal = "auto"


def is_bundled(name: str) -> bool:
    """A bundled dataset's name that is not also a file in the working folder."""
    return name in bundled.DATASETS and not Path(name).exists()


def open_table(source: str) -> tuple[Table, str]:
    """The table of a path or a bundled name, and the name messages use."""
    if not source:
        raise UserError("no series given; pass a CSV/Parquet path or a bundled name (see `rnnlab datasets`)")
    if is_bundled(source):
        return replace(read_table(bundled.path_of(source)), name=source), source
    return read_table(Path(source)), Path(source).name


def load_panel(source: str, reading: Reading) -> tuple[list[Series], list[str]]:
    """Every series of `source` (one, or one per id) and notes for the user (rows reordered)."""
    table, name = open_table(source)
    r = reading
    if not r.column:
        raise UserError(f"which column of {name} to forecast? set forecast.column (columns: {', '.join(table.columns)})")
    if r.column in r.features:
        raise UserError(f"forecast.features: '{r.column}' is the target column; list other columns")
    if r.id_column and r.id_column in (r.column, *r.features, r.time_column):
        raise UserError(f"forecast.id_column: '{r.id_column}' is also the target, time or a feature column")
    values = table.numbers(r.column, r.decimal)
    extra = np.stack([table.numbers(f, r.decimal) for f in r.features], axis=1) if r.features \
        else np.zeros((len(table), 0))
    labels = table.require(r.time_column) if r.time_column else None
    ids = table.require(r.id_column) if r.id_column else [""] * len(table)
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(ids):
        groups.setdefault(key.strip(), []).append(i)
    if r.id_column and "" in groups:
        raise UserError(f"{name}, {table.places[groups[''][0]]}: empty cell in the id column '{r.id_column}'; "
                        "every row needs its series' id")
    notes: list[str] = []
    out = []
    for key, rows in groups.items():
        index = np.array(rows)
        axis = parse_time([labels[i] for i in rows]) if labels is not None else positions(len(rows))
        places = [table.places[i] for i in rows]
        series = Series(name, r.column, values[index], extra[index], list(r.features), axis, r.time_column,
                        np.isnan(values[index]), places, key)
        series, note = in_time_order(series, r.duplicates)
        notes += [note] if note else []
        out.append(_filled(series, r.fill))
    return out, notes


def load_series(source: str, column: str, time_column: str, features: list[str], fill: str) -> Series:
    """One series (no id column): the first of load_panel's."""
    return load_panel(source, Reading(column, time_column, tuple(features), fill))[0][0]


def in_time_order(series: Series, duplicates: str) -> tuple[Series, str]:
    """`series` oldest first, its shared timestamps combined by `duplicates`, and a note
    when its rows were reordered. A time column that is not numbers or dates is taken as it comes."""
    axis = series.time
    if axis.kind in ("position", "text") or len(series) < 2:
        return series, ""
    x = axis.x
    uniq, first, counts = np.unique(x, return_index=True, return_counts=True)
    if (counts > 1).any():
        if duplicates == "none":
            t = uniq[np.argmax(counts > 1)]
            where = [series.places[i] for i in np.flatnonzero(x == t)[:2]]
            raise UserError(f"{series.label}: {int((counts - 1).sum())} row(s) repeat a timestamp, the first "
                            f"'{axis.labels[first[np.argmax(counts > 1)]]}' ({where[0]} and {where[1]}); "
                            "set forecast.duplicates=mean, sum or last to combine them, or fix the file")
        series = _combine(series, duplicates)
        x = series.time.x
    d = np.diff(x)
    if (d > 0).all():
        return series, ""
    if (d < 0).all():
        back = np.arange(len(series))[::-1]
        return _take(series, back), f"{series.label}: rows were newest first; sorted oldest first"
    i = int(np.argmax(d < 0)) if (d > 0).sum() >= (d < 0).sum() else int(np.argmax(d > 0))
    raise UserError(f"{series.label}: rows are not in time order: {series.places[i + 1]} "
                    f"('{series.time.labels[i + 1]}') follows {series.places[i]} ('{series.time.labels[i]}'); "
                    "sort the file by its time column")


def _take(series: Series, index: np.ndarray) -> Series:
    return replace(series, values=series.values[index], features=series.features[index],
                   time=series.time.take(index), missing=series.missing[index],
                   places=[series.places[i] for i in index])


def _combine(series: Series, how: str) -> Series:
    """One row per timestamp, in the order of first appearance; values and features
    combined by `how` (mean and sum of the observed cells, or the last row's)."""
    x = series.time.x
    _, first, inverse = np.unique(x, return_index=True, return_inverse=True)
    order = np.argsort(first)  # groups in the order the file first shows them
    rank = np.empty_like(order)
    rank[order] = np.arange(order.shape[0])
    group = rank[inverse]
    table = np.concatenate([series.values[:, None], series.features], axis=1)
    out = np.full((order.shape[0], table.shape[1]), np.nan)
    for g in range(order.shape[0]):
        rows = table[group == g]
        if how == "last":
            out[g] = rows[-1]
        else:
            seen = ~np.isnan(rows)
            total = np.where(seen, rows, 0.0).sum(axis=0)
            n = seen.sum(axis=0)
            out[g] = np.where(n > 0, total / np.maximum(n, 1) if how == "mean" else total, np.nan)
    keep = first[order]
    return replace(series, values=out[:, 0], features=out[:, 1:], time=series.time.take(keep),
                   missing=np.isnan(out[:, 0]), places=[series.places[i] for i in keep])


def _filled(series: Series, fill: str) -> Series:
    """Empty/NaN cells: an error unless `fill` says what to do ("drop" removes those rows
    here; other fills come after the split, part by part)."""
    holes = np.isnan(series.values) | np.isnan(series.features).any(axis=1)
    if not holes.any():
        return series
    if fill == "none":
        first = int(np.argmax(holes))
        columns = [series.column, *series.feature_names]
        row = np.concatenate([series.values[first:first + 1], series.features[first]])
        which = columns[int(np.argmax(np.isnan(row)))]
        raise UserError(f"{series.label}: {int(holes.sum())} empty or NaN cell(s), the first at "
                        f"{series.places[first]}, column '{which}'; set forecast.fill=interpolate, ffill or drop")
    if fill == "drop":
        return _take(series, np.flatnonzero(~holes))
    return series


def check_values(series: Series, train_end: int) -> None:
    """Refuse a series with nothing to learn (constant overall or over its training part),
    or with values so near the float limits that a window's squares overflow or vanish."""
    observed = series.values[~series.missing]
    if observed.size == 0:
        raise UserError(f"{series.label}: column '{series.column}' has no values")
    top = float(np.max(np.abs(observed)))
    if top > LARGEST:
        raise UserError(f"{series.label}: column '{series.column}' holds {top:.3g}, too near the float limit "
                        f"to compute with (over {LARGEST:.0e}); rescale the column, e.g. divide it by {top:.0e}")
    spread = float(np.ptp(observed))
    if spread == 0.0:
        raise UserError(f"{series.label}: column '{series.column}' is constant ({observed[0]:g} throughout); "
                        "there is nothing to forecast")
    if spread < SMALLEST:
        raise UserError(f"{series.label}: column '{series.column}' varies by only {spread:.3g}, too near the "
                        f"float limit to compute with (under {SMALLEST:.0e}); rescale the column, e.g. multiply "
                        f"it by 1e{int(np.ceil(-np.log10(spread)))}")
    feats = np.abs(series.features[np.isfinite(series.features).all(axis=1)])
    if feats.size and float(feats.max()) > LARGEST:
        col = series.feature_names[int(np.argmax(feats.max(axis=0)))]
        raise UserError(f"{series.label}: feature column '{col}' holds {float(feats.max()):.3g}, too near the float "
                        f"limit to compute with (over {LARGEST:.0e}); rescale the column")
    train = series.values[:train_end][~series.missing[:train_end]]
    if train.size and np.ptp(train) == 0.0:
        raise UserError(f"{series.label}: the training part (first {train_end} values) of '{series.column}' is "
                        "constant; use a longer series or a smaller forecast.test_size/forecast.val_size")
