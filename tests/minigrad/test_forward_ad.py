"""Forward-mode AD (``minigrad.autograd.forward_ad``) against torch's forward mode."""
import numpy as np
import pytest
import torch
import torch.autograd.forward_ad as tfwd

import minigrad
import minigrad.autograd.forward_ad as mfwd
from torch_pairs import both, close


def _jvp(L, fwd, f, xs, us):
    with fwd.dual_level():
        out = f(L, *[fwd.make_dual(x, u) for x, u in zip(xs, us)])
        return fwd.unpack_dual(out)


def net(L, x, w):
    h = L.tanh(x @ w)
    return L.log_softmax(h * h.sigmoid(), dim=-1).sum(0) + (x ** 2).mean()


def test_network_jvp_matches_torch():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(4, 3)), rng.normal(size=(3, 5))]
    tangents = [rng.normal(size=a.shape) for a in arrays]
    (tx, mx), (tu, mu) = both(arrays, False), both(tangents, False)
    t_out, t_tan = _jvp(torch, tfwd, net, tx, tu)
    m_out, m_tan = _jvp(minigrad, mfwd, net, mx, mu)
    close(m_out, t_out)
    close(m_tan, t_tan)


def test_unpack_dual_outside_and_after_the_level():
    x = minigrad.tensor([1.0, 2.0])
    with mfwd.dual_level():
        d = mfwd.make_dual(x, minigrad.tensor([1.0, 0.0]))
        y = d * 3
        primal, tangent = mfwd.unpack_dual(y)
        assert tangent.tolist() == [3.0, 0.0] and primal.tolist() == [3.0, 6.0]
        assert mfwd.unpack_dual(x).tangent is None  # the original tensor has no tangent
        assert mfwd.unpack_dual(primal).tangent is None
    assert mfwd.unpack_dual(y).tangent is None  # tangents live only inside the level
    assert mfwd.unpack_dual(y).primal.tolist() == [3.0, 6.0]


def test_make_dual_errors():
    with pytest.raises(RuntimeError):
        mfwd.make_dual(minigrad.ones(2), minigrad.ones(2))  # outside a dual level
    with mfwd.dual_level():
        with pytest.raises(RuntimeError, match="different size"):
            mfwd.make_dual(minigrad.ones(2), minigrad.ones(3))


def test_forward_mode_jacobian_columns():
    """n JVPs with one-hot tangents give the Jacobian column by column."""
    def f(L, x):
        return L.stack([x[0] * x[1], L.sin(x[2]), x.sum() ** 2])
    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    J = torch.autograd.functional.jacobian(lambda v: f(torch, v), x)
    mx = minigrad.from_torch(x)
    cols = [_jvp(minigrad, mfwd, f, [mx], [minigrad.tensor(np.eye(3)[k])])[1] for k in range(3)]
    close(minigrad.stack(cols, dim=1), J)


def test_forward_and_reverse_mode_together():
    """A dual tensor that also requires grad: tangents and gradients are both right."""
    rng = np.random.default_rng(1)
    a, u = rng.normal(size=3), rng.normal(size=3)
    res = []
    for L, fwd in ((torch, tfwd), (minigrad, mfwd)):
        x = L.tensor(a, requires_grad=True)
        with fwd.dual_level():
            y = (fwd.make_dual(x, L.tensor(u)).exp() * 2).sum()
            tangent = fwd.unpack_dual(y).tangent
        y.backward()
        res.append((tangent, x.grad))
    close(res[1], res[0])
