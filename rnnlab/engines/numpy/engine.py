"""The NumPy engine: readable, hand-written backpropagation through time
(rnnlab.engines.bptt), the embedded default."""

from __future__ import annotations

from rnnlab.engines.bptt.engine import BpttEngine


class NumpyEngine(BpttEngine):
    """The hand-written arithmetic as it is: every epoch a Python loop over NumPy calls."""

    name = "numpy"
