"""`rnnlab datasets`: the bundled real series, with source and licence."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("datasets", help="list the bundled real series (usable by name in `rnnlab forecast`)",
                       description="List the small public-domain real series shipped with rnnlab, with "
                                   "their source and licence. Forecast one with `rnnlab forecast NAME`.")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from rnnlab.data.bundled import DATASETS

    width = max(len(name) for name in DATASETS)
    for ds in DATASETS.values():
        print(f"{ds.name:<{width}}  {ds.description}")
        print(f"{'':<{width}}  column '{ds.column}', one value per {ds.frequency}, default horizon {ds.horizon}"
              + (f", gaps filled by --fill {ds.fill}" if ds.fill != "none" else ""))
        print(f"{'':<{width}}  source: {ds.source}; licence: {ds.licence}")
    return 0
