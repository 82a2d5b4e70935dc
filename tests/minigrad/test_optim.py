"""minigrad.optim against torch.optim: several steps from identical parameters must agree."""
import numpy as np
import pytest
import torch

import minigrad
from minigrad import optim


def to_mg(t):
    return minigrad.from_torch(t)


def run_both(mg_cls, torch_cls, kwargs, dtype=torch.float64, steps=6):
    """Minimise the same small regression loss with both optimizers; return final parameters."""
    g = torch.Generator().manual_seed(0)
    w0 = torch.randn(4, 3, generator=g, dtype=dtype)
    b0 = torch.randn(3, generator=g, dtype=dtype)
    x = torch.randn(8, 4, generator=g, dtype=dtype)
    y = torch.randn(8, 3, generator=g, dtype=dtype)
    results = []
    for _, cls, conv in ((minigrad, mg_cls, to_mg), (torch, torch_cls, lambda t: t)):
        w = conv(w0.clone()).requires_grad_()
        b = conv(b0.clone()).requires_grad_()
        xs, ys = conv(x), conv(y)
        opt = cls([w, b], **kwargs)
        for _ in range(steps):
            opt.zero_grad()
            loss = (((xs @ w + b).tanh() - ys) ** 2).mean()
            loss.backward()
            opt.step()
        results.append([w.detach().numpy().copy(), b.detach().numpy().copy()])
        assert w.is_leaf and w.requires_grad and w.grad_fn is None
    return results


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01),
    dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1),
    dict(lr=0.1, momentum=0.5, maximize=True),
]
ADAM_CASES = [
    dict(lr=0.1),
    dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    dict(lr=0.1, amsgrad=True),
    dict(lr=0.05, betas=(0.3, 0.9)),
    dict(lr=0.1, maximize=True),
]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("kwargs", SGD_CASES, ids=str)
def test_sgd_matches_torch(kwargs, dtype):
    mine, ref = run_both(optim.SGD, torch.optim.SGD, kwargs, dtype)
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == torch.float64 else dict(rtol=1e-5, atol=1e-6)
    for m, r in zip(mine, ref):
        np.testing.assert_allclose(m, r, **tol)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("kwargs", ADAM_CASES, ids=str)
def test_adam_matches_torch(kwargs, dtype):
    mine, ref = run_both(optim.Adam, torch.optim.Adam, kwargs, dtype)
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == torch.float64 else dict(rtol=1e-5, atol=1e-6)
    for m, r in zip(mine, ref):
        np.testing.assert_allclose(m, r, **tol)


def test_param_groups_and_state():
    a = minigrad.ones(2, requires_grad=True)
    b = minigrad.ones(2, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    (a.sum() + b.sum()).backward()
    opt.step()
    np.testing.assert_allclose(a.detach().numpy(), [0.9, 0.9])
    np.testing.assert_allclose(b.detach().numpy(), [0.5, 0.5])
    assert set(opt.state[a]) == {"momentum_buffer"}
    c = minigrad.ones(1, requires_grad=True)  # no gradient: left alone
    opt.add_param_group({"params": [c]})
    opt.step()
    assert c.item() == 1.0


def test_zero_grad_and_closure():
    w = minigrad.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.Adam([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert loss.item() == 5.0 and w.grad is not None
    opt.zero_grad(set_to_none=False)
    assert (w.grad.numpy() == 0).all()
    opt.zero_grad()
    assert w.grad is None


def test_model_converted_after_optimizer_creation_still_trains():
    model = minigrad.nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    model.double()
    model(minigrad.ones(3, 2, dtype=minigrad.float64)).sum().backward()
    before = model.weight.detach().numpy().copy()
    opt.step()
    assert not np.allclose(before, model.weight.detach().numpy())


def test_repr_matches_torch():
    w = minigrad.zeros(2, requires_grad=True)
    wt = torch.zeros(2, requires_grad=True)
    assert repr(optim.SGD([w], lr=0.1, momentum=0.9)) == repr(
        torch.optim.SGD([wt], lr=0.1, momentum=0.9))
    assert repr(optim.Adam([w])) == repr(torch.optim.Adam([wt]))


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we compare whatever is raised
        return type(e), str(e).replace("minigrad.", "torch.")
    return None


ERRORS = {
    "negative lr": lambda lib, w: lib.optim.SGD([w], lr=-1),
    "nesterov": lambda lib, w: lib.optim.SGD([w], lr=0.1, nesterov=True),
    "momentum": lambda lib, w: lib.optim.SGD([w], lr=0.1, momentum=-0.5),
    "beta": lambda lib, w: lib.optim.Adam([w], betas=(1.0, 0.9)),
    "eps": lambda lib, w: lib.optim.Adam([w], eps=-1.0),
    "empty": lambda lib, w: lib.optim.SGD([], lr=0.1),
    "tensor not iterable": lambda lib, w: lib.optim.SGD(w, lr=0.1),
    "non-leaf": lambda lib, w: lib.optim.SGD([w * 2], lr=0.1),
    "twice": lambda lib, w: lib.optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1),
}


@pytest.mark.parametrize("case", ERRORS)
def test_errors_match_torch(case):
    call = ERRORS[case]
    ref = _error(lambda: call(torch, torch.zeros(2, requires_grad=True)))
    assert ref is not None
    assert _error(lambda: call(minigrad, minigrad.zeros(2, requires_grad=True))) == ref
