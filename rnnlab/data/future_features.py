"""Known future values of the feature columns (prices, promotions, holidays): what a forecast
beyond the series' end needs, since the model reads the features over the horizon too.

The file has the feature columns (and the id and time columns where the series has them).
Each series takes its rows after its last timestamp, matched to the future timestamps by
time when there is a time column, in file order when there is none.
"""

from __future__ import annotations

import numpy as np

from rnnlab.data.series import Reading, Series, open_table
from rnnlab.data.timeaxis import TimeAxis, parse_time
from rnnlab.errors import UserError

_TOLERANCE_DAYS = 1e-6


def load_future_features(source: str, reading: Reading, panel: list[Series], future: list[TimeAxis]) -> np.ndarray:
    """The features of each series at its future steps `future[s]`: (S, H, F)."""
    table, name = open_table(source)
    feats = list(reading.features)
    horizon = future[0].x.shape[0]
    values = np.stack([table.numbers(f, reading.decimal) for f in feats], axis=1)
    ids = [c.strip() for c in table.require(reading.id_column)] if reading.id_column else [""] * len(table)
    times = table.require(reading.time_column) if reading.time_column else None
    out = np.empty((len(panel), horizon, len(feats)))
    for s, (series, steps) in enumerate(zip(panel, future)):
        rows = [i for i, key in enumerate(ids) if key == series.key]
        if times is None:
            picked = rows[:horizon]
            if len(picked) < horizon:
                raise _missing(name, series, feats, horizon, f"it has {len(picked)} row(s), the forecast needs {horizon}")
        else:
            x = parse_time([times[i] for i in rows]).x if rows else np.zeros(0)
            picked = []
            for k, (t, label) in enumerate(zip(steps.x, steps.labels)):
                hit = np.flatnonzero(np.abs(x - t) <= _TOLERANCE_DAYS)
                if hit.size == 0:
                    raise _missing(name, series, feats, horizon, f"no row for {label} (step {k + 1})")
                picked.append(rows[int(hit[0])])
        block = values[picked]
        if np.isnan(block).any():
            i, j = np.argwhere(np.isnan(block))[0]
            raise UserError(f"forecast.future_features: {name}, {table.places[picked[i]]}, column '{feats[j]}' is "
                            "empty; the future forecast needs every feature at every step")
        out[s] = block
    return out


def _missing(name: str, series: Series, feats: list[str], horizon: int, what: str) -> UserError:
    whose = f" for series '{series.key}'" if series.key else ""
    return UserError(f"forecast.future_features: {name}{whose}: {what}; the forecast needs {', '.join(feats)} at "
                     f"each of the {horizon} steps after {series.time.labels[-1]} (or set forecast.future=false)")
