"""Export tests: Keras keeps its settings in a temporary home, not the user's ~/.keras."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _keras_home(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    patch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras-home")))
    yield
    patch.undo()
