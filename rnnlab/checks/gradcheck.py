"""Check an engine's gradient against central finite differences, in float64."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rnnlab.config import Config
from rnnlab.core.gradcheck import cosine_similarity, finite_difference, relative_error
from rnnlab.train.auto import resolve_engine
from rnnlab.train.experiment import build_engine, initial_params, prepare

TOLERANCE = 1e-6


@dataclass(frozen=True)
class GradcheckReport:
    errors: dict[str, float]  # parameter -> max relative error of the exact gradient
    examples: int
    approx_errors: dict[str, float] | None = None  # the configured approximation, if any
    approx_cosine: float | None = None

    @property
    def ok(self) -> bool:
        return all(e <= TOLERANCE for e in self.errors.values())


def gradcheck(cfg: Config, *, examples: int = 8, entries: int = 12, engine: str | None = None) -> GradcheckReport:
    """Compare the engine's exact gradient with finite differences on `examples` training
    examples (the whole sequence for next-step recipes); report the configured
    approximate gradient, if any, beside it."""
    cfg = resolve_engine(replace(cfg, run=replace(cfg.run, dtype="float64")), engine=engine)
    engine = cfg.run.engine
    exp = prepare(cfg)
    x, y = (exp.x, exp.y) if exp.dataset.framing == "next_step" else (exp.x[:examples], exp.y[:examples])
    params = initial_params(cfg, exp.spec)
    exact_exp = replace(exp, training=replace(exp.training, gradient="exact"))
    exact = build_engine(exact_exp, params, engine)
    _, grads = exact.gradients(x, y)
    numeric = finite_difference(lambda p: exact.objective(p, x, y), exact.get_params(), samples=entries)
    errors = {name: relative_error(grads[name].reshape(-1)[idx], est) for name, (idx, est) in numeric.items()}
    if exp.training.gradient == "exact":
        return GradcheckReport(errors, x.shape[0])
    _, approx = build_engine(exp, params, engine).gradients(x, y)
    approx_errors = {name: relative_error(approx[name].reshape(-1)[idx], est) for name, (idx, est) in numeric.items()}
    return GradcheckReport(errors, x.shape[0], approx_errors, cosine_similarity(approx, grads))


