"""The same computation on torch and on minigrad: inputs made twice, results compared."""
import numpy as np
import torch

import minigrad


def both(arrays, requires_grad=True):
    """The same float64 values as torch tensors and as minigrad tensors."""
    t = [torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad) for a in arrays]
    m = [minigrad.tensor(a, dtype=minigrad.float64, requires_grad=requires_grad) for a in arrays]
    return t, m


def close(m, t, rtol=1e-7, atol=1e-9):
    """Assert a minigrad result equals a torch result (values, shape; tuples elementwise)."""
    if isinstance(t, (tuple, list)):
        assert len(m) == len(t)
        for a, b in zip(m, t):
            close(a, b, rtol, atol)
        return
    if t is None:
        assert m is None
        return
    assert m is not None, "minigrad gave None where torch gave a tensor"
    tv = t.detach().cpu().numpy()
    mv = m.detach().numpy()
    assert tuple(mv.shape) == tuple(tv.shape), (mv.shape, tv.shape)
    np.testing.assert_allclose(mv, tv, rtol=rtol, atol=atol)
