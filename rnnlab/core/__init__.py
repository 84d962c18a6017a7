"""Pure NumPy math shared by every engine: activations, losses, initialisers, gradient checks.

Nothing here imports the rest of the package or does I/O.
"""
