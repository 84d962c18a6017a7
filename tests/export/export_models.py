"""Tiny models for the export tests: every cell, depth, bias setting and readout, with
torch's default initialisation (uniform biases, so GRU's b_hn is not zero and a bias put
in the wrong slot shows)."""

from __future__ import annotations

import itertools

import numpy as np

from rnnlab.core.init import torch_default_stacked
from rnnlab.export.source import ExportModel
from rnnlab.spec import ModelSpec

CELLS = (("elman", "tanh"), ("elman", "sigmoid"), ("lstm", "tanh"), ("gru", "tanh"))
GRID = [(cell, act, layers, bias, readout) for (cell, act), layers, bias, readout
        in itertools.product(CELLS, (1, 2), (False, True), ("last", "every"))]


def case_id(case) -> str:
    cell, act, layers, bias, readout = case
    name = cell if cell != "elman" else f"elman-{act}"
    return f"{name}-{layers}layer-{'bias' if bias else 'nobias'}-{readout}"


def tiny_model(cell: str, activation: str, layers: int, bias: bool, readout: str, *, d: int = 3, h: int = 5,
               o: int = 2, seed: int = 0) -> ExportModel:
    spec = ModelSpec(cell, activation, d, h, o, bias, bias, readout, layers)
    params = torch_default_stacked(seed, cell, d, h, o, layers, bias, bias)
    test_x = np.random.default_rng(seed).standard_normal((4, 7, d))
    return ExportModel(spec, params, test_x, f"tiny {case_id((cell, activation, layers, bias, readout))}")
