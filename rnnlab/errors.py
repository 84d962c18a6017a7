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
    """Training stopped because it was asked to (Ctrl-C). `saved`: at a step boundary, the
    state at `epoch` saved in the run folder's checkpoint, so `rnnlab resume` continues from
    there; else stopped at once (a second Ctrl-C) and `epoch` is the last checkpoint's
    (None: none yet, and resume starts over)."""

    def __init__(self, epoch: int | None, epochs: int, run_dir: Path | None = None, saved: bool = True) -> None:
        self.epoch, self.epochs, self.run_dir, self.saved = epoch, epochs, run_dir, saved
        super().__init__(epoch, epochs, run_dir, saved)

    def __str__(self) -> str:
        where = f": rnnlab resume {shlex.quote(str(self.run_dir))}" if self.run_dir else " with rnnlab resume"
        if self.saved:
            return f"interrupted at epoch {self.epoch} of {self.epochs}; checkpoint saved, continue{where}"
        kept = ("no checkpoint was written yet, resume starts over" if self.epoch is None
                else f"the checkpoint of epoch {self.epoch} is kept")
        return f"stopped at once, mid-epoch, by a second Ctrl-C; {kept}{where}"
