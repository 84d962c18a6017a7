"""Processes for tests that start them: the process table (Linux: /proc), and waiting for
one without leaving it behind."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name (state, parent, ...), or None."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    return [int(entry) for entry in os.listdir("/proc")
            if entry.isdigit() and (fields := _stat(entry)) is not None and int(fields[1]) == pid]


def running(pids: list[int]) -> list[int]:
    """Those of `pids` that still run: they exist, and are not zombies waiting to be reaped
    (an orphan's reaper, PID 1 in a container, may never do it)."""
    return [pid for pid in pids if (fields := _stat(pid)) is not None and fields[0] != "Z"]


def catches_sigterm(pid: int) -> bool:
    """Whether `pid` has a handler of its own for SIGTERM (the SigCgt mask in /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16)
    return bool(caught >> (signal.SIGTERM - 1) & 1)


def communicate(proc: subprocess.Popen, timeout: float) -> tuple:
    """``proc.communicate(timeout=timeout)``; a process still running after it is killed (with
    its process group, when it leads one) and the test fails saying so, so that nothing is
    left running to trouble a later test."""
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if os.name == "posix" and os.getpgid(proc.pid) == proc.pid:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.communicate()
        pytest.fail(f"{' '.join(map(str, proc.args))} was still running after {timeout:g} s")
