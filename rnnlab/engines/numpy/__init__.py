"""The embedded default engine: pure NumPy, gradients written by hand; and its batched ensemble."""

from rnnlab.engines.numpy.engine import NumpyEngine
from rnnlab.engines.numpy.ensemble import NumpyEnsemble

__all__ = ["NumpyEngine", "NumpyEnsemble"]
