"""The numba engine: the NumPy engine's model with a compiled, fused training loop
(engine.py, kernel.py). Importing the package imports nothing heavy: scope.py says what
the kernel covers without numba."""
