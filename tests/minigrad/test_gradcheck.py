"""gradcheck / gradgradcheck: pass on correct ops, fail (like torch's) on wrong backward rules."""
import warnings

import pytest
import torch
from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.autograd.gradcheck import GradcheckError


def make(shape, seed=0, requires_grad=True):
    g = torch.Generator().manual_seed(seed)
    t = torch.randn(shape, generator=g, dtype=torch.float64)
    return minigrad.from_torch(t).requires_grad_(requires_grad)


OPS = {
    "add_broadcast": (lambda a, b: a + b, [(2, 3), (3,)]),
    "mul": (lambda a, b: a * b, [(2, 3), (2, 3)]),
    "div": (lambda a, b: a / (b * b + 1), [(3,), (3,)]),
    "pow": (lambda a: (a * a + 1) ** 1.5, [(4,)]),
    "exp_log": (lambda a: (a.exp() + 1).log(), [(2, 2)]),
    "sin_cos": (lambda a: a.sin() * a.cos(), [(3,)]),
    "tanh_sigmoid": (lambda a: a.tanh() + a.sigmoid(), [(3,)]),
    "matmul": (lambda a, b: a @ b, [(2, 3), (3, 2)]),
    "sum_mean_dim": (lambda a: a.sum(0) * a.mean(1, keepdim=True), [(2, 3)]),
    "softmax": (lambda a: a.softmax(-1), [(2, 4)]),
    "log_softmax": (lambda a: minigrad.log_softmax(a, 0), [(3,)]),
    "reshape_transpose": (lambda a: a.reshape(3, 2).T * 2, [(2, 3)]),
    "index": (lambda a: a[1:, ::2] * 3, [(3, 4)]),
    "two_outputs": (lambda a, b: (a * b, (a - b).exp()), [(3,), (3,)]),
}


@pytest.mark.parametrize("name", OPS)
def test_gradcheck_and_gradgradcheck_pass_on_ops(name):
    fn, shapes = OPS[name]
    inputs = tuple(make(s, seed=i) for i, s in enumerate(shapes))
    assert gradcheck(fn, inputs) is True
    assert gradgradcheck(fn, inputs) is True


def test_forward_mode_check_passes():
    assert gradcheck(lambda a, b: (a * b).sin(), (make((3,)), make((3,), 1)),
                     check_forward_ad=True) is True


def _square_with(backward_rule, lib):
    """A custom Function computing x**2 whose backward is ``backward_rule(x, grad)``."""
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return backward_rule(x, grad)
    return Square


def test_wrong_backward_fails_with_torchs_message():
    """Same wrong rule (3x instead of 2x) in minigrad and torch: the same error text."""
    rule = lambda x, g: 3 * x * g  # noqa: E731 - deliberately wrong
    x = make((3,))
    with pytest.raises(GradcheckError) as mine:
        gradcheck(_square_with(rule, minigrad).apply, (x,))
    with pytest.raises(TorchGradcheckError) as ref:
        torch.autograd.gradcheck(_square_with(rule, torch).apply, (x.detach().to_torch()
                                                                     .requires_grad_(),))
    text = str(mine.value)
    assert text.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert "\nanalytical:" in text
    assert text.replace("minigrad.", "torch.") == str(ref.value)
    assert isinstance(mine.value, RuntimeError)
    assert minigrad.autograd.gradcheck.GradcheckError is GradcheckError  # also reachable by name


def test_raise_exception_false_returns_false():
    bad = _square_with(lambda x, g: x * g, minigrad)
    assert gradcheck(bad.apply, (make((2,)),), raise_exception=False) is False


def test_backward_that_ignores_grad_output_is_caught():
    """For a scalar output the one-hot rows look right; the zero grad_output check catches it."""
    bad = _square_with(lambda x, g: 2 * x, minigrad)
    x = make(())
    with pytest.raises(GradcheckError, match="backward not multiplied by grad_output"):
        gradcheck(bad.apply, (x,))


def test_gradgradcheck_catches_a_non_differentiable_backward():
    """First derivative right, but computed from detached values: second derivative wrong."""
    bad = _square_with(lambda x, g: 2 * x.detach() * g, minigrad)
    x = make((3,))
    assert gradcheck(bad.apply, (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to "
                                              "input 0"):
        gradgradcheck(bad.apply, (x,))


def test_float32_input_warns_like_torch():
    x32 = minigrad.tensor([0.5, 1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as mine:
        warnings.simplefilter("always")
        gradcheck(lambda a: a.exp(), (x32,), raise_exception=False)
    with warnings.catch_warnings(record=True) as ref:
        warnings.simplefilter("always")
        torch.autograd.gradcheck(lambda a: a.exp(), (x32.detach().to_torch().requires_grad_(),),
                                 raise_exception=False)
    assert [str(w.message) for w in mine] == [str(w.message) for w in ref]
    assert len(mine) == 1


def test_no_input_requiring_grad_is_a_value_error_as_in_torch():
    x = make((2,), requires_grad=False)
    with pytest.raises(ValueError) as mine:
        gradcheck(lambda a: a * 2, (x,))
    with pytest.raises(ValueError) as ref:
        torch.autograd.gradcheck(lambda a: a * 2, (x.to_torch(),))
    assert str(mine.value) == str(ref.value)


def test_output_without_grad_must_be_constant():
    x = make((3,))
    assert gradcheck(lambda a: (a.detach() > 0).double(), (x,))
    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be zero"):
        gradcheck(lambda a: a.detach() * 2, (x,))


def test_inputs_are_left_unchanged():
    x = make((3,))
    before = x.detach().numpy().copy()
    gradcheck(lambda a: a.sin(), (x,))
    assert (x.detach().numpy() == before).all() and x.grad is None
