"""Dims, reductions and indexing side by side with torch: dims of 0-d tensors, size/stride,
narrow, gather/index_select (their checks, and gather with an index smaller than the input),
reductions over ``()`` or a repeated dim, expand with -1, movedim with lists, var/std as one
node each, max/min with nan, the norm's second derivative at 0, and softmax of integers.

Every case runs the same snippet on both libraries and compares the values, gradients, node
names, or (exception type, message).
"""
import gc
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from torch_pairs import same

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)


def _t(L, values, requires_grad=False):
    return L.tensor(values, dtype=L.float64, requires_grad=requires_grad)


def _scalar(L):
    return L.tensor(2.0)


def _matrix(L):
    return L.arange(6.0).view(2, 3)


# ---------------------------------------------------------------------- results or errors
CASES = {
    # 1. dims of a 0-d tensor, and size/stride out of range
    "unbind_0d": lambda L: _scalar(L).unbind(0),
    "unbind_0d_negative": lambda L: _scalar(L).unbind(-1),
    "split_0d": lambda L: _scalar(L).split(1, 0),
    "split_sizes_0d": lambda L: _scalar(L).split([1], 1),
    "chunk_0d": lambda L: _scalar(L).chunk(1, 0),
    "chunk_0d_zero_chunks": lambda L: _scalar(L).chunk(0),
    "narrow_0d": lambda L: _scalar(L).narrow(0, 0, 1),
    "unflatten_empty_sizes": lambda L: _matrix(L).unflatten(5, ()),
    "size_0d": lambda L: _scalar(L).size(0),
    "size_0d_negative": lambda L: _scalar(L).size(-1),
    "stride_0d": lambda L: _scalar(L).stride(0),
    "size_out_of_range": lambda L: L.zeros(2, 3, 4).size(3),
    "size_negative_out_of_range": lambda L: L.zeros(2, 3, 4).size(-4),
    "stride_out_of_range": lambda L: L.zeros(2, 3, 4).stride(3),
    # 2. no silent wrap of a 0-d tensor's dim
    "softmax_0d_dim_1": lambda L: _scalar(L).softmax(1),
    "log_softmax_0d_dim_-2": lambda L: _scalar(L).log_softmax(-2),
    "flatten_0d_dim_1": lambda L: _scalar(L).flatten(1),
    "flatten_0d_end_1": lambda L: _scalar(L).flatten(0, 1),
    # 3. what torch allows on a 0-d tensor
    "transpose_0d": lambda L: _scalar(L).transpose(0, -1),
    "movedim_0d": lambda L: _scalar(L).movedim(0, 0),
    "gather_0d": lambda L: _scalar(L).gather(0, L.tensor(0)),
    "gather_0d_vector_index": lambda L: _scalar(L).gather(0, L.tensor([0, 0])),
    "gather_0d_out_of_range": lambda L: _scalar(L).gather(0, L.tensor(-1)),
    "gather_1d_0d_index": lambda L: L.arange(3.0).gather(0, L.tensor(2)),
    "index_select_0d": lambda L: _scalar(L).index_select(0, L.tensor([0])),
    "index_select_0d_two_values": lambda L: _scalar(L).index_select(0, L.tensor([0, 0])),
    "index_select_0d_out_of_range": lambda L: _scalar(L).index_select(-1, L.tensor([-1])),
    "max_dim_0d": lambda L: list(_t(L, 2.0, True).max(0)) + [_t(L, 2.0, True).min(0)[0].grad_fn.name()],
    "max_dim_0d_node": lambda L: _t(L, 2.0, True).max(0, keepdim=True)[0].grad_fn.name(),
    # 4. narrow's checks
    "narrow_start_below": lambda L: _matrix(L).narrow(0, -3, 1),
    "narrow_start_above": lambda L: _matrix(L).narrow(1, 4, 0),
    "narrow_negative_length": lambda L: L.arange(3.0).narrow(0, 1, -1),
    "narrow_negative_length_first": lambda L: L.arange(3.0).narrow(5, 0, -1),
    "narrow_empty": lambda L: L.zeros(0, 3).narrow(0, -1, 0),
    # 5. gather and index_select check their index as torch does
    "index_select_negative": lambda L: L.arange(3.0).index_select(0, L.tensor([-1])),
    "index_select_too_large": lambda L: L.arange(3.0).index_select(0, L.tensor([1, 3])),
    "index_select_2d_index": lambda L: _matrix(L).index_select(1, L.tensor([[0]])),
    "index_select_float_index": lambda L: L.arange(3.0).index_select(0, L.tensor([1.0])),
    "index_select_bool_index": lambda L: L.arange(3.0).index_select(0, L.tensor([True])),
    "index_select_0d_index": lambda L: _matrix(L).index_select(1, L.tensor(1)),
    "index_select_empty_dim": lambda L: L.zeros(0, 2).index_select(0, L.tensor([0])),
    "index_select_empty_input": lambda L: L.zeros(2, 0).index_select(0, L.tensor([5])),
    "index_select_empty_1d": lambda L: L.zeros(0).index_select(0, L.tensor([0])),
    "index_select_not_a_tensor": lambda L: L.zeros(3).index_select(0, [1]),
    "gather_negative": lambda L: L.arange(3.0).gather(0, L.tensor([-1])),
    "gather_too_large": lambda L: _matrix(L).gather(1, L.tensor([[1], [5]])),
    "gather_float_index": lambda L: L.arange(3.0).gather(0, L.tensor([1.0])),
    "gather_bool_index": lambda L: _matrix(L).gather(0, L.tensor([[True]])),
    "gather_int32_index": lambda L: _matrix(L).gather(0, L.tensor([[1]], dtype=L.int32)),
    "gather_index_too_wide": lambda L: _matrix(L).gather(0, L.tensor([[1, 0, 1, 0]])),
    "gather_index_too_tall": lambda L: _matrix(L).gather(1, L.zeros(3, 5, dtype=L.int64)),
    "gather_index_ndim": lambda L: _matrix(L).gather(0, L.tensor([1, 0])),
    "gather_empty_index": lambda L: _matrix(L).gather(0, L.zeros(0, 5, 7, dtype=L.int64)),
    "gather_not_a_tensor": lambda L: L.zeros(3).gather(0, [1]),
    # 6. the index's shape decides gather's result
    "gather_smaller_index": lambda L: _matrix(L).gather(0, L.tensor([[1], [0]])),
    "gather_longer_index": lambda L: _matrix(L).gather(0, L.tensor([[1], [0], [1]])),
    # 7. an empty list of dims means all of them
    "sum_empty_tuple": lambda L: _matrix(L).sum(()),
    "sum_empty_list": lambda L: _matrix(L).sum([]),
    "sum_empty_keepdim": lambda L: _matrix(L).sum((), keepdim=True),
    "sum_none_keepdim": lambda L: _matrix(L).sum(None, True),
    "mean_empty_tuple": lambda L: _matrix(L).mean(()),
    "mean_none_keepdim": lambda L: _matrix(L).mean(None, True),
    "var_empty_tuple": lambda L: _matrix(L).var(()),
    "std_empty_keepdim": lambda L: _matrix(L).std((), keepdim=True),
    "norm_empty_tuple": lambda L: _matrix(L).norm(dim=()),
    "norm_empty_keepdim": lambda L: _matrix(L).norm(dim=[], keepdim=True),
    "amin_empty_list": lambda L: _matrix(L).amin([]),
    "logsumexp_empty_keepdim": lambda L: _matrix(L).logsumexp((), keepdim=True),
    "logsumexp_empty": lambda L: _matrix(L).logsumexp(()),
    "argmax_none_keepdim": lambda L: _matrix(L).argmax(None, True),
    # 8. a dim named twice
    "sum_repeated_dim": lambda L: _matrix(L).sum((0, 0)),
    "sum_repeated_negative_dim": lambda L: _matrix(L).sum((0, -2)),
    "sum_0d_repeated_dim": lambda L: _scalar(L).sum((0, -1)),
    "mean_repeated_dim": lambda L: _matrix(L).mean((1, 1)),
    "amax_repeated_dim": lambda L: _matrix(L).amax((0, 0)),
    "amin_repeated_dim": lambda L: _matrix(L).amin((1, -1)),
    "norm_repeated_dim": lambda L: _matrix(L).norm(dim=(0, 0)),
    "var_repeated_dim": lambda L: _matrix(L).var((0, 0)),
    "std_repeated_dim": lambda L: _matrix(L).std((1, 1)),
    "logsumexp_repeated_dim": lambda L: _matrix(L).logsumexp((0, 0)),
    "squeeze_repeated_dim": lambda L: L.ones(1, 2).squeeze((0, 0)),
    # 9. expand's -1 and negative sizes
    "expand_minus_one_leading": lambda L: L.ones(2).expand(-1, 2),
    "expand_minus_one_leading_deeper": lambda L: L.ones(2, 1).expand(-1, -1, 5),
    "expand_mismatch_from_the_last": lambda L: L.ones(2).expand(-1, 3),
    "expand_mismatch_keeps_sizes": lambda L: L.ones(2, 1).expand(3, -1),
    "expand_negative": lambda L: L.ones(2, 1).expand(2, -2),
    "expand_negative_leading": lambda L: L.ones(1).expand(-2, -1),
    "expand_0d_minus_one": lambda L: _scalar(L).expand(-1, 2),
    # 12. cat of nothing, movedim with lists
    "cat_empty_list": lambda L: L.cat([]),
    "cat_0d": lambda L: L.cat([_matrix(L), _scalar(L)], 5),
    "cat_ndim_mismatch": lambda L: L.cat([_matrix(L), L.zeros(2)]),
    "movedim_lists": lambda L: L.zeros(2, 3, 4).movedim((0, 1), (2, 0)),
    "movedim_list_of_one": lambda L: L.zeros(2, 3, 4).movedim([0], [2]),
    "movedim_empty": lambda L: L.zeros(2, 3, 4).movedim((), ()).shape,
    "movedim_swap": lambda L: _matrix(L).movedim((0, 1), (1, 0)),
    "movedim_function": lambda L: L.movedim(L.zeros(2, 3, 4), [0, 1], [2, 1]),
    "movedim_lengths_differ": lambda L: L.zeros(2, 3, 4).movedim((0, 1, 2), (1, 2)),
    "movedim_repeated_source": lambda L: L.zeros(2, 3, 4).movedim((0, -3), (1, 2)),
    "movedim_repeated_destination": lambda L: L.zeros(2, 3, 4).movedim((0, 1), (2, 2)),
    "movedim_out_of_range": lambda L: L.zeros(2, 3, 4).movedim((0, 5), (-1, 2)),
    "movedim_0d_repeated": lambda L: _scalar(L).movedim((0, 0), (0, 0)),
    "movedim_0d_node": lambda L: _t(L, 2.0, True).movedim((), ()).grad_fn.name(),
    "permute_no_dims": lambda L: _matrix(L).permute(),
    # softmax of integers
    "softmax_long_last_dim": lambda L: L.tensor([1, 2]).softmax(0),
    "softmax_long_other_dim": lambda L: L.zeros(2, 3, dtype=L.int64).softmax(0),
    "log_softmax_int32": lambda L: L.zeros(2, 3, dtype=L.int32).log_softmax(-1),
    "log_softmax_long_other_dim": lambda L: L.zeros(2, 3, dtype=L.int64).log_softmax(0),
    "softmax_bool": lambda L: L.tensor([True]).softmax(0),
    "softmax_0d_long": lambda L: L.tensor(2).softmax(0),
    "softmax_empty_long": lambda L: L.zeros(0, dtype=L.int64).softmax(0),
    "softmax_empty_dim": lambda L: L.zeros(0, 3).softmax(0),
    "functional_softmax_long": lambda L: L.nn.functional.softmax(L.tensor([1, 2]), 0),
    "functional_log_softmax_long": lambda L: L.nn.functional.log_softmax(L.tensor([1, 2]), 0),
    # dtypes var/std/norm refuse
    "var_long": lambda L: L.zeros(2, 3, dtype=L.int64).var(),
    "std_bool": lambda L: L.zeros(2, 3, dtype=L.bool).std(0),
    "norm_long": lambda L: L.zeros(2, 3, dtype=L.int64).norm(),
    "norm_long_with_dtype": lambda L: L.zeros(2, 3, dtype=L.int64).norm(dtype=L.float32),
    "var_unbiased_positional": lambda L: _matrix(L).var(False),
    "std_unbiased_positional": lambda L: _matrix(L).std(True),
    # max/min/argmax/norm over no elements
    "max_dim_empty": lambda L: L.zeros(0, 3).max(0),
    "amax_empty": lambda L: L.zeros(0).amax(),
    "amax_dims_empty": lambda L: L.zeros(0, 3).amax((1, 0)),
    "amax_dim_empty": lambda L: L.zeros(0, 3).amax(0),
    "amin_other_dim": lambda L: L.zeros(0, 3).amin(1),
    "argmax_empty": lambda L: L.zeros(0, 3).argmax(),
    "argmin_dim_empty": lambda L: L.zeros(0, 3).argmin(0),
    "logsumexp_dim_empty": lambda L: L.zeros(0, 3).logsumexp(0),
    "norm_inf_empty": lambda L: L.zeros(0, 3).norm(p=float("inf")),
    "norm_inf_empty_dims": lambda L: L.zeros(0, 3).norm(p=float("inf"), dim=()),
    "norm_negative_dim_empty": lambda L: L.zeros(0, 3).norm(p=-1, dim=(1, 0)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_result_or_error_as_torch(name):
    same(CASES[name])


def _message_head(snippet):
    """(type, message) with torch's C++ stack trace cut off: torch's unflatten wraps an error
    from deeper down, trace and all."""
    def run(L):
        try:
            return snippet(L)
        except Exception as e:  # noqa: BLE001 - the error is the result compared
            return [type(e).__name__, str(e).split("\nException raised from")[0]]
    return run


@pytest.mark.parametrize("snippet", [
    lambda L: _scalar(L).unflatten(0, (1,)),
    lambda L: _scalar(L).unflatten(-1, (1,)),
    lambda L: _matrix(L).unflatten(0, (-1, -1)),
    lambda L: L.zeros(0, 2).unflatten(0, (0, -1)),
])
def test_unflatten_errors_match_torch(snippet):
    same(_message_head(snippet))


# ---------------------------------------------------------------------- gather, index_select
@st.composite
def _gather_case(draw):
    """An input shape, a dim, and an index within range whose shape is at most the input's in
    the other dims (any size along ``dim``): the shapes torch's gather accepts."""
    shape = draw(st.lists(st.integers(1, 3), min_size=0, max_size=3))
    dim = draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))
    d = dim % max(len(shape), 1)
    sizes = shape or [1]
    index_shape = [draw(st.integers(0, 3)) if i == d else draw(st.integers(1, n))
                   for i, n in enumerate(sizes)]
    if not shape and draw(st.booleans()):
        index_shape = []  # a 0-d index
    seed = draw(st.integers(0, 2 ** 16))
    return shape, dim, index_shape, seed


