"""Every figure in README.md and docs/ is the output of `python -m benchmarks.docs_numbers`:
the fast blocks are regenerated whole and compared figure by figure, each within the
tolerance of its kind (benchmarks/doc_blocks.py: KINDS); the slow ones (minutes of
training) are spot-checked on their cheapest figure, and regenerated in full by
`python -m benchmarks.docs_numbers --check`."""

import re

import pytest

pytest.importorskip("torch")
pytest.importorskip("jax")
pytest.importorskip("numba")

from benchmarks import docs_blocks_text, docs_measure  # noqa: E402
from benchmarks.doc_blocks import compare_figures, find_blocks  # noqa: E402
from benchmarks.docs_numbers import BLOCKS, check  # noqa: E402
from rnnlab.config import override  # noqa: E402
from rnnlab.recipes import resolve  # noqa: E402
from rnnlab.train.experiment import initial_params, prepare  # noqa: E402


def test_every_block_is_in_the_docs_once_and_filled():
    found = find_blocks()
    assert sorted(found) == sorted(b.name for b in BLOCKS)
    assert all(body.strip() for _, body in found.values())


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.fast], ids=lambda b: b.name)
def test_a_fast_block_is_its_regeneration(block):
    assert check(block) == []


def _committed(name: str) -> str:
    return find_blocks()[name][1]


def test_primer_vs_recurrent_spot_check_primer_torch_seed_1():
    cfg = override(resolve("primer-torch"), ["run.engine=numpy", "run.seed=1"])
    _, rmse = docs_measure.trained(cfg, initial_params(cfg, prepare(cfg).spec))
    cell = re.search(r"^\| 1 \| ([0-9.]+) \|", _committed("primer-vs-recurrent"), re.M)
    assert cell is not None and abs(float(cell[1]) - rmse) <= 1.0000001e-4, (cell, rmse)  # +-1 in the 4th decimal


def test_compare_defaults_spot_check_elman_sine_float32():
    row = next(line for line in _committed("compare-defaults").splitlines() if line.startswith("| `elman-sine` | float32"))
    fresh = docs_blocks_text.defaults_row("elman-sine", "float32", docs_measure.comparison("elman-sine", "float32"))
    assert compare_figures(row, fresh) == [] and row.endswith("| PASS |")
