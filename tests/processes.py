"""The process table, for tests that check what a process leaves running (Linux: /proc)."""

from __future__ import annotations

import os
from pathlib import Path


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
