"""`rnnlab export RUN_DIR --to TARGET`: a run's model for PyTorch, ONNX, Keras or safetensors."""

from __future__ import annotations

import argparse
from pathlib import Path

from rnnlab.cli.common import int_at_least


def how_to_load(name: str, folder: Path, lstm: bool) -> str:
    """One line of Python that loads the file `name` wrote (docs/export.md has the details)."""
    c0 = ', "c0": c0' if lstm else ""
    return {
        "onnx": f'onnxruntime.InferenceSession("{folder}/model.onnx").run(None, {{"x": x, "h0": h0{c0}}})',
        "torch": f"from load_model import load; y, state = load()(x)   (in {folder})",
        "keras": f'keras.saving.load_model("{folder}/model.keras")({{"x": x, "h0_l0": h0[0], ...}})',
        "safetensors": f'safetensors.numpy.load_file("{folder}/model.safetensors")   (layout: its metadata)',
    }[name]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="write a run's model for PyTorch, ONNX, Keras or safetensors, and verify it",
        description="Write the model of a finished run folder for another framework: an ONNX graph taking the "
                    "initial state as an input (dynamic batch and time), a PyTorch state_dict with a short "
                    "loader, a Keras model, or safetensors with the layout in its metadata. --verify loads "
                    "each file in its own runtime and compares its outputs with rnnlab's. docs/export.md "
                    "sets the weight layouts side by side.",
        epilog="examples:\n  rnnlab export runs/x --to onnx\n  rnnlab export runs/x --to all --verify\n"
               "  rnnlab export runs/ens --to torch --member 2 --out exported/",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by `rnnlab run` or `rnnlab import`")
    p.add_argument("--to", required=True, metavar="TARGET",
                   help="onnx, torch, keras, safetensors, several separated by commas, or all (every target "
                        "that can express the model)")
    p.add_argument("--out", metavar="DIR", help="where to write the files (default: RUN_DIR/export, or "
                   "RUN_DIR/export-member<K> for an ensemble)")
    p.add_argument("--member", type=int_at_least(0, "members"), default=0, metavar="K",
                   help="which member of an ensemble run to export (default 0)")
    p.add_argument("--verify", action="store_true", help="load each file in its own runtime and compare its outputs "
                   "with rnnlab's (exit code 1 when one differs by more than float32 rounding)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from rnnlab.export.job import export_run
    from rnnlab.export.source import describe
    from rnnlab.export.targets import parse_targets
    from rnnlab.export.to_torch import loader_source

    targets = parse_targets(args.to)
    result = export_run(Path(args.run_dir), targets, out=Path(args.out) if args.out else None, member=args.member,
                        check=args.verify, skip_inexpressible=len(targets) > 1)
    print(f"export {result.model.label}: {describe(result.model.spec)}")
    for name, files in result.files.items():
        print(f"{name:<12} {', '.join(str(f) for f in files)}")
        print(f"{'':<12} load: {how_to_load(name, result.folder, result.model.spec.cell == 'lstm')}")
    for name, why in result.skipped.items():
        print(f"{name:<12} skipped: {why}")
    if targets == ["torch"]:
        print(f"\n{result.folder / 'load_model.py'}:\n{loader_source(result.model.spec, result.model.label)}")
    if not args.verify:
        return 0
    return print_checks(result.checks)


def print_checks(checks: list) -> int:
    """The verification table; 1 when a check failed."""
    from rnnlab.export.verify import TOLERANCE

    print(f"\nverify: each file in its own runtime (float32) against rnnlab (float64); max relative error, "
          f"tolerance {TOLERANCE:g}")
    print(f"{'target':<12} {'inputs':<24} {'batch':>5} {'time':>5} {'y':>9} {'state':>9}  ok")
    for c in checks:
        errors = f"{c.y_error:>9.1e} {c.state_error:>9.1e}" if not c.problem else f"{c.problem}"
        print(f"{c.target:<12} {c.inputs:<24} {c.batch:>5} {c.time:>5} {errors}  {'yes' if c.ok else 'NO'}")
    failed = [c for c in checks if not c.ok]
    print(f"{len(checks) - len(failed)} of {len(checks)} checks within {TOLERANCE:g}")
    return 1 if failed else 0