def _gather_run(shape, dim, index_shape, seed):
    """gather's value, its gradient, and the gradient of that gradient with respect to the
    upstream gradient (double backward: a gather again)."""
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(shape)
    n = shape[dim] if shape else 1
    index = rng.integers(0, n, size=index_shape)
    upstream, weights = rng.standard_normal(index_shape), rng.standard_normal(shape)

    def run(L):
        x = _t(L, values, True)
        y = x.gather(dim, L.tensor(index))
        v = _t(L, upstream, True)
        g, = L.autograd.grad(y, x, v, create_graph=True)
        gg, = L.autograd.grad((g * _t(L, weights)).sum(), v)
        return [y, g, gg, y.grad_fn.name(), g.grad_fn.name()]
    return run


@SETTINGS
@given(case=_gather_case())
def test_gather_over_shapes_matches_torch(case):
    same(_gather_run(*case))


def test_gather_with_repeated_indices_adds_their_gradients():
    same(_gather_run([2, 3], 0, [3, 2], 7))
    same(_gather_run([4], -1, [6], 3))


def test_gather_forward_mode_matches_torch():
    def run(L):
        fwd = L.autograd.forward_ad
        with fwd.dual_level():
            x = fwd.make_dual(_matrix(L).double(), _t(L, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
            return list(fwd.unpack_dual(x.gather(0, L.tensor([[1], [0]]))))
    same(run)


@st.composite
def _index_select_case(draw):
    shape = draw(st.lists(st.integers(1, 3), min_size=0, max_size=3))
    dim = draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))
    n = shape[dim] if shape else 1
    length = 1 if not shape else draw(st.integers(0, 4))
    index = draw(st.lists(st.integers(0, n - 1), min_size=length, max_size=length))
    as_0d = len(index) == 1 and draw(st.booleans())
    return shape, dim, index[0] if as_0d else index, draw(st.integers(0, 2 ** 16))


