"""The PyTorch engine: autograd gradients, CPU/CUDA/MPS, and the original programs' own
torch ops, so the reference recipes print the originals' numbers. Imported only when
asked for (rnnlab.engines.create_engine), so `import rnnlab` never imports torch."""

from rnnlab.engines.torch.engine import TorchEngine

__all__ = ["TorchEngine"]
