"""Dtypes, type promotion, creation functions and printing, compared with torch."""
import itertools

import numpy as np
import pytest
import torch

import minigrad

DTYPES = ["bool", "int32", "int64", "float32", "float64"]


def _name(t):
    return str(t.dtype).split(".")[-1]


def _make(L, dtype, zero_dim):
    data = 1 if zero_dim else [1, 0]
    return L.tensor(data, dtype=getattr(L, dtype))


@pytest.mark.parametrize("a, b", list(itertools.product(DTYPES, DTYPES)))
@pytest.mark.parametrize("dims", ["nd-nd", "nd-0d", "0d-nd", "0d-0d"])
def test_promotion_between_tensors(a, b, dims):
    za, zb = dims.split("-")[0] == "0d", dims.split("-")[1] == "0d"
    for op in (lambda x, y: x + y, lambda x, y: x * y, lambda x, y: x / y):
        t = op(_make(torch, a, za), _make(torch, b, zb)) if not (a == b == "bool" and op is None) else None
        m = op(_make(minigrad, a, za), _make(minigrad, b, zb))
        assert _name(m) == _name(t)


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("scalar", [True, 2, 2.5])
def test_promotion_with_python_scalars(a, scalar):
    for op in (lambda x, y: x + y, lambda x, y: y * x, lambda x, y: x / y, lambda x, y: x ** y):
        if a == "bool" and op(1, 1) == 1 ** 1 and isinstance(scalar, bool):
            continue
        try:
            t = op(_make(torch, a, False), scalar)
        except RuntimeError:
            continue
        m = op(_make(minigrad, a, False), scalar)
        assert _name(m) == _name(t), (a, scalar)
        np.testing.assert_allclose(m.numpy().astype(float), t.numpy().astype(float))


@pytest.mark.parametrize("make", [
    lambda L: L.tensor(1.5), lambda L: L.tensor(2), lambda L: L.tensor(True), lambda L: L.tensor([1, 2.0]),
    lambda L: L.tensor(np.array([1.0])), lambda L: L.tensor(np.array([1], dtype=np.int32)),
    lambda L: L.tensor(np.float64(1.0)), lambda L: L.zeros(2), lambda L: L.ones(2, 3),
    lambda L: L.zeros(2, dtype=L.float64), lambda L: L.full((2,), 3), lambda L: L.full((2,), 3.0),
    lambda L: L.full((2,), True), lambda L: L.arange(5), lambda L: L.arange(0, 1, 0.25),
    lambda L: L.arange(1.0, 5.0), lambda L: L.linspace(0, 1, 5), lambda L: L.eye(3),
    lambda L: L.eye(2, 3, dtype=L.int64), lambda L: L.rand(2), lambda L: L.randn(2, 2),
    lambda L: L.zeros_like(L.ones(2, dtype=L.int64)), lambda L: L.ones_like(L.ones(2), dtype=L.float64),
    lambda L: L.full_like(L.ones(2), 7), lambda L: L.from_numpy(np.ones(3, dtype=np.float64)),
    lambda L: L.ones(2).double(), lambda L: L.ones(2).to(L.float64).float(),
    lambda L: L.ones(2).long(), lambda L: L.ones(2).bool(), lambda L: L.ones(2) > 0,
    lambda L: L.ones(2, dtype=L.int64).sum(), lambda L: L.ones(2, dtype=L.bool).sum(),
    lambda L: L.ones(2, dtype=L.int64).exp(), lambda L: L.ones(2, dtype=L.int64) / 2,
    lambda L: L.tensor([1.0, 2.0], dtype=L.double),
])
def test_creation_dtypes_and_shapes(make):
    t, m = make(torch), make(minigrad)
    assert _name(m) == _name(t)
    assert tuple(m.shape) == tuple(t.shape) and m.ndim == t.ndim and m.numel() == t.numel()


def test_creation_values_and_requires_grad():
    for name, args in [("zeros", (2, 3)), ("ones", ((2,),)), ("eye", (3,)), ("arange", (2, 9, 3)),
                       ("linspace", (-1, 1, 7)), ("full", ((2, 2), 0.5))]:
        t = getattr(torch, name)(*args)
        m = getattr(minigrad, name)(*args)
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)
    x = minigrad.zeros(2, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    assert minigrad.tensor([1.0], requires_grad=True).requires_grad


def test_conversions():
    x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert x[1, 0].item() == 3.0 and isinstance(x.sum().item(), float)
    assert x.size() == (2, 2) and x.size(0) == 2 and x.shape == minigrad.Size([2, 2])
    a = np.arange(3.0)
    shared = minigrad.from_numpy(a)
    a[0] = 7
    assert shared[0].item() == 7.0
    assert minigrad.tensor(a).dtype is minigrad.float64
    t = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    m = minigrad.from_torch(t)
    assert m.dtype is minigrad.float64 and m.requires_grad and m.is_leaf
    back = m.to_torch()
    assert back.dtype == torch.float64 and torch.equal(back.detach(), t.detach())
    assert minigrad.ones(2).to(torch.float64).dtype is minigrad.float64  # torch dtypes work too


def test_random_numbers_are_seeded():
    minigrad.manual_seed(0)
    a = minigrad.randn(3)
    minigrad.manual_seed(0)
    assert minigrad.randn(3).tolist() == a.tolist()
    assert minigrad.rand(1000).numpy().min() >= 0 and minigrad.rand(1000).numpy().max() < 1


@pytest.mark.parametrize("make", [
    lambda L: L.tensor([4.0], requires_grad=True) ** 2,
    lambda L: L.tensor(2.0, requires_grad=True),
    lambda L: L.tensor([1.5, 2.0, 3.25]),
    lambda L: L.tensor([[1, 2], [3, 4]]),
    lambda L: L.tensor([1e-5, 1.0]),
    lambda L: L.tensor([1.0, 2.0], dtype=L.float64),
    lambda L: L.tensor([True, False]),
    lambda L: L.tensor(3),
    lambda L: L.zeros(0),
    lambda L: L.tensor([-1.0, 0.5]),
    lambda L: L.tensor([[0.1234, -20.5], [3.0, 4.0]], requires_grad=True).sum(0),
    lambda L: L.tensor([1.0, 2.0], requires_grad=True).sin(),
    lambda L: L.arange(6.0).reshape(2, 3),
    lambda L: L.tensor(0.6333),
])
def test_repr_matches_torch(make):
    assert repr(make(minigrad)).replace("minigrad", "torch") == repr(make(torch))
    assert str(make(minigrad)).replace("minigrad", "torch") == str(make(torch))


def test_dtype_objects_and_aliases():
    assert minigrad.float is minigrad.float32 and minigrad.double is minigrad.float64
    assert minigrad.long is minigrad.int64
    assert repr(minigrad.float64) == "minigrad.float64"
    assert minigrad.float32.is_floating_point and not minigrad.int64.is_floating_point
    assert minigrad.ones(1).dtype == minigrad.float32