@SETTINGS
@given(case=_index_select_case())
def test_index_select_over_shapes_matches_torch(case):
    shape, dim, index, seed = case
    values = np.random.default_rng(seed).standard_normal(shape)

    def run(L):
        x = _t(L, values, True)
        y = x.index_select(dim, L.tensor(index))
        g, = L.autograd.grad((y * y).sum(), x, create_graph=True)
        h, = L.autograd.grad(g.sum(), x)
        return [y, g, h, y.grad_fn.name()]
    same(run)


# ---------------------------------------------------------------------- var and std
def _var_std(L, values, f):
    """f's value, node name, gradient, and second derivative (the gradient of the gradient's
    sum)."""
    x = _t(L, values, True)
    y = f(x)
    g, = L.autograd.grad(y.sum(), x, create_graph=True)
    h, = L.autograd.grad(g.sum(), x, allow_unused=True, materialize_grads=True)
    return [y, y.grad_fn.name(), g, h]


VAR_STD = {
    "var": lambda x: x.var(),
    "std": lambda x: x.std(),
    "var_dim": lambda x: x.var(1),
    "std_dim_keepdim": lambda x: x.std(0, keepdim=True),
    "var_biased": lambda x: x.var(unbiased=False),
    "std_correction": lambda x: x.std(1, correction=0),
    "var_fractional_correction": lambda x: x.var(0, correction=0.5),
    "var_dims": lambda x: x.var((0, 1)),
    "std_negative_dim": lambda x: x.std(-1),
}


