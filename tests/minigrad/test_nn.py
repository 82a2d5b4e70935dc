"""minigrad.nn against torch.nn: modules, parameters, losses, clipping, printed forms, errors."""
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import minigrad
import minigrad.nn.functional as MF
import torch.nn.functional as TF
from minigrad import nn


def to_mg(t):
    return minigrad.from_torch(t)


def close(mine, ref, **kw):
    np.testing.assert_allclose(mine.detach().numpy(), ref.detach().numpy(),
                               **(kw or dict(rtol=1e-6, atol=1e-7)))


def copy_weights(src_torch, dst_mg):
    """Give a minigrad model the torch model's parameters (same names, same order)."""
    theirs = dict(src_torch.named_parameters())
    for name, p in dst_mg.named_parameters():
        with minigrad.no_grad():
            p.copy_(to_mg(theirs[name].detach()))


def normalized(text):
    return text.replace("minigrad.", "torch.")


def mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.ReLU(), lib.nn.Linear(5, 4),
                             lib.nn.Tanh(), lib.nn.Linear(4, 2), lib.nn.Sigmoid())


# ------------------------------------------------------------------ Parameter and Module basics
def test_parameter_is_a_leaf_that_requires_grad():
    p = nn.Parameter(minigrad.tensor([1.0, 2.0]))
    assert isinstance(p, minigrad.Tensor) and p.is_leaf and p.requires_grad
    assert repr(p) == "Parameter containing:\n" + repr(minigrad.tensor([1.0, 2.0],
                                                                         requires_grad=True))
    assert repr(p) == normalized(repr(torch.nn.Parameter(torch.tensor([1.0, 2.0]))))
    assert type(p * 2) is minigrad.Tensor
    assert not nn.Parameter(minigrad.zeros(2), requires_grad=False).requires_grad


def test_repr_and_names_match_torch():
    mine, ref = mlp(minigrad), mlp(torch)
    assert repr(mine) == repr(ref)
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [tuple(p.shape) for p in mine.parameters()] == [tuple(p.shape) for p in ref.parameters()]
    assert repr(nn.ReLU(inplace=True)) == repr(torch.nn.ReLU(inplace=True))
    assert repr(nn.MSELoss()) == "MSELoss()" and repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert len(list(mine.children())) == 6 and len(list(mine.modules())) == 7


def test_sequential_indexing():
    seq = mlp(minigrad)
    assert len(seq) == 6 and isinstance(seq[0], nn.Linear) and isinstance(seq[-1], nn.Sigmoid)
    assert isinstance(seq[1:3], nn.Sequential) and len(seq[1:3]) == 2
    assert [type(m).__name__ for m in seq][:2] == ["Linear", "ReLU"]
    with pytest.raises(IndexError):
        seq[6]


def test_forward_and_backward_match_torch():
    torch.manual_seed(0)
    ref, mine = mlp(torch).double(), mlp(minigrad).double()
    copy_weights(ref, mine)
    x = torch.randn(7, 3, dtype=torch.float64)
    y_ref, y_mine = ref(x), mine(to_mg(x))
    close(y_mine, y_ref, rtol=1e-12)
    y_ref.sum().backward()
    y_mine.sum().backward()
    for (_, p), q in zip(mine.named_parameters(), ref.parameters()):
        close(p.grad, q.grad, rtol=1e-10, atol=1e-12)


def test_linear_default_init_is_torchs_distribution():
    minigrad.manual_seed(0)
    layer = nn.Linear(64, 32)
    bound = 1 / math.sqrt(64)
    for p in (layer.weight, layer.bias):
        values = p.detach().numpy()
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.9 * bound  # spread over the whole interval, not ~0
    assert abs(layer.weight.detach().numpy().mean()) < 0.1 * bound
    # variance of U(-b, b) is b^2 / 3
    assert layer.weight.detach().numpy().var() == pytest.approx(bound ** 2 / 3, rel=0.15)
    assert layer.weight.dtype == minigrad.float32 and layer.weight.shape == (32, 64)
    assert nn.Linear(3, 2, bias=False).bias is None


def test_zero_grad_train_eval_and_dtype_conversion():
    model = mlp(minigrad)
    params = list(model.parameters())
    model(minigrad.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in params)
    model.zero_grad(set_to_none=False)
    assert all((p.grad.numpy() == 0).all() for p in params)
    model.zero_grad()
    assert all(p.grad is None for p in params)
    assert model.training and not model.eval().training and not model[0].training
    assert model.train().training and model[3].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        model.train(1)
    model.double()
    assert all(p.dtype == minigrad.float64 for p in model.parameters())
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]  # same objects
    assert all(p.is_leaf and p.requires_grad for p in model.parameters())
    model.to(minigrad.float32)
    assert all(p.dtype == minigrad.float32 for p in model.parameters())
    model.float().to("cpu")
    with pytest.raises(RuntimeError, match="CPU"):
        model.to("cuda")


