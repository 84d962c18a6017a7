"""No leakage: after the split, the test part can be anything; the fitted scalers, the
choices made on validation and every parameter of the backtest's models stay exactly the
same (the refitted models behind the forecast beyond the data learn from all of it, as they should)."""

import json
import math

import numpy as np

from rnnlab.config import Config, override
from rnnlab.forecasting.job import run_forecast

N, TEST = 160, 32


def _write(path, values):
    path.write_text("t,value\n" + "".join(f"{i},{float(v)!r}\n" for i, v in enumerate(values)))


def _run(tmp_path, name, values):
    csv = tmp_path / f"{name}.csv"
    _write(csv, values)
    sets = [f"forecast.series={csv}", "forecast.column=value", "forecast.horizon=6", f"forecast.test_size={TEST}",
            "train.epochs=6", "forecast.ensemble=2"]
    cfg = override(Config(), sets)
    out = tmp_path / name
    summary = run_forecast(cfg, {s.partition("=")[0] for s in sets}, out, argv=[], plots=False)
    with np.load(out / "params.npz") as z:
        params = {k: z[k] for k in z.files}
    return summary, params, json.loads((out / "metrics.json").read_text())


def test_poisoning_the_test_part_changes_nothing_that_was_fitted(tmp_path):
    t = np.arange(N)
    clean = 20 + np.sin(2 * np.pi * t / 12) * 3 + 0.05 * t
    poisoned = clean.copy()
    poisoned[N - TEST:] = 1000 + 500 * np.cos(t[N - TEST:])  # positive, so the log option stays on the table
    a, pa, ma = _run(tmp_path, "clean", clean)
    b, pb, mb = _run(tmp_path, "poisoned", poisoned)
    assert a["split"] == b["split"] and a["season"] == b["season"]
    assert a["normalisation"] == b["normalisation"]  # the scaler, fitted on the training part
    assert a["validation_mae"] == b["validation_mae"]  # the choices, made on the validation part
    assert a["mase_scale"] == b["mase_scale"]
    assert pa.keys() == pb.keys()
    backtest = [name for name in pa if name.startswith("member")]
    assert backtest and len(backtest) < len(pa)
    for name in backtest:
        np.testing.assert_array_equal(pa[name], pb[name])
    assert any(not np.array_equal(pa[n], pb[n]) for n in pa if n.startswith("refit"))
    # ... while the test part itself did reach the evaluation
    assert not math.isclose(ma["model"]["mae"], mb["model"]["mae"])
