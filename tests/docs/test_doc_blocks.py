"""The marked blocks of generated text and how their figures are compared (benchmarks/doc_blocks.py)."""

import pytest

from benchmarks import doc_blocks
from benchmarks.doc_blocks import compare_figures, fig, figures, unmark, words, wrap


def test_figures_and_words():
    text = "20,000 steps at lr 0.3: 1.5e-14 and -2 (seed 7, `x9` left alone, 0.0048–0.0055)"
    assert figures(text) == [20000.0, 0.3, 1.5e-14, -2.0, 7.0, 0.0048, 0.0055]
    assert words(text) == "# steps at lr #: # and # (seed #, `x9` left alone, #–#)"


def test_unmark_gives_each_figure_its_kind():
    plain, kinds = unmark(f"{fig(3, 'd')} runs of 20,000 epochs: {fig(0.01234, '.3g', 'digits')} "
                          f"({fig(1.2e-7, '.1e', 'rounding')})")
    assert plain == "3 runs of 20,000 epochs: 0.0123 (1.2e-07)"
    assert kinds == ["exact", "exact", "digits", "rounding"]


@pytest.mark.parametrize("kind,old,new,agree", [
    ("exact", "200", "200", True), ("exact", "200", "199", False),
    ("digits", "0.0067", "0.0068", True), ("digits", "0.0067", "0.0069", False),
    ("float32", "2.01561", "2.01562", True), ("float32", "2.01561", "2.0157", False),
    ("rounding", "4.1e-06", "9e-07", True), ("rounding", "4.1e-06", "3e-07", False), ("rounding", "0", "1e-16", False),
    ("cpu", "1263", "1301", True),
])
def test_each_kind_of_figure_has_its_tolerance(kind, old, new, agree):
    assert (compare_figures(f"x {old} y\n", f"x {fig(new, '', kind)} y\n") == []) == agree


def test_text_must_match_but_line_breaks_may_move():
    assert compare_figures("a b\nc 1\n", "a b c 1\n") == []
    assert compare_figures("a b 1\n", "a c 1\n") != []


def test_wrap_counts_only_visible_characters():
    marked = " ".join(fig(123456, "d", "cpu") for _ in range(20))
    assert all(len(line) <= 30 for line in unmark(wrap(marked, 30))[0].splitlines())


def test_write_block_replaces_only_the_inside(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("before\n<!-- numbers:x -->\nold\n<!-- /numbers:x -->\nafter\n", encoding="utf-8")
    assert doc_blocks.write_block(page, "x", "new 1")
    assert page.read_text(encoding="utf-8") == "before\n<!-- numbers:x -->\nnew 1\n<!-- /numbers:x -->\nafter\n"
    assert not doc_blocks.write_block(page, "x", "new 1")
    with pytest.raises(ValueError, match="no block y"):
        doc_blocks.write_block(page, "y", "z")
