"""Forecasts from Python (rnnlab.api.forecast, rnnlab.forecasting once the name is free) and
sweeps of forecasts: the same run folders as `rnnlab forecast`, read back as objects."""

import json

import pytest

from rnnlab import api
from rnnlab.errors import UserError

QUICK = {"horizon": 4, "epochs": 8, "ensemble": 1, "backtest": 3}


def test_a_forecast_object_reads_its_folder(tmp_path):
    fc = api.forecast("sunspots", out=tmp_path / "f", **QUICK)
    assert isinstance(fc, api.Forecast) and fc.kind == "forecast"
    assert set(fc.metrics) >= {"model", "naive", "seasonal_naive", "mean"}
    assert fc.metrics["model"]["mase"] == json.loads((tmp_path / "f" / "summary.json").read_text())["metrics"][
        "model"]["mase"]
    backtest = fc.backtest
    assert {"origin", "step", "actual", "model", "naive"} <= set(backtest.columns)
    assert sorted(set(backtest["step"])) == [1, 2, 3, 4]
    future = fc.future
    assert future["time"].tolist() == [2009, 2010, 2011, 2012]  # sunspots ends in 2008
    assert (future["lower_80"] <= future["forecast"]).all() and (future["forecast"] <= future["upper_80"]).all()
    assert (future["lower_95"] <= future["lower_80"]).all()
    assert fc.plot().size[0] > 100 and (tmp_path / "f" / "forecast.png").is_file()
    assert isinstance(api.load(tmp_path / "f"), api.Forecast)


def test_options_are_the_forecast_keys(tmp_path):
    cfg, given = api.forecast_config("sales.csv", column="units", horizon=12, features=["price", "promo"],
                                     set={"model.cell": "gru"})
    assert (cfg.forecast.column, cfg.forecast.horizon, cfg.forecast.features) == ("units", 12, "price,promo")
    assert cfg.model.cell == "gru" and given >= {"forecast.column", "forecast.features", "model.cell"}
    with pytest.raises(UserError, match="no option 'horizn'; did you mean horizon="):
        api.forecast_config("sales.csv", horizn=3)


def test_a_sweep_of_forecasts_trains_each_setting_once(tmp_path):
    out = tmp_path / "s"
    sweep = api.sweep("forecast:sunspots", grid={"forecast.window": [8, 12]}, workers=1, out=out, **QUICK)
    assert len(sweep.runs) == 2 and {r.kind for r in sweep.runs} == {"forecast"}
    rmse = {r.folder.name: api.load(r.folder).metrics["model"]["rmse"] for r in sweep.runs}
    val = {r.folder.name: r.summary["ensemble_validation_mae"] for r in sweep.runs}
    assert sweep.summary["metric"] == "val_mae" and sweep.best["median"] == min(val.values())  # chosen on validation
    table = (out / "sweep.csv").read_text().splitlines()
    assert table[0] == "trial,forecast.window,seed,status,val_mae,test_rmse,mase,train_seconds,reason"
    assert {row.split(",")[0]: float(row.split(",")[5]) for row in table[1:]} == rmse  # the backtest's, beside
    summaries = {name: (out / name / "summary.json").stat().st_mtime_ns for name in rmse}
    again = api.sweep("forecast:sunspots", grid={"forecast.window": [8, 12]}, workers=1, out=out, **QUICK)
    assert {name: (out / name / "summary.json").stat().st_mtime_ns for name in rmse} == summaries
    assert again.best == sweep.best


def test_an_interrupted_forecast_trial_starts_again_to_the_same_numbers(tmp_path):
    out = tmp_path / "s"
    api.sweep("forecast:sunspots", grid={"forecast.window": [8]}, workers=1, out=out, **QUICK)
    (trial,) = [p.parent for p in out.glob("*/summary.json")]
    before = (trial / "metrics.json").read_bytes()
    (trial / "summary.json").unlink()  # as a kill before the last write leaves it
    (out / "summary.json").unlink()
    api.sweep("forecast:sunspots", grid={"forecast.window": [8]}, workers=1, out=out, **QUICK)
    assert (trial / "metrics.json").read_bytes() == before


def test_a_sweep_of_forecasts_checks_the_series_before_any_trial(tmp_path):
    with pytest.raises(UserError, match="no column 'nope'"):
        api.sweep("forecast:sunspots", grid={"model.cell": ["gru"]}, column="nope", out=tmp_path / "s")
    assert not (tmp_path / "s").exists()
    with pytest.raises(UserError, match="forecast:SERIES"):
        api.sweep("primer-torch", grid={"model.cell": ["gru"]}, column="x", out=tmp_path / "t")
