"""With default settings the model beats the naive and seasonal naive forecasts (MASE over
the test part's rolling origins) on every bundled series, on the NumPy engine."""

import json
import time

import pytest

from rnnlab.config import Config, override
from rnnlab.data.bundled import DATASETS
from rnnlab.forecast.job import run_forecast


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_defaults_beat_the_naive_baselines(name, tmp_path):
    started = time.perf_counter()
    cfg = override(Config(), [f"forecast.series={name}"])
    run_forecast(cfg, {"forecast.series"}, tmp_path / name, argv=[], plots=False)
    metrics = json.loads((tmp_path / name / "metrics.json").read_text())
    mase = {k: v["mase"] for k, v in metrics.items()}
    assert mase["model"] < mase["naive"], mase
    assert mase["model"] < mase["seasonal_naive"], mase
    assert time.perf_counter() - started < 60
