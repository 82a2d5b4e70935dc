"""What references are computed with: torch, in float64, on CUDA when there is a GPU."""
from __future__ import annotations

import numpy as np


def device():
    """Where references run: CUDA when available, else the CPU."""
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def tensor(values, *, requires_grad=False, dtype="float64"):
    """A float64 torch tensor on ``device()`` from plain data (lists, numbers, numpy arrays)."""
    import torch

    return torch.tensor(np.asarray(values, dtype=np.float64), dtype=getattr(torch, dtype), device=device(),
                        requires_grad=requires_grad)


def rng(seed: int) -> np.random.Generator:
    """The random generator every case draws its inputs from (the same on both sides)."""
    return np.random.default_rng(seed)
