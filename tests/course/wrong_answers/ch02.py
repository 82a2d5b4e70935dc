"""Wrong answers students write for chapter 02 (each must lose points on its exercise)."""

_ENGINE = '''
def run_backward(root, gradient=None):
    lib = library_of(root)
    if gradient is None:
        {check_scalar}
        gradient = lib.ones_like(root)
    grads = {{root.grad_fn: gradient}}
    with lib.no_grad():
        for node in {order}(root):
            grad = grads.pop(node, None)
            if grad is None:
                continue
            if hasattr(node, "variable"):
                leaf = node.variable
                {accumulate}
                continue
            outputs = node(grad)
            if not isinstance(outputs, tuple):
                outputs = (outputs,)
            for (child, _), child_grad in zip(node.next_functions, outputs):
                if child is not None and child_grad is not None:
                    {fan_out}
'''
_RIGHT = dict(
    check_scalar='if root.numel() != 1: raise RuntimeError("grad can be implicitly created only for scalar outputs")',
    order="reverse_topological_order",
    accumulate="leaf.grad = grad.clone() if leaf.grad is None else leaf.grad + grad",
    fan_out="grads[child] = child_grad if child not in grads else grads[child] + child_grad",
)


def _engine(**mistake):
    return _ENGINE.format(**{**_RIGHT, **mistake})


_PREORDER = '''
def preorder(root):
    order, seen = [], set()
    def visit(node):
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        order.append(node)
        for child, _ in node.next_functions:
            visit(child)
    visit(root.grad_fn)
    return order
'''
_BFS = '''
def bfs(root):
    order, seen, queue = [], {id(root.grad_fn)}, [root.grad_fn]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    return order
'''

WRONG = {
    "ex2_1": [
        ("missing the factor 2 of the square", '''
def grads_by_hand(x1, x2, x3):
    u = x1 * x2 + x3
    return u * x2, u * x1, u
'''),
        ("forgets the inner derivative (chain rule stops at the square)", '''
def grads_by_hand(x1, x2, x3):
    u = x1 * x2 + x3
    return 2 * u, 2 * u, 2 * u
'''),
        ("swaps x1 and x2 in the partials", '''
def grads_by_hand(x1, x2, x3):
    u = x1 * x2 + x3
    return 2 * u * x1, 2 * u * x2, 2 * u
'''),
        ("returns tensors instead of floats", '''
import torch
def grads_by_hand(x1, x2, x3):
    u = torch.tensor(x1 * x2 + x3)
    return 2 * u * x2, 2 * u * x1, 2 * u
'''),
    ],
    "ex2_2": [
        ("overwrites instead of summing at a fan-out", _engine(fan_out="grads[child] = child_grad")),
        ("depth-first pre-order instead of a topological order", _PREORDER + _engine(order="preorder")),
        ("breadth-first order instead of a topological order", _BFS + _engine(order="bfs")),
        ("overwrites leaf.grad instead of accumulating into it", _engine(accumulate="leaf.grad = grad")),
        ("ignores the gradient argument (always ones)", _engine().replace(
            "    if gradient is None:\n", "    gradient = None\n    if gradient is None:\n")),
        ("no error for a non-scalar root without gradient", _engine(check_scalar="pass")),
        ("wrong error type for a non-scalar root", _engine(
            check_scalar='if root.numel() != 1: raise ValueError("root must be a scalar")')),
    ],
    "ex2_3": [
        ("rebinds p = p - lr * p.grad instead of changing p in place", '''
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p = p - lr * p.grad
            p.grad = None
'''),
        ("forgets to zero the gradients", '''
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            with library_of(p).no_grad():
                p -= lr * p.grad
'''),
        ("updates in place under grad mode", '''
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p -= lr * p.grad
            p.grad.zero_()
'''),
        ("replaces the parameters in the list with new tensors", '''
def sgd_step_(params, lr):
    for i, p in enumerate(params):
        if p.grad is not None:
            params[i] = (p - lr * p.grad).detach().requires_grad_()
'''),
        ("zeroes the gradients before using them", '''
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p.grad.zero_()
            with library_of(p).no_grad():
                p -= lr * p.grad
'''),
        ("gradient ascent: wrong sign", '''
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            with library_of(p).no_grad():
                p += lr * p.grad
            p.grad.zero_()
'''),
    ],
}
