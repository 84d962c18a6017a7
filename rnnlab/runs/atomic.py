"""Atomic file writes for run folders.

A run folder is read while it is being written (plots are re-rendered during
training, other processes may poll it), so every file in it must appear
either complete or not at all. Writers produce a temporary sibling and
``os.replace`` it onto the final name, which is atomic on POSIX and Windows
when both paths are on the same file system (hence a sibling, not /tmp).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "atomic_write_bytes"]


def _fsync_file(path: Path) -> None:
    # POSIX can fsync a read-only descriptor; Windows needs write access.
    fd = os.open(path, os.O_RDONLY if os.name == "posix" else os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Persist the rename itself. Best effort: Windows and some file systems refuse."""
    if os.name != "posix":
        return
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary sibling of ``path``; move it onto ``path`` on success.

    The body must create the yielded file. If the body raises, the temporary
    file is removed and ``path`` is left exactly as it was. The temporary name
    starts with a dot so directory listings and globs like ``*.png`` skip it,
    and ends with the pid so concurrent processes do not collide.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        if err.errno is None or err.filename not in (None, str(tmp), tmp):
            raise
        # a full disk while writing or renaming: the error names the file meant, not its temporary
        raise OSError(err.errno, err.strerror, str(target)) from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` so readers never see a partial file."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
