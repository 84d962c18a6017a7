"""The embedded default engine: pure NumPy, gradients written by hand."""

from rnnlab.engines.numpy.engine import NumpyEngine

__all__ = ["NumpyEngine"]
