"""Kill a short run at every file-system call it makes, one kill per attempt, then continue
each killed run the way a user would; report what every killed folder held, as JSON.

Run as a script in a fresh process (`python fault_driver.py ROOT`): it forks one child per
attempt, and forking is only safe from a process with no other threads. Calls are seen by
an audit hook (sys.addaudithook: open, rename and replace, remove, mkdir, truncate) and by
a wrapped os.fsync; attempt k ends the child with os._exit just before its k-th call on
the run folder, as a SIGKILL would, leaving whatever it had written.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

EVENTS = ("open", "os.rename", "os.remove", "os.mkdir", "os.truncate", "os.rmdir")
RUN = ["run", "sine-recurrent", "--epochs", "30", "--checkpoint-every", "10", "--no-plots", "--quiet"]
FINAL = ("config.toml", "checkpoint.npz", "inspection.npz", "metrics.csv", "history.npz", "params.npz",
         "predictions.npz", "summary.json")


def _calls_on(out: Path, kill_at: int | None, counter: int) -> None:
    """In this (child) process, count calls on `out`; exit just before call `kill_at`."""
    seen = [0]
    prefix = str(out)

    def note(what: str) -> None:
        if not what.startswith(prefix):
            return
        seen[0] += 1
        if seen[0] == kill_at:
            os._exit(137)
        os.lseek(counter, 0, os.SEEK_SET)
        os.write(counter, str(seen[0]).encode().ljust(12))

    def hook(event: str, args: tuple) -> None:
        if event in EVENTS and args and isinstance(args[0], (str, bytes, os.PathLike)):
            note(os.fsdecode(args[0]))

    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        with_path = os.readlink(f"/proc/self/fd/{fd}") if os.path.exists(f"/proc/self/fd/{fd}") else ""
        note(with_path)
        real_fsync(fd)

    os.fsync = fsync
    sys.addaudithook(hook)


def _attempt(out: Path, kill_at: int | None, counter_path: Path) -> tuple[int, int]:
    """Run RUN into `out` in a child killed at call `kill_at`: (exit status, calls made)."""
    from rnnlab.cli import main

    counter = os.open(counter_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC)
    pid = os.fork()
    if pid == 0:
        code = 70  # an exception that main let through
        try:
            _calls_on(out, kill_at, counter)
            code = main([*RUN, "--out", str(out)])
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    calls = int(os.pread(counter, 12, 0) or b"0")
    os.close(counter)
    return os.waitstatus_to_exitcode(status), calls


def _files(out: Path) -> dict[str, str]:
    """Each final-named file in `out`: its SHA-256, or why it cannot be read."""
    from rnnlab.runs import checkpoint
    from rnnlab.runs.folder import read_npz

    found = {}
    for name in FINAL:
        path = out / name
        if not path.exists():
            continue
        try:
            if name == checkpoint.NAME:
                checkpoint.load(path)
            elif name.endswith(".npz"):
                read_npz(path)
            elif name.endswith(".json"):
                json.loads(path.read_text())
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        except Exception as err:  # noqa: BLE001 - reported, the test fails on it
            found[name] = f"unreadable: {type(err).__name__}: {err}"
    return found


def _continue(out: Path) -> int:
    """What a user does next with the folder of a killed run."""
    from rnnlab.cli import main
    from rnnlab.runs.status import run_status

    if not out.exists() or run_status(out).state == "empty":
        return main([*RUN, "--out", str(out)])
    status = run_status(out)
    if status.state == "complete":  # `rnnlab runs` names what a kill at the very end left: resume removes it
        if status.leftovers and main(["resume", str(out), "--quiet", "--no-plots"]) != 2:
            return 1
        return 1 if run_status(out).leftovers else 0
    return main(["resume", str(out), "--quiet", "--no-plots"])


def main(root: Path) -> dict:
    from rnnlab.cli import main as rnnlab

    reference = root / "reference"
    assert rnnlab([*RUN, "--out", str(reference)]) == 0  # also imports everything before the forks
    code, calls = _attempt(root / "counted", None, root / "counter")
    attempts = []
    for k in range(1, calls + 1):
        out = root / f"kill-{k:03d}"
        status, _ = _attempt(out, k, root / "counter")
        left = _files(out) if out.exists() else {}
        attempts.append({"kill_at": k, "status": status, "left": left, "continued": _continue(out)})
    return {"calls": calls, "uninterrupted": code, "reference": _files(reference), "attempts": attempts}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
