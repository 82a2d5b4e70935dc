"""Answers students write for chapter 02: WRONG ones must lose the points, RIGHT ones must earn them.

CHEATS pass the first grading run by letting torch, sympy or minigrad's engine do the work; the
do-it-yourself second run must take their points away (tests/course/test_self_made.py).
"""

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


_NO_NO_GRAD = _engine().replace("    with lib.no_grad():\n", "    if True:  # no no_grad()\n")

_KAHN_ENGINE = '''
def run_backward(root, gradient=None):
    """Iterative engine: count the edges into each node, run a node once all of them have delivered."""
    lib = library_of(root)
    if gradient is None:
        if root.numel() != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        gradient = lib.ones_like(root)
    waiting, stack, seen = {}, [root.grad_fn], {root.grad_fn}
    while stack:
        for child, _ in stack.pop().next_functions:
            if child is not None:
                waiting[child] = waiting.get(child, 0) + 1
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
    pending = {root.grad_fn: gradient}
    ready = [root.grad_fn]
    with lib.no_grad():
        while ready:
            node = ready.pop()
            grad = pending.pop(node, None)
            if type(node).__name__ == "AccumulateGrad":
                if grad is not None:
                    old = node.variable.grad
                    node.variable.grad = grad.clone() if old is None else old + grad
                continue
            outputs = node(grad) if grad is not None else ()
            if not isinstance(outputs, tuple):
                outputs = (outputs,)
            outputs = list(outputs) + [None] * (len(node.next_functions) - len(outputs))
            for (child, _), g in zip(node.next_functions, outputs):
                if child is None:
                    continue
                if g is not None:
                    pending[child] = g if child not in pending else pending[child] + g
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
'''


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
        ("differentiates only the inner u = x1*x2 + x3", '''
def grads_by_hand(x1, x2, x3):
    return float(x2), float(x1), 1.0
'''),
        ("rounds the results to two decimals", '''
def grads_by_hand(x1, x2, x3):
    u = x1 * x2 + x3
    return round(2 * u * x2, 2), round(2 * u * x1, 2), round(2 * u, 2)
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
        ("tests root.dim() instead of root.numel() (a shape-(1,) root is a scalar)", _engine(
            check_scalar='if root.dim() != 0: raise RuntimeError("grad can be implicitly created only for scalar outputs")')),
        ("leaves grad mode on (no no_grad around the loop)", _NO_NO_GRAD),
        ("stores the incoming gradient as .grad without a copy",
         _engine(accumulate="leaf.grad = grad if leaf.grad is None else leaf.grad + grad")),
        ("leaves grad mode on and stores the incoming gradient without a copy", _NO_NO_GRAD.replace(
            "leaf.grad = grad.clone() if leaf.grad is None", "leaf.grad = grad if leaf.grad is None")),
        ("stores without a copy, then accumulates in place",
         _engine(accumulate="leaf.grad = grad if leaf.grad is None else leaf.grad.add_(grad)")),
        ("zips a single returned tensor with next_functions (no tuple)", _engine().replace(
            "            if not isinstance(outputs, tuple):\n                outputs = (outputs,)\n", "")),
        ("returns the gradients instead of None", _engine() + "    return grads\n"),
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
        ("crashes on a parameter whose .grad is None", '''
def sgd_step_(params, lr):
    for p in params:
        with library_of(p).no_grad():
            p -= lr * p.grad
        p.grad = None
'''),
        ("uses torch.no_grad() for minigrad parameters too", '''
import torch
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            with torch.no_grad():
                p -= lr * p.grad
            p.grad.zero_()
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

RIGHT = {
    "ex2_1": [
        ("expands y = x1²x2² + 2x1x2x3 + x3² first", '''
def grads_by_hand(x1, x2, x3):
    return (2.0 * x1 * x2 ** 2 + 2.0 * x2 * x3, 2.0 * x1 ** 2 * x2 + 2.0 * x1 * x3, 2.0 * x1 * x2 + 2.0 * x3)
'''),
    ],
    "ex2_2": [
        ("an iterative engine with its own incoming-edge counts (no reverse_topological_order)", _KAHN_ENGINE),
    ],
    "ex2_3": [
        ("updates through .data and sets .grad to None", '''
def sgd_step_(params, lr):
    for p in params:
        if p.grad is not None:
            p.data -= lr * p.grad
            p.grad = None
'''),
        ("sub_ under the library's no_grad, one block for all parameters", '''
def sgd_step_(params, lr):
    with_grad = [p for p in params if p.grad is not None]
    for p in with_grad:
        with library_of(p).no_grad():
            p.sub_(p.grad, alpha=lr)
    for p in with_grad:
        p.grad.zero_()
'''),
    ],
}

CHEATS = {
    "ex2_1": [
        ("asks torch.autograd for the gradients", '''
import torch
def grads_by_hand(x1, x2, x3):
    xs = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in (x1, x2, x3)]
    y = (xs[0] * xs[1] + xs[2]) ** 2
    return tuple(g.item() for g in torch.autograd.grad(y, xs))
'''),
        ("differentiates with sympy", '''
import sympy
def grads_by_hand(x1, x2, x3):
    a, b, c = sympy.symbols("a b c")
    y = (a * b + c) ** 2
    at = {a: x1, b: x2, c: x3}
    return tuple(float(sympy.diff(y, v).subs(at)) for v in (a, b, c))
'''),
        ("lets minigrad's backward do it", '''
import minigrad
def grads_by_hand(x1, x2, x3):
    xs = [minigrad.tensor(float(v), dtype=minigrad.float64, requires_grad=True) for v in (x1, x2, x3)]
    ((xs[0] * xs[1] + xs[2]) ** 2).backward()
    return tuple(x.grad.item() for x in xs)
'''),
    ],
    "ex2_2": [
        ("calls the library's own backward", '''
def run_backward(root, gradient=None):
    root.backward(gradient)
'''),
        ("calls autograd.backward of the library", '''
def run_backward(root, gradient=None):
    library_of(root).autograd.backward([root], None if gradient is None else [gradient])
'''),
    ],
}
