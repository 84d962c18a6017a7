"""Write every measured figure of README.md and docs/ into its marked block.

    python -m benchmarks.docs_numbers                 # every block (about 30 minutes on 2 cores)
    python -m benchmarks.docs_numbers --only fidelity-table compare-example
    python -m benchmarks.docs_numbers --check         # regenerate, compare, write nothing; exit 1 on a difference
    python -m benchmarks.docs_numbers --list

Each block is written between `<!-- numbers:NAME -->` and `<!-- /numbers:NAME -->`. Its
figures are checked against a regeneration with the tolerance of their kind (doc_blocks.KINDS):
tests/docs/test_docs_numbers.py regenerates the fast blocks and spot-checks the slow ones.
Benchmark timings are not here: they live in benchmarks/results.md (python -m benchmarks.run).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Callable

from benchmarks import docs_blocks_text as text
from benchmarks.doc_blocks import compare_figures, find_blocks, unmark, write_block


@dataclass(frozen=True)
class Block:
    name: str
    produce: Callable[[], str]  # the block's text, its figures marked (doc_blocks.fig)
    fast: bool  # the test regenerates it whole; a slow block is spot-checked


BLOCKS = (
    Block("primer-vs-recurrent", text.primer_vs_recurrent, fast=False),
    Block("recurrent-stability", text.recurrent_stability, fast=False),
    Block("compare-defaults", text.compare_defaults, fast=False),
    Block("compare-example", text.compare_example, fast=True),
    Block("fidelity", text.fidelity, fast=True),
    Block("fidelity-table", text.fidelity_table, fast=True),
    Block("primer-numpy-approx", text.primer_numpy_approx, fast=True),
    Block("primer-numpy-long", text.primer_numpy_long, fast=False),
)


def check(block: Block) -> list[str]:
    """How the committed block departs from a regeneration (empty: it agrees)."""
    path, body = find_blocks()[block.name]
    return [f"{path.name}, block {block.name}: {p}" for p in compare_figures(body, block.produce())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.docs_numbers", description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these blocks only")
    parser.add_argument("--check", action="store_true", help="compare with a regeneration, write nothing")
    parser.add_argument("--list", action="store_true", help="list the blocks and where they are")
    args = parser.parse_args(argv)
    found = find_blocks()
    chosen = [b for b in BLOCKS if not args.only or b.name in args.only]
    unknown = set(args.only or ()) - {b.name for b in BLOCKS}
    missing = [b.name for b in BLOCKS if b.name not in found]
    if unknown or missing:
        print(f"unknown blocks: {sorted(unknown)}; blocks missing from the docs: {missing}", file=sys.stderr)
        return 2
    if args.list:
        for b in BLOCKS:
            print(f"{b.name:<22} {found[b.name][0].relative_to(found[b.name][0].parents[1])}  "
                  f"{'fast' if b.fast else 'slow'}")
        return 0
    problems = []
    for block in chosen:
        if args.check:
            problems += check(block)
        else:
            changed = write_block(found[block.name][0], block.name, unmark(block.produce())[0])
            print(f"{block.name}: {'rewritten' if changed else 'unchanged'} ({found[block.name][0].name})")
    print("\n".join(problems) or ("every figure agrees" if args.check else ""), file=sys.stderr if problems else None)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
