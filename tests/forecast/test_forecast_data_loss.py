"""Nothing lost: a forecast claims its folder when it starts; `rnnlab resume` refuses an
unfinished forecast instead of training a sine wave into it; `rnnlab runs` offers the
command that repeats it; two forecasts never share a folder; `rnnlab predict` applies a
finished forecast run to a history."""

import csv
import math
import threading

import pytest

from rnnlab.cli import main
from rnnlab.config import Config, override
from rnnlab.errors import UserError
from rnnlab.forecasting.job import run_forecast
from rnnlab.runs import folder as rf

QUICK = ["--horizon", "4", "--epochs", "3", "--ensemble", "1", "--normalise", "last", "--log-transform", "off",
         "--backtest", "4", "--no-plots", "--quiet"]


@pytest.fixture
def series(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("t,v\n" + "".join(f"{i},{10 + math.sin(i / 3) + 0.01 * i:.4f}\n" for i in range(120)))
    return path


def _settings(series, *extra):
    sets = [f"forecast.series={series}", "forecast.column=v", "forecast.horizon=4", "train.epochs=3",
            "forecast.ensemble=1", "forecast.normalise=last", "forecast.log_transform=off", *extra]
    return override(Config(), sets), {s.partition("=")[0] for s in sets}


def _interrupted(series, out):
    """A forecast stopped (as by Ctrl-C or kill) after its first model."""
    def stop(member):
        raise KeyboardInterrupt

    cfg, explicit = _settings(series)
    with pytest.raises(KeyboardInterrupt):
        run_forecast(cfg, explicit, out, argv=[], on_member=stop, plots=False)


def test_the_folder_is_claimed_before_training(series, tmp_path):
    out = tmp_path / "run"
    seen = []
    cfg, explicit = _settings(series)
    run_forecast(cfg, explicit, out, argv=[], on_member=lambda m: seen.append(sorted(p.name for p in out.iterdir())),
                 plots=False)
    assert seen[0] == ["config.toml"]  # while the first model trains


def test_resume_refuses_an_unfinished_forecast_and_changes_nothing(series, tmp_path, capsys):
    out = tmp_path / "run"
    _interrupted(series, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert main(["resume", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "an unfinished forecast" in err[0] and f"rnnlab forecast --config {out}/config.toml" in err[0]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no sine run, no params.npz, no summary


def test_runs_offers_the_command_that_repeats_a_forecast(series, tmp_path, capsys):
    _interrupted(series, tmp_path / "runs" / "stopped")
    assert main(["forecast", str(series), "--column", "v", "--out", str(tmp_path / "runs" / "done"), *QUICK]) == 0
    capsys.readouterr()
    assert main(["runs", str(tmp_path / "runs")]) == 0
    lines = capsys.readouterr().out.splitlines()
    done, stopped = (next(line for line in lines if line.startswith(n)) for n in ("done", "stopped"))
    assert "complete" in done and "forecast of" in done
    assert "incomplete" in stopped and "rnnlab resume" not in stopped
    assert f"rnnlab forecast --config {tmp_path}/runs/stopped/config.toml --out NEW_FOLDER" in stopped
    # and that command does repeat it
    assert main(["forecast", "--config", str(tmp_path / "runs" / "stopped" / "config.toml"),
                 "--out", str(tmp_path / "again"), "--quiet", "--no-plots"]) == 0


def test_a_second_forecast_into_a_busy_folder_is_refused(series, tmp_path, capsys):
    out = tmp_path / "run"
    results = []

    def second(member):  # while the first trains, another starts into the same folder
        if not results:
            results.append(main(["forecast", str(series), "--column", "v", "--out", str(out), *QUICK]))

    cfg, explicit = _settings(series)
    run_forecast(cfg, explicit, out, argv=[], on_member=second, plots=False)
    assert results == [2] and "not empty" in capsys.readouterr().err
    assert (out / "summary.json").is_file()


def test_claiming_is_exclusive_even_at_the_same_moment(tmp_path, monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    monkeypatch.setattr(rf, "create_run_dir", lambda path: path)  # both passed the emptiness check
    barrier, outcomes = threading.Barrier(2), []

    def claim(text):
        barrier.wait()
        try:
            rf.claim_run_dir(out, "config.toml", text)
            outcomes.append(text)
        except UserError as err:
            outcomes.append(str(err))

    threads = [threading.Thread(target=claim, args=(t,)) for t in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winner = (out / "config.toml").read_text()
    assert sorted(outcomes, key=len)[0] == winner and "another job has just claimed" in sorted(outcomes, key=len)[1]


def test_predict_applies_a_forecast_run_to_a_longer_history(series, tmp_path, capsys):
    short = tmp_path / "short.csv"
    short.write_text("\n".join(series.read_text().splitlines()[:101]) + "\n")  # the first 100 values
    out = tmp_path / "run"
    assert main(["forecast", str(short), "--column", "v", "--out", str(out), *QUICK]) == 0
    capsys.readouterr()
    assert main(["predict", str(out)]) == 0
    own = capsys.readouterr().out
    assert "max difference from the run's own forecast beyond its data: 0" in own
    with open(out / "future.csv", newline="") as fh:
        first = next(csv.DictReader(fh))
    assert f"{float(first['forecast']):.6g}" in own
    assert main(["predict", str(out), "--series", str(series)]) == 0
    longer = capsys.readouterr().out
    assert "after 119 (120 values" in longer and longer.splitlines()[2].startswith("120 ")
    assert main(["predict", str(out), "--series", str(tmp_path / "nope.csv")]) == 2


def test_a_default_folder_is_claimed_and_removed_again_when_the_forecast_fails_first(series, tmp_path,
                                                                                      monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["forecast", str(series), "--column", "nope", *QUICK]) == 2
    assert "nope" in capsys.readouterr().err
    assert not any((tmp_path / "runs").iterdir())  # no empty forecast-s-<time> folder left behind
    assert main(["forecast", str(series), "--column", "v", *QUICK]) == 0
    (made,) = (tmp_path / "runs").iterdir()
    assert made.name.startswith("forecast-s-") and (made / "summary.json").is_file()
