"""The exceptions the command line turns into one line and an exit code.

UserError: bad input, exit code 2 (so is PlotError: a complete run whose plots failed).
Diverged: training blew up, exit code 3. Interrupted: stopped on request with a
checkpoint written, exit code 130.
"""

from __future__ import annotations

import shlex
from pathlib import Path


class UserError(Exception):
    """Bad input from the user: the message says what is wrong and how to fix it."""


class WriteError(UserError, OSError):
    """A file could not be written (full disk, no permission). It is an OSError too, so
    callers catching OSError still see it; the files already there are unchanged."""


class PlotError(UserError):
    """The plots could not be drawn or written; the run itself is complete (summary.json
    is written), so this is reported after it, as one line."""


class Diverged(Exception):
    """NaN, infinity or an exploding loss stopped training; the last good checkpoint is kept."""

    def __init__(self, epoch: int, reason: str, hint: str, checkpoint_epoch: int | None = None) -> None:
        self.epoch, self.reason, self.hint, self.checkpoint_epoch = epoch, reason, hint, checkpoint_epoch
        super().__init__(epoch, reason, hint, checkpoint_epoch)

    def __str__(self) -> str:
        kept = ("no checkpoint was written before" if self.checkpoint_epoch is None
                else f"the last good checkpoint (epoch {self.checkpoint_epoch}) is kept")
        return f"diverged at epoch {self.epoch}: {self.reason} ({self.hint}); {kept}"


class Interrupted(Exception):
    """Training stopped at a step boundary because it was asked to (Ctrl-C); the state at
    `epoch` is in the run folder's checkpoint, so `rnnlab resume` continues from there."""

    def __init__(self, epoch: int, epochs: int, run_dir: Path | None = None) -> None:
        self.epoch, self.epochs, self.run_dir = epoch, epochs, run_dir
        super().__init__(epoch, epochs, run_dir)

    def __str__(self) -> str:
        where = f": rnnlab resume {shlex.quote(str(self.run_dir))}" if self.run_dir else " with rnnlab resume"
        return f"interrupted at epoch {self.epoch} of {self.epochs}; checkpoint saved, continue{where}"