@pytest.mark.parametrize("name", sorted(VAR_STD))
@pytest.mark.parametrize("values", [[[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]],
                                    [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]],
                                    [[0.0, 0.0, 0.0], [2.0, 2.0, 2.0]]])
def test_var_and_std_match_torch(name, values):
    """One VarBackward0 / StdBackward0 node each; std's gradient is 0 at a constant input."""
    same(lambda L: _var_std(L, values, VAR_STD[name]), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("f", [
    lambda L: _t(L, [1.0, 1.0], True).std(),
    lambda L: _t(L, [0.0, 0.0, 0.0], True).std(0),
    lambda L: _t(L, [[3.0, 3.0]], True).std(1).sum(),
])
def test_std_gradient_at_a_constant_is_zero(f):
    def run(L):
        y = f(L)
        y.backward()
        return y.grad_fn.next_functions[0][0].variable.grad
    same(run)


def _with_warnings(snippet):
    """The snippet's result and the warnings it gave (without torch's C++ location)."""
    def run(L):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = snippet(L)
        messages = [re.sub(r" \(Triggered internally at .*", "", str(w.message)) for w in caught
                    if w.category is UserWarning]
        return [result, messages]
    return run


def _grad_of(f):
    def run(L):
        x = _t(L, [1.0, 2.0, 4.0], True)
        y = f(x)
        y.sum().backward()
        return [y, x.grad]
    return run


@pytest.mark.parametrize("f", [
    lambda x: x.var(correction=3), lambda x: x.std(correction=5), lambda x: x[:1].var(),
    lambda x: x.var(0, correction=3), lambda x: x.std(0, correction=3.5),
    lambda x: x.reshape(1, 3).var(1, correction=4), lambda x: x.sum().var(0), lambda x: x.var(()),
    lambda x: x[:0].var(), lambda x: x.std(()),
])
def test_var_without_degrees_of_freedom_matches_torch(f):
    """n - correction <= 0: torch's warning, inf or nan, and its gradient (inf or nan)."""
    same(_with_warnings(_grad_of(f)))


def test_var_and_std_forward_mode_match_torch():
    def run(L):
        fwd = L.autograd.forward_ad
        out = []
        for f in (lambda x: x.var(), lambda x: x.std(1), lambda x: x.var(0, keepdim=True),
                  lambda x: x.std(), lambda x: (x * 0).std(0), lambda x: x.var(()),
                  lambda x: x[0, 0].std(correction=0)):
            with fwd.dual_level():
                x = fwd.make_dual(_t(L, [[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]]),
                                  _t(L, [[1.0, -1.0, 0.5], [2.0, 0.0, 1.0]]))
                out += list(fwd.unpack_dual(f(x)))
        return out
    same(run)


# ---------------------------------------------------------------------- max/min with nan
NAN = float("nan")


MAX_MIN = [lambda x: x.max(), lambda x: x.min(), lambda x: x.amax(), lambda x: x.amin(),
           lambda x: x.max(1).values, lambda x: x.min(0).values, lambda x: x.amax(1),
           lambda x: x.max(1, keepdim=True).values]


@pytest.mark.parametrize("values", [[[NAN, 0.0, 1.0], [1.0, 2.0, 3.0]],
                                    [[NAN, 0.0, NAN], [1.0, NAN, 3.0]]])
def test_max_and_min_gradients_with_nan_match_torch(values):
    """max() gives the gradient to the nans when the max is nan (torch's evenly_distribute);
    amax divides by the count of elements equal to the max (none: nan)."""
    def run(L):
        out = []
        for f in MAX_MIN:
            x = _t(L, values, True)
            y = f(x)
            g, = L.autograd.grad(y.sum(), x)
            out += [y, g, y.grad_fn.name()]
        return out
    same(run)


def _arrays_held(obj, seen=None):
    """The numpy arrays (and scalars) an autograd node refers to, through tuples and tensors."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, minigrad.Tensor):
        return _arrays_held(obj._data, seen)
    if isinstance(obj, (tuple, list)):
        return [a for o in obj for a in _arrays_held(o, seen)]
    return []


def test_max_dim_keeps_nothing_after_backward():
    """A node drops what it held once a backward without retain_graph has run; the indices of
    max(dim) are an output, not something for the node to keep."""
    x = minigrad.ones(1000, 3, requires_grad=True)
    values, indices = x.max(1)
    node = values.grad_fn
    values.sum().backward()
    del indices
    gc.collect()
    held = [a for v in vars(node).values() for a in _arrays_held(v)]
    assert not [a for a in held if a.size >= 1000], [a.shape for a in held]


# ---------------------------------------------------------------------- the norm's derivatives
@pytest.mark.parametrize("values, dim", [([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], None),
                                         ([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], 1),
                                         ([[0.0, 1.0, -2.0], [0.0, 0.0, 0.0]], 1)])
def test_norm_second_derivative_matches_torch(values, dim):
    """torch divides by the norm before masking where it is 0: the second derivative there is
    nan for p = 2 (and p < 2), as minigrad's now."""
    def run(L):
        out = []
        for p in (2, 1, 3, 1.5, 0.5, float("inf"), float("-inf")):
            x = _t(L, values, True)
            y = x.norm(p, dim=dim)
            g, = L.autograd.grad(y.sum(), x, create_graph=True)
            h, = L.autograd.grad((g * _t(L, [[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])).sum(), x,
                                 allow_unused=True)
            h = h if h is None else L.zeros_like(x) + h  # torch's may be a ZeroTensor (no numpy)
            out += [y, g, h, g.grad_fn.name()]
        return out
    same(run)


def test_norm_forward_mode_matches_torch():
    def run(L):
        fwd = L.autograd.forward_ad
        out = []
        for p in (2, 1, 3, 1.5, 0.5, 0, float("inf")):
            for values in ([[0.0, 0.0, 0.0], [3.0, -1.0, 0.5]], [[0.0, 1.0, -1.0], [2.0, 2.0, -2.0]]):
                with fwd.dual_level():
                    x = fwd.make_dual(_t(L, values), _t(L, [[1.0, -1.0, 0.5], [2.0, 0.0, 1.0]]))
                    out += list(fwd.unpack_dual(x.norm(p, dim=1))) + list(fwd.unpack_dual(x.norm(p)))
        return out
    same(run)


def test_norm_0_has_no_gradient():
    def run(L):
        x = _t(L, [0.0, 1.0, 2.0], True)
        x.norm(p=0).backward()
        y = x.norm(p=0) + x.sum()
        g, = L.autograd.grad(y, x)
        return [x.grad, g]
    same(run)
