"""docs/api.md is a notebook session: every example runs here as written, outputs compared
(doctest), in a fresh folder so its `runs/` paths are its own."""

import doctest
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("pandas")

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_every_example_in_the_api_doc_runs_as_shown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False,
                              raise_on_error=False, report=True)
    assert result.attempted >= 20
    assert result.failed == 0, f"{result.failed} example(s) of docs/api.md differ (printed above)"


def test_a_wrong_output_in_the_doc_would_fail(tmp_path):
    wrong = tmp_path / "wrong.md"
    wrong.write_text("```python\n>>> import rnnlab\n>>> rnnlab.recipes()\n['no-such-recipe']\n\n```\n")
    assert doctest.testfile(str(wrong), module_relative=False, verbose=False, report=False).failed == 1
