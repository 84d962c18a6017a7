"""Series sources and the framing of a series into training examples."""

from rnnlab.data.dataset import Dataset, build_dataset

__all__ = ["Dataset", "build_dataset"]
