"""Command line: parse, call the library, turn failures into one line and an exit code.

Exit codes: 0 ok, 1 a check failed (gradcheck, compare), 2 bad input (or a file that
cannot be read or written), 3 training diverged, 130 interrupted (Ctrl-C), 141 the output
pipe closed (`| head`: the run itself is complete or saved).
Only argparse is imported at the top so `rnnlab --help` answers at once.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import NoReturn, Sequence

from rnnlab.cli import (
    compare_cmd,
    datasets_cmd,
    export_cmd,
    forecast_cmd,
    gradcheck_cmd,
    import_cmd,
    predict_cmd,
    recipes_cmd,
    report_cmd,
    resume_cmd,
    run_cmd,
    runs_cmd,
    sweep_cmd,
)

COMMANDS = (recipes_cmd, run_cmd, resume_cmd, runs_cmd, report_cmd, predict_cmd, gradcheck_cmd, compare_cmd,
            datasets_cmd, forecast_cmd, sweep_cmd, export_cmd, import_cmd)


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit code 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> Parser:
    parser = Parser(prog="rnnlab", description="Train small recurrent networks on sequences: "
                    "the reference tutorials as recipes, on interchangeable engines.")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
    except SystemExit as stop:  # --help, or a usage error already printed as one line
        return int(stop.code or 0)
    if args.command is None:
        parser.print_help()
        return 2
    args.argv = ["rnnlab", *args_list]
    try:
        return int(args.handler(args) or 0)
    except BrokenPipeError:
        return _reader_gone()
    except KeyboardInterrupt:
        print("rnnlab: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - the one place errors become exit codes
        code = _exit_code(err)
        if args.debug or code is None:
            raise
        from rnnlab.cli.common import in_flags

        try:
            print(f"rnnlab: {'error: ' if code == 2 else ''}{in_flags(str(err), args)}", file=sys.stderr)
        except BrokenPipeError:
            _reader_gone()
        return code


def _reader_gone() -> int:
    """stdout or stderr is a pipe whose reader left (`rnnlab run ... | head -1`): the work
    was done or saved, only its messages are lost. Later writes go nowhere, not into a
    traceback at exit; the code is the shell's for a program a closed pipe ended."""
    null = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            os.dup2(null, stream.fileno())
    os.close(null)
    return 128 + 13  # SIGPIPE


def _exit_code(err: Exception) -> int | None:
    """The exit code of an expected failure; None for a bug (shown with its traceback)."""
    from rnnlab.errors import Diverged, Interrupted, UserError

    if isinstance(err, Diverged):
        return 3
    if isinstance(err, Interrupted):
        return 130
    return 2 if isinstance(err, (UserError, OSError)) else None
