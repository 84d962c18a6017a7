"""`rnnlab import FILE`: a model trained elsewhere as a run folder (predict, export)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import", help="turn a PyTorch state_dict (nn.RNN/LSTM/GRU + Linear) into a run folder",
        description="Read a PyTorch state_dict of nn.RNN, nn.LSTM or nn.GRU (any depth, batch_first or not) and "
                    "one nn.Linear readout, or a .safetensors file written by `rnnlab export`, and write it as a "
                    "run folder that `rnnlab predict` and `rnnlab export` accept. The tensors give the sizes, "
                    "depth, biases and cell; nn.RNN is taken as tanh (its default). The folder's config describes "
                    "a sine task of the model's shape, which predict evaluates: the model was not trained on it.",
        epilog="examples:\n  rnnlab import model.pt --cell lstm\n"
               "  rnnlab import model.pt --readout every --out runs/mine\n"
               "  rnnlab import runs/x/export/model.safetensors",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE", help="a torch state_dict (.pt, .pth) or an rnnlab .safetensors export")
    p.add_argument("--cell", choices=("elman", "lstm", "gru"),
                   help="check that the file holds this cell (it is read from the tensors' shapes)")
    p.add_argument("--readout", choices=("last", "every"),
                   help="torch files: the Linear reads the last step's state (default) or every step's")
    p.add_argument("--out", metavar="DIR", help="the run folder to write (default: runs/imported-<UTC time>)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from rnnlab.export.importer import import_model

    out, summary = import_model(Path(args.file), Path(args.out) if args.out else None, cell=args.cell,
                                readout=args.readout, argv=args.argv)
    print(f"imported {args.file}: {summary['model']}")
    print(f"run folder: {out}  (rnnlab predict {out}; rnnlab export {out} --to onnx)")
    return 0
