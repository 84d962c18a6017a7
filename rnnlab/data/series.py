"""A series to forecast, read from a user's file or a bundled dataset, with its checks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rnnlab.data import bundled
from rnnlab.data.csv_source import Table, read_table
from rnnlab.data.timeaxis import TimeAxis, parse_time, positions
from rnnlab.errors import UserError


@dataclass(frozen=True)
class Series:
    """The target (NaN where a cell was empty), extra input columns and the time axis.

    Shapes: values (n,), features (n, F), missing (n,) bool: the target cell was empty/NaN.
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

    def __len__(self) -> int:
        return self.values.shape[0]


def is_bundled(name: str) -> bool:
    """A bundled dataset's name that is not also a file in the working folder."""
    return name in bundled.DATASETS and not Path(name).exists()


def load_series(source: str, column: str, time_column: str, features: list[str], fill: str) -> Series:
    """Read `column` of `source` (a path, or a bundled name); empty/NaN cells are an error
    unless `fill` is not "none" ("drop" removes those rows here; other fills come after
    the split, part by part)."""
    if not source:
        raise UserError("no series given; pass a CSV/Parquet path or a bundled name (see `rnnlab datasets`)")
    if is_bundled(source):
        table = replace(read_table(bundled.path_of(source)), name=source)
        name = source
    else:
        table, name = read_table(Path(source)), Path(source).name
    if not column:
        raise UserError(f"which column of {name} to forecast? set forecast.column (columns: {', '.join(table.columns)})")
    if column in features:
        raise UserError(f"forecast.features: '{column}' is the target column; list other columns")
    values = table.numbers(column)
    extra = [table.numbers(f) for f in features]
    labels = table.require(time_column) if time_column else None
    places = list(table.places)
    holes = np.isnan(values)
    for f in extra:
        holes |= np.isnan(f)
    if holes.any():
        _check_fill(table, name, [column, *features], holes, fill)
    if fill == "drop" and holes.any():
        keep = ~holes
        values, extra = values[keep], [f[keep] for f in extra]
        labels = None if labels is None else [s for s, k in zip(labels, keep) if k]
        places = [p for p, k in zip(places, keep) if k]
    axis = positions(values.shape[0]) if labels is None else parse_time(labels)
    feats = np.stack(extra, axis=1) if extra else np.zeros((values.shape[0], 0))
    return Series(name, column, values, feats, list(features), axis, time_column, np.isnan(values), places)


def _check_fill(table: Table, name: str, columns: list[str], holes: np.ndarray, fill: str) -> None:
    if fill != "none":
        return
    first = int(np.argmax(holes))
    which = next(c for c in columns if np.isnan(table.numbers(c)[first]))
    raise UserError(f"{name}: {int(holes.sum())} empty or NaN cell(s), the first at {table.places[first]}, "
                    f"column '{which}'; set forecast.fill=interpolate, ffill or drop")


def check_values(series: Series, train_end: int) -> None:
    """Refuse a series with nothing to learn: constant overall or over its training part."""
    observed = series.values[~series.missing]
    if observed.size == 0:
        raise UserError(f"{series.name}: column '{series.column}' has no values")
    if np.ptp(observed) == 0.0:
        raise UserError(f"{series.name}: column '{series.column}' is constant ({observed[0]:g} throughout); "
                        "there is nothing to forecast")
    train = series.values[:train_end][~series.missing[:train_end]]
    if train.size and np.ptp(train) == 0.0:
        raise UserError(f"{series.name}: the training part (first {train_end} values) of '{series.column}' is "
                        "constant; use a longer series or a smaller forecast.test_size/forecast.val_size")
