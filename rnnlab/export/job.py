"""`rnnlab export`: a run folder's model written for other frameworks, and optionally verified."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rnnlab.errors import UserError
from rnnlab.export.source import ExportModel, load_model
from rnnlab.export.targets import target
from rnnlab.export.verify import Check, verify


@dataclass
class ExportResult:
    model: ExportModel
    folder: Path
    files: dict[str, list[Path]] = field(default_factory=dict)  # target -> files written
    skipped: dict[str, str] = field(default_factory=dict)  # target -> why it cannot express the model
    checks: list[Check] = field(default_factory=list)


def default_folder(run_dir: Path, model: ExportModel) -> Path:
    return run_dir / ("export" if model.member is None else f"export-member{model.member}")


def export_run(run_dir: Path, targets: list[str], *, out: Path | None = None, member: int = 0,
               check: bool = False, skip_inexpressible: bool = False) -> ExportResult:
    """Write the model of `run_dir` for each of `targets` into `out` (default: RUN_DIR/export,
    or RUN_DIR/export-member<K> for an ensemble's member K); with `check`, load each file in
    its own runtime and compare with rnnlab (ExportResult.checks).

    A target that cannot express the model raises UserError, or is listed in
    ExportResult.skipped when `skip_inexpressible` (as for 'all')."""
    run_dir = Path(run_dir)
    model = load_model(run_dir, member)
    folder = Path(out) if out is not None else default_folder(run_dir, model)
    result = ExportResult(model, folder)
    runnable = []
    for name in targets:
        try:
            target(name).check(model.spec)
        except UserError as err:
            if not skip_inexpressible:
                raise
            result.skipped[name] = str(err)
            continue
        runnable.append(name)
    _make_folder(folder)
    for name in runnable:
        result.files[name] = _write_atomically(model, name, folder)
    if check:
        for name in runnable:
            result.checks.extend(verify(model, name, folder))
    return result


def _make_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder}: exists and is not a folder; choose another folder for the export")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"{folder}: cannot create it ({err.strerror or err}); choose a writable folder") from None


def _write_atomically(model: ExportModel, name: str, folder: Path) -> list[Path]:
    """Write into a temporary folder beside the files, then move each file into place: a
    reader never sees half a file, and an export that fails leaves the earlier files as they were."""
    with tempfile.TemporaryDirectory(prefix=f".{name}-", dir=folder) as tmp:
        written = target(name).write(model, Path(tmp))
        final = [folder / path.name for path in written]
        for path, dest in zip(written, final):
            os.replace(path, dest)
    return final