def test_custom_module_registers_attributes():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(minigrad.ones(1))
            self.body = nn.Linear(2, 2)
            self.plain = 3

        def forward(self, x):
            return self.body(x) * self.scale

    net = Net()
    assert [n for n, _ in net.named_parameters()] == ["scale", "body.weight", "body.bias"]
    assert net(minigrad.ones(1, 2)).shape == (1, 2)
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        nn.Module()(1)


def test_state_dict_round_trip_with_torch():
    ref, mine = torch.nn.Linear(3, 2), nn.Linear(3, 2)
    mine.load_state_dict({k: to_mg(v) for k, v in ref.state_dict().items()})
    close(mine.weight, ref.weight, rtol=0, atol=0)
    assert list(mine.state_dict()) == list(ref.state_dict())
    assert repr(mine.load_state_dict(mine.state_dict())) == "<All keys matched successfully>"


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we compare whatever is raised
        return type(e), normalized(str(e))
    return None


MODULE_ERRORS = {
    "missing and size": lambda lib, m: m.load_state_dict({"weight": lib.zeros(2, 3)}),
    "unexpected": lambda lib, m: m.load_state_dict(
        {"weight": lib.zeros(3, 2), "bias": lib.zeros(3), "extra": lib.zeros(1)}),
    "assign tensor to parameter": lambda lib, m: setattr(m, "weight", lib.zeros(3)),
    "unknown attribute": lambda lib, m: m.no_such_thing,
}


@pytest.mark.parametrize("case", MODULE_ERRORS)
def test_module_errors_match_torch(case):
    call = MODULE_ERRORS[case]
    ref = _error(lambda: call(torch, torch.nn.Linear(2, 3)))
    assert ref is not None and _error(lambda: call(minigrad, nn.Linear(2, 3))) == ref


# ------------------------------------------------------------------ functional and losses
@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_activations_match_torch(name):
    x = torch.randn(4, 3, dtype=torch.float64)
    close(getattr(MF, name)(to_mg(x)), getattr(TF, name)(x), rtol=1e-12)


@pytest.mark.parametrize("dim", [0, 1, -1, None])
def test_softmax_and_log_softmax_match_torch(dim):
    x = torch.randn(4, 3, dtype=torch.float64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        close(MF.softmax(to_mg(x), dim), TF.softmax(x, dim), rtol=1e-12)
        close(MF.log_softmax(to_mg(x), dim), TF.log_softmax(x, dim), rtol=1e-12)
    assert bool(caught) == (dim is None)  # the implicit-dim warning, as torch


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 6), c=st.integers(2, 5), seed=st.integers(0, 2 ** 16),
       reduction=st.sampled_from(["mean", "sum", "none"]), weighted=st.booleans(),
       smoothing=st.sampled_from([0.0, 0.25]), ignore=st.booleans())
def test_cross_entropy_matches_torch(n, c, seed, reduction, weighted, smoothing, ignore):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, c, generator=g, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, c, (n,), generator=g)
    if ignore and n > 1:
        target[0] = -100
    weight = torch.rand(c, generator=g, dtype=torch.float64) + 0.1 if weighted else None
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    ref = TF.cross_entropy(logits, target, weight=weight, **kw)
    x = to_mg(logits.detach()).requires_grad_()
    mine = MF.cross_entropy(x, to_mg(target), weight=None if weight is None else to_mg(weight),
                            **kw)
    close(mine, ref, rtol=1e-10, atol=1e-12)
    ref.sum().backward()
    mine.sum().backward()
    close(x.grad, logits.grad, rtol=1e-10, atol=1e-12)
    module = nn.CrossEntropyLoss(weight=None if weight is None else to_mg(weight), **kw)
    close(module(x, to_mg(target)), ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_probabilities_and_extra_dims_match_torch(reduction):
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(4, 3, generator=g, dtype=torch.float64)
    probs = torch.softmax(torch.randn(4, 3, generator=g, dtype=torch.float64), 1)
    close(MF.cross_entropy(to_mg(logits), to_mg(probs), reduction=reduction),
          TF.cross_entropy(logits, probs, reduction=reduction), rtol=1e-12)
    logits3 = torch.randn(2, 3, 4, generator=g, dtype=torch.float64)
    target3 = torch.randint(0, 3, (2, 4), generator=g)
    close(MF.cross_entropy(to_mg(logits3), to_mg(target3), reduction=reduction),
          TF.cross_entropy(logits3, target3, reduction=reduction), rtol=1e-12)
    close(MF.cross_entropy(to_mg(logits[0]), to_mg(target3[0, 0]), reduction=reduction),
          TF.cross_entropy(logits[0], target3[0, 0], reduction=reduction), rtol=1e-12)


@settings(max_examples=15, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), seed=st.integers(0, 2 ** 16),
       reduction=st.sampled_from(["mean", "sum", "none"]))
