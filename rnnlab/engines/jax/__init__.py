"""The JAX engine: the same model, differentiated automatically and compiled by XLA,
whole chunks of epochs per call, and ensembles vectorised with `vmap`.

Importing it configures JAX first (rnnlab.engines.jax.runtime: float64, XLA flags, the
compilation cache), so it is imported only when asked for (rnnlab.engines.create_engine);
`import rnnlab` never imports JAX.
"""

from rnnlab.engines.jax.runtime import configure

configure()

from rnnlab.engines.jax.engine import JaxEngine  # noqa: E402 - after configure()
from rnnlab.engines.jax.ensemble import JaxEnsemble  # noqa: E402

__all__ = ["JaxEngine", "JaxEnsemble"]
