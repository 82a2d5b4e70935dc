"""Error parity: minigrad raises torch's exception type with torch's message.

Each case is the same code for both libraries. Messages are compared after writing "torch" for
"minigrad" (type names such as ``minigrad.FloatTensor``/``minigrad.Size`` say which library made
them) and dropping torch's C++ "(Triggered internally at ...)" suffix.
"""
import re

import pytest
import torch

import minigrad


def _leaf(L, *shape):
    return L.ones(*shape, requires_grad=True)


def _second_backward(L):
    x = _leaf(L, 2)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _saved_tensor_modified(L):
    a = _leaf(L, 2)
    b = a.sigmoid()
    b.mul_(2)
    b.sum().backward()


def _saved_leaf_modified(L):
    a = L.ones(3)
    w = _leaf(L, 3)
    y = (a * w).sum()
    a.add_(1)
    y.backward()


def _freed_saved_tensors(L):
    x = _leaf(L, 2)
    y = x.exp()
    y.sum().backward()
    y.grad_fn.next_functions  # noqa: B018 - fine: the node exists
    y.sum().backward()


CASES = {
    "non_scalar_backward": lambda L: (_leaf(L, 2) * 2).backward(),
    "backward_without_grad": lambda L: L.ones(2).sum().backward(),
    "second_backward": _second_backward,
    "second_backward_exp": _freed_saved_tensors,
    "inplace_on_leaf": lambda L: _leaf(L, 2).add_(1),
    "inplace_on_leaf_operator": lambda L: _leaf(L, 2).__iadd__(1),
    "setitem_on_leaf": lambda L: _leaf(L, 2).__setitem__(0, 1.0),
    "inplace_on_view_of_leaf": lambda L: _leaf(L, 2)[0].mul_(2),
    "requires_grad_on_non_leaf": lambda L: setattr(_leaf(L, 2) * 2, "requires_grad", False),
    "requires_grad_on_int": lambda L: L.ones(2, dtype=L.int64).requires_grad_(),
    "saved_output_modified": _saved_tensor_modified,
    "saved_leaf_modified": _saved_leaf_modified,
    "grad_unused_input": lambda L: L.autograd.grad((_leaf(L, 1) * 2).sum(), [_leaf(L, 1)]),
    "grad_input_without_grad": lambda L: L.autograd.grad((_leaf(L, 1) * 2).sum(), [L.ones(1)]),
    "numpy_of_requires_grad": lambda L: _leaf(L, 2).numpy(),
    "item_of_many": lambda L: L.ones(2).item(),
    "invalid_view": lambda L: L.ones(2).view(3),
    "broadcast_mismatch": lambda L: L.ones(2) + L.ones(3),
    "broadcast_mismatch_2d": lambda L: L.ones(2, 3) * L.ones(4, 1, 2),
    "mm_shapes": lambda L: L.ones(2, 3) @ L.ones(2, 3),
    "mm_shapes_fn": lambda L: L.mm(L.ones(4, 1), L.ones(2, 5)),
    "gradient_shape": lambda L: _leaf(L, 2).sum().backward(L.ones(3)),
    "bool_ambiguous": lambda L: bool(L.ones(2)),
    "dot_sizes": lambda L: L.dot(L.ones(2), L.ones(3)),
    "dot_dtypes": lambda L: L.dot(L.ones(2), L.ones(2, dtype=L.float64)),
    "retain_grad_without_grad": lambda L: L.ones(2).retain_grad(),
    "hook_without_grad": lambda L: L.ones(2).register_hook(lambda g: g),
    "mean_of_ints": lambda L: L.ones(2, dtype=L.int64).mean(),
    "len_of_scalar": lambda L: len(L.tensor(1.0)),
    "neg_of_bool": lambda L: -L.tensor([True]),
    "inplace_float_into_int": lambda L: L.ones(2, dtype=L.int64).add_(0.5),
    "inplace_broadcast_output": lambda L: L.ones(2).add_(L.ones(3, 2)),
    "expand_mismatch": lambda L: L.ones(2).expand(3, 3),
    "clamp_without_bounds": lambda L: L.ones(2).clamp(),
    "matmul_0d": lambda L: L.tensor(1.0) @ L.ones(2),
    "permute_dims": lambda L: L.ones(2, 3).permute(0),
    "t_of_3d": lambda L: L.ones(2, 3, 4).t(),
    "cat_sizes": lambda L: L.cat([L.ones(2, 3), L.ones(2, 4)]),
    "stack_sizes": lambda L: L.stack([L.ones(2, 3), L.ones(2, 3), L.ones(2, 4)]),
    "index_out_of_bounds": lambda L: L.ones(2)[5],
    "dim_out_of_range": lambda L: L.ones(2, 3).sum(2),
    "negative_int_power": lambda L: L.tensor([2]) ** -1,
    # out-of-range dims never wrap around
    "transpose_dim": lambda L: L.ones(2, 3).transpose(0, 2),
    "unsqueeze_dim": lambda L: L.ones(2, 3).unsqueeze(3),
    "unsqueeze_negative_dim": lambda L: L.ones(2, 3).unsqueeze(-4),
    "select_dim": lambda L: L.ones(2, 3).select(2, 0),
    "select_index": lambda L: L.ones(2, 3).select(0, 5),
    "select_0d": lambda L: L.tensor(1.0).select(0, 0),
    "narrow_dim": lambda L: L.ones(2, 3).narrow(2, 0, 1),
    "narrow_length": lambda L: L.ones(2, 3).narrow(1, 2, 3),
    "movedim_source": lambda L: L.ones(2, 3).movedim(2, 0),
    "movedim_destination": lambda L: L.ones(2, 3).movedim(0, 2),
    "permute_dim": lambda L: L.ones(2, 3).permute(0, 2),
    "permute_duplicate": lambda L: L.ones(2, 3).permute(0, 0),
    "flatten_dim": lambda L: L.ones(2, 3).flatten(0, 2),
    "flatten_order": lambda L: L.ones(2, 3, 4).flatten(2, 1),
    "gather_dim": lambda L: L.ones(2, 3).gather(2, L.zeros(2, 3, dtype=L.int64)),
    "index_select_dim": lambda L: L.ones(2, 3).index_select(2, L.tensor([0])),
    "unflatten_dim": lambda L: L.ones(2, 3).unflatten(2, (1, 3)),
    "unflatten_sizes": lambda L: L.ones(2, 3).unflatten(1, (2, 2)),
    "split_dim": lambda L: L.ones(2, 3).split(1, dim=2),
    "split_zero": lambda L: L.ones(2, 3).split(0),
    "split_sizes": lambda L: L.ones(2, 3).split([1, 1], dim=1),
    "unbind_dim": lambda L: L.ones(2, 3).unbind(2),
    "chunk_dim": lambda L: L.ones(2, 3).chunk(2, dim=2),
    "chunk_zero": lambda L: L.ones(2, 3).chunk(0),
    "squeeze_dim": lambda L: L.ones(2, 3).squeeze(2),
    "softmax_dim": lambda L: L.ones(2, 3).softmax(2),
    "cat_dim": lambda L: L.cat([L.ones(2, 3), L.ones(2, 3)], 2),
    "stack_dim": lambda L: L.stack([L.ones(2, 3), L.ones(2, 3)], 3),
    "max_dim": lambda L: L.ones(2, 3).max(2),
    "argmax_dim": lambda L: L.ones(2, 3).argmax(2),
    "mean_dim": lambda L: L.ones(2, 3).mean(2),
    "norm_dim": lambda L: L.ones(2, 3).norm(dim=2),
    "prod_dim": lambda L: L.ones(2, 3).prod(2),
    "logsumexp_dim": lambda L: L.ones(2, 3).logsumexp(2),
    "transpose_0d": lambda L: L.tensor(1.0).transpose(0, 1),
    "too_many_indices": lambda L: L.ones(2, 3)[0, 0, 0],
    "index_out_of_bounds_dim1": lambda L: L.ones(2, 3)[0, 5],
    "negative_step": lambda L: L.ones(3)[::-1],
    "floor_divide_backward": lambda L: (_leaf(L, 2) // 2).sum().backward(),
    "div_rounding_mode": lambda L: L.ones(2).div(2, rounding_mode="round"),
    "copy_shapes": lambda L: L.ones(2).copy_(L.ones(3, 2)),
}


def _error(L, case):
    with pytest.raises(Exception) as info:
        CASES[case](L)
    e = info.value
    msg = re.sub(r" \(Triggered internally at .*\)\.?$", "", str(e), flags=re.S)
    return type(e), msg.replace("minigrad", "torch")


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_exception_and_message_as_torch(case):
    t_type, t_msg = _error(torch, case)
    m_type, m_msg = _error(minigrad, case)
    assert m_type is t_type, (m_type, t_type, m_msg)
    assert m_msg == t_msg


def test_cuda_request_gives_a_clear_message():
    for make in (lambda: minigrad.ones(2).to("cuda"), lambda: minigrad.ones(2, device="cuda"),
                 lambda: minigrad.tensor([1.0], device="cuda:0"), lambda: minigrad.ones(2).cuda()):
        with pytest.raises(RuntimeError, match="minigrad runs on the CPU only"):
            make()
