"""What the numba engine's fused kernel covers, decided without importing numba (so
`--engine auto` can ask cheaply)."""

from __future__ import annotations

from rnnlab.spec import ModelSpec, TrainingSpec

ACTIVATIONS = {"tanh": 0, "sigmoid": 1}  # the kernel's codes
LOSSES = {"sse_half": 0, "mse": 1, "l1": 2, "elastic_net": 3, "huber": 4, "soft_l1": 5, "clip": 6}


def unfused_reason(model: ModelSpec, training: TrainingSpec) -> str | None:
    """Why the kernel cannot train this model (None: it can)."""
    checks = [
        (model.cell == "elman", f"cell '{model.cell}'"),
        (model.layers == 1, f"{model.layers} layers"),
        (model.readout == "last", "readout at every step"),
        (model.activation in ACTIVATIONS, f"activation '{model.activation}'"),
        (training.schedule == "full_batch", f"schedule '{training.schedule}'"),
        (training.optimizer == "sgd", f"optimizer '{training.optimizer}'"),
        (training.gradient == "exact", "the primer's approximate gradient"),
        (training.clip == 0, "gradient clipping"),
        (training.loss.name in LOSSES and training.report.name in LOSSES, f"loss '{training.loss.name}'"),
    ]
    missing = [what for ok, what in checks if not ok]
    return None if not missing else ", ".join(missing) + ": trained by the numpy engine's loop"
