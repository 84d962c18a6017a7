"""Limits a user can hit: 10^9 epochs (memory must not grow with the count), a model or an
ensemble too big for memory (one line with both amounts, before allocating), an output
pipe that closes mid-run, logs off a terminal on very long runs, a full disk while
writing a plot."""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import time
import tracemalloc

import numpy as np
import pytest
from processes import communicate
from reliability_support import error_lines, rnnlab_command

from rnnlab.cli import main
from rnnlab.cli.progress import Progress
from rnnlab.config import override
from rnnlab.errors import Interrupted
from rnnlab.recipes import resolve
from rnnlab.runs.atomic import atomic_write_bytes
from rnnlab.runs.folder import WORKING
from rnnlab.runs.records import TrainState
from rnnlab.train import memory
from rnnlab.train.callbacks import Callback
from rnnlab.train.completion import describe
from rnnlab.train.runner import run
from rnnlab.train.stop import StopRequest


class _FirstChunk(Callback):
    """Stops training after its first chunk; notes when training started and ended it."""

    def __init__(self, stop: StopRequest) -> None:
        self.stop, self.started, self.first = stop, 0.0, 0.0

    def on_start(self, state, members, total):
        self.started = time.perf_counter()

    def on_progress(self, state, losses):
        if not self.first:
            self.first = time.perf_counter()
            self.stop.set()


def _start(tmp_path, name: str, epochs: int, **options) -> tuple[float, float, int]:
    """Seconds from run() to training, to the end of the first chunk, and the peak of
    Python allocations meanwhile, for primer-numpy at `epochs`."""
    stop = StopRequest()
    probe = _FirstChunk(stop)
    tracemalloc.start()
    began = time.perf_counter()
    try:
        with pytest.raises(Interrupted):
            run(override(resolve("primer-numpy"), [f"train.epochs={epochs}"]), tmp_path / name, argv=[],
                callbacks=[probe], plots=False, stop=stop, **options)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return probe.started - began, probe.first - began, peak


def test_a_billion_epochs_start_at_once_in_little_memory(tmp_path):
    _start(tmp_path, "warm", 100)  # imports and first-call costs out of the way
    _, _, small = _start(tmp_path, "small", 100)
    for epochs, options in ((10**9, {}), (10**9, {"checkpoint_every": 1}), (10**12, {})):
        to_training, to_first_chunk, peak = _start(tmp_path, f"e{epochs}-{len(options)}", epochs, **options)
        assert to_training < 1.0 and to_first_chunk < 2.0
        assert peak < small + 2_000_000 and peak < 5_000_000, (epochs, options, peak, small)


@pytest.mark.parametrize("argv", [
    ["run", "elman-sine", "--set", "model.hidden=100000"],
    ["run", "elman-sine", "--engine", "torch", "--set", "model.hidden=100000"],
    ["forecast", "co2", "--hidden", "100000"],
], ids=["numpy", "torch", "forecast"])
def test_a_model_too_big_for_memory_is_one_line_before_allocating(capsys, tmp_path, argv):
    started = time.perf_counter()
    assert main([*argv, "--no-plots", "--out", str(tmp_path / "r")]) == 2
    assert time.perf_counter() - started < 30
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1 and "needs at least" in lines[0] and "is available" in lines[0], lines
    assert ("--hidden" if argv[0] == "forecast" else "model.hidden") in lines[0]
    assert not (tmp_path / "r" / "summary.json").exists()


def test_an_ensemble_too_big_for_memory_is_refused_before_its_setup(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(memory, "available_bytes", lambda: 1_000_000_000)
    started = time.perf_counter()
    assert main(["run", "elman-sine", "--ensemble", "1000000", "--no-plots", "--out", str(tmp_path / "r")]) == 2
    assert time.perf_counter() - started < 10  # setting up a million members takes many minutes
    line = error_lines(capsys.readouterr().err)[0]
    assert "1 GB is available" in line and "fewer than 1000000 members" in line


def test_ctrl_c_during_a_long_ensemble_setup_stops_it(tmp_path):
    proc = subprocess.Popen(rnnlab_command("run", "elman-sine", "--ensemble", "300000", "--no-plots",
                                           "--out", str(tmp_path / "r")), stderr=subprocess.PIPE, text=True)
    time.sleep(3)  # in the members' setup, which takes minutes
    assert proc.poll() is None
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _, err = communicate(proc, 30)
    assert time.perf_counter() - sent < 5 and proc.returncode == 130, err
    assert error_lines(err) == ["rnnlab: interrupted"]


def test_a_closed_output_pipe_does_not_lose_the_run(tmp_path):
    out = tmp_path / "r"
    proc = subprocess.Popen(rnnlab_command("run", "sine-recurrent", "--epochs", "3000", "--no-plots", "--out",
                                           str(out)), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdout.readline()  # the first progress line; then the reader goes away (`| head -1`)
    proc.stdout.close()
    assert proc.wait(timeout=120) == 141  # the shell's code for a program whose pipe closed
    assert (out / "summary.json").is_file() and (out / "params.npz").is_file()


class _Broken(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def test_progress_falls_silent_when_its_stream_breaks():
    progress = Progress("r", _Broken(), live=False)
    progress.on_start(TrainState(), None, 100)
    progress.on_progress(TrainState(epoch=100), np.ones((1, 1)))  # would raise and stop training
    assert progress.silent


def test_plain_progress_prints_at_least_every_30_seconds_with_the_time_left():
    now = [0.0]
    stream = io.StringIO()
    progress = Progress("r", stream, live=False, clock=lambda: now[0])
    total = 10**9
    progress.on_start(TrainState(), None, total)
    for tick in range(1, 7):  # 500 epochs every 30 s: a tenth of the run is 70 days away
        now[0] = 30.0 * tick
        progress.on_progress(TrainState(epoch=500 * tick), np.ones((1, 1)))
        now[0] += 29.0  # a chunk later, within 30 s of the last line: no new line
        progress.on_progress(TrainState(epoch=500 * tick + 1), np.ones((1, 1)))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 6 and "epoch 3000/1000000000" in lines[-1] and "3m00s elapsed" in lines[-1]
    assert lines[-1].endswith("694.4 days left"), lines[-1]


def test_a_full_disk_names_the_file_meant_not_its_temporary(monkeypatch, tmp_path):
    real = os.replace

    def full(src, dst, *args, **kwargs):
        if str(dst).endswith(".png"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError) as caught:
        atomic_write_bytes(tmp_path / "forecast.png", b"png")
    assert caught.value.errno == errno.ENOSPC
    assert describe(caught.value) == f"cannot write {tmp_path / 'forecast.png'} (No space left on device)"
    assert not list(tmp_path.iterdir())


def test_ctrl_c_on_a_slow_model_stops_within_a_second_or_two(tmp_path):
    out = tmp_path / "r"
    proc = subprocess.Popen(rnnlab_command("run", "elman-sine", "--set", "model.hidden=1500", "--set", "optim.lr=1e-6",
                                           "--epochs", "1000000",
                                           "--no-plots", "--out", str(out)), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out / WORKING).exists() and time.monotonic() < deadline:  # its first metrics row: training
        time.sleep(0.1)
    time.sleep(1.0)
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _, err = communicate(proc, 60)
    waited = time.perf_counter() - sent
    assert proc.returncode == 130 and "checkpoint saved" in err, err
    assert waited < 3.0, f"Ctrl-C took {waited:.1f}s"  # chunks last about CHUNK_SECONDS, not a number of epochs
