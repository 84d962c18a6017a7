"""rnnlab's benchmark suite: `python -m benchmarks.run` (see README.md)."""