def test_mse_loss_matches_torch(shape, seed, reduction):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(shape, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(shape, generator=g, dtype=torch.float64)
    x = to_mg(a.detach()).requires_grad_()
    ref = TF.mse_loss(a, b, reduction=reduction)
    mine = nn.MSELoss(reduction=reduction)(x, to_mg(b))
    close(mine, ref, rtol=1e-12)
    ref.sum().backward()
    mine.sum().backward()
    close(x.grad, a.grad, rtol=1e-12)


X = torch.randn(3, 4)
LOSS_ERRORS = {
    "float target": lambda F, lib: F.cross_entropy(X if lib is torch else to_mg(X),
                                                   lib.tensor([1.0, 2.0, 0.0])),
    "class out of range": lambda F, lib: F.cross_entropy(X if lib is torch else to_mg(X),
                                                         lib.tensor([1, 2, 5])),
    "batch mismatch": lambda F, lib: F.cross_entropy(X if lib is torch else to_mg(X),
                                                     lib.tensor([1, 2])),
    "bad reduction": lambda F, lib: F.mse_loss(X if lib is torch else to_mg(X),
                                               X if lib is torch else to_mg(X), reduction="avg"),
}


@pytest.mark.parametrize("case", LOSS_ERRORS)
def test_loss_errors_match_torch(case):
    call = LOSS_ERRORS[case]
    ref = _error(lambda: call(TF, torch))
    assert ref is not None and _error(lambda: call(MF, minigrad)) == ref


def test_mse_broadcast_warning_matches_torch():
    with warnings.catch_warnings(record=True) as mine:
        warnings.simplefilter("always")
        MF.mse_loss(to_mg(X), minigrad.zeros(4))
    with warnings.catch_warnings(record=True) as ref:
        warnings.simplefilter("always")
        TF.mse_loss(X, torch.zeros(4))
    assert [normalized(str(w.message)) for w in mine] == [str(w.message) for w in ref]


# ------------------------------------------------------------------ gradient clipping
def _params_with_grads(seed, none_at=None):
    g = torch.Generator().manual_seed(seed)
    ref = [torch.randn(s, generator=g, dtype=torch.float64, requires_grad=True)
           for s in [(3,), (2, 2), (4,)]]
    for i, p in enumerate(ref):
        p.grad = None if i == none_at else torch.randn(p.shape, generator=g,
                                                       dtype=torch.float64) * 3
    mine = [to_mg(p.detach()).requires_grad_() for p in ref]
    for p, q in zip(mine, ref):
        p.grad = None if q.grad is None else to_mg(q.grad)
    return mine, ref


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2 ** 16), max_norm=st.floats(0.1, 20.0),
       norm_type=st.sampled_from([1.0, 2.0, 3.0, math.inf]), none_at=st.sampled_from([None, 1]))
def test_clip_grad_norm_matches_torch(seed, max_norm, norm_type, none_at):
    mine, ref = _params_with_grads(seed, none_at)
    total_mine = nn.utils.clip_grad_norm_(iter(mine), max_norm, norm_type)
    total_ref = torch.nn.utils.clip_grad_norm_(iter(ref), max_norm, norm_type)
    close(total_mine, total_ref, rtol=1e-12)
    for p, q in zip(mine, ref):
        assert (p.grad is None) == (q.grad is None)
        if p.grad is not None:
            close(p.grad, q.grad, rtol=1e-12)
            assert p.grad.dtype == minigrad.float64


def test_clip_grad_norm_edge_cases():
    mine, ref = _params_with_grads(0)
    mine[0].grad[0] = float("nan")
    ref[0].grad[0] = float("nan")
    with pytest.raises(RuntimeError) as err_mine:
        nn.utils.clip_grad_norm_(mine, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as err_ref:
        torch.nn.utils.clip_grad_norm_(ref, 1.0, error_if_nonfinite=True)
    assert str(err_mine.value) == str(err_ref.value)
    assert nn.utils.clip_grad_norm_([minigrad.zeros(2, requires_grad=True)], 1.0).item() == 0.0
    single, _ = _params_with_grads(1)
    assert nn.utils.clip_grad_norm_(single[0], 1e9).item() > 0  # a lone tensor is accepted


def test_clip_grad_value_matches_torch():
    mine, ref = _params_with_grads(2, none_at=2)
    nn.utils.clip_grad_value_(mine, 0.5)
    torch.nn.utils.clip_grad_value_(ref, 0.5)
    for p, q in zip(mine[:2], ref[:2]):
        close(p.grad, q.grad, rtol=0, atol=0)


def test_init_functions():
    w = nn.Parameter(minigrad.zeros(50, 40))
    nn.init.uniform_(w, -2.0, 3.0)
    values = w.detach().numpy()
    assert values.min() >= -2.0 and values.max() <= 3.0 and values.std() > 1.0
    assert w.is_leaf and w.requires_grad
    nn.init.normal_(w, mean=5.0, std=0.1)
    assert abs(w.detach().numpy().mean() - 5.0) < 0.05
    nn.init.zeros_(w)
    assert (w.detach().numpy() == 0).all()
    assert nn.init.calculate_gain("leaky_relu", math.sqrt(5)) == torch.nn.init.calculate_gain(
        "leaky_relu", math.sqrt(5))
