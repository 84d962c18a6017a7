"""One benchmark case in its own process (so its peak memory is its own): prints one JSON line.

    python -m benchmarks.worker CASE [--repeats N] [--full]
"""

from __future__ import annotations

import argparse
import json

from benchmarks.cases import REPEATS, run_case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("case")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run_case(args.case, args.repeats, args.full)))


if __name__ == "__main__":
    main()
