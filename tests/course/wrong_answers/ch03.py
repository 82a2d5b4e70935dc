"""Answers students write for chapter 03_higher_order: WRONG ones must fail visibly (with a hint) and in
grading; RIGHT ones, written differently from the solution, must pass both.

Most wrong variants are the notebook's own solution with one mistake edited in, so the catalog follows
the solution when it changes (an edit that no longer applies fails loudly).
"""
import harness

_edit = harness.solution_editor("03_higher_order")

WRONG = {
    "ex3_1": [
        ("forgets create_graph=True (the second derivative has no graph)",
         _edit("ex3_1", ("grad(d, x, create_graph=True)", "grad(d, x)"))),
        ("off by one: n - 1 derivatives", _edit("ex3_1", ("range(n)", "range(n - 1)"))),
        ("off by one: n + 1 derivatives", _edit("ex3_1", ("range(n)", "range(n + 1)"))),
        ("differentiates f(x) again at every step", _edit("ex3_1", ("grad(d, x, create_graph=True)",
                                                                    "grad(f(x), x, create_graph=True)"))),
        ("uses backward and reads x.grad (gradients accumulate)", '''
def nth_derivative(f, x, n):
    d = f(x)
    for _ in range(n):
        d.backward(create_graph=True)
        d = x.grad
    return d
'''),
        ("returns a float (.item())", _edit("ex3_1", ("    return d\n", "    return d.item()\n"))),
        ("returns the tuple that autograd.grad gives", _edit("ex3_1", ("(d,) = minigrad", "d = minigrad"))),
        ("scales the first derivative by n", '''
def nth_derivative(f, x, n):
    (d,) = minigrad.autograd.grad(f(x), x, create_graph=True)
    return d * n
'''),
    ],
    "ex3_2": [
        ("differentiates g.sum() instead of g · v (H times ones)", _edit("ex3_2", ("(g * v).sum()", "g.sum()"))),
        ("returns the gradient times v (no second backward)", '''
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = minigrad.autograd.grad(f(x), x)
    return g * v
'''),
        ("changes the caller's x with requires_grad_()",
         _edit("ex3_2", ("x = x.detach().requires_grad_()", "x.requires_grad_()"))),
        ("works on x itself, which does not require grad", _edit("ex3_2", ("    x = x.detach().requires_grad_()\n", ""))),
        ("forgets create_graph=True", _edit("ex3_2", ("grad(f(x), x, create_graph=True)", "grad(f(x), x)"))),
        ("central finite differences of the gradient", '''
def hvp(f, x, v, eps=1e-4):
    def grad_at(point):
        point = point.detach().requires_grad_()
        return minigrad.autograd.grad(f(point), point)[0]
    return (grad_at(x + eps * v) - grad_at(x - eps * v)) / (2 * eps)
'''),
        ("forward finite differences with a tiny step", '''
def hvp(f, x, v, eps=1e-7):
    def grad_at(point):
        point = point.detach().requires_grad_()
        return minigrad.autograd.grad(f(point), point)[0]
    return (grad_at(x + eps * v) - grad_at(x)) / eps
'''),
        ("two backward() calls: .grad keeps the first gradient (g + Hv)", '''
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    f(x).backward(create_graph=True)
    (x.grad * v).sum().backward()
    return x.grad
'''),
        ("forms the Hessian row by row, then multiplies", '''
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = minigrad.autograd.grad(f(x), x, create_graph=True)
    flat = g.reshape(-1)
    rows = [minigrad.autograd.grad(flat[i], x, retain_graph=True)[0].reshape(-1) for i in range(flat.numel())]
    return (minigrad.stack(rows) @ v.reshape(-1)).reshape(x.shape)
'''),
        ("calls the library's hvp", '''
def hvp(f, x, v):
    return minigrad.autograd.functional.hvp(f, x, v)[1]
'''),
    ],
    "ex3_3": [
        ("flat (n, n) result for a non-1-D x",
         _edit("ex3_3", ("return minigrad.stack(rows).reshape(*x.shape, *x.shape)", "return minigrad.stack(rows)"))),
        ("rows shaped like x, stacked without the final reshape", '''
def hessian(f, x):
    n = x.numel()
    basis = minigrad.eye(n, dtype=x.dtype)
    return minigrad.stack([hvp(f, x, basis[i].reshape(x.shape)) for i in range(n)])
'''),
        ("the same vector of ones for every row",
         _edit("ex3_3", ("hvp(f, x, basis[i].reshape(x.shape))", "hvp(f, x, minigrad.ones_like(x))"))),
        ("only the diagonal (keeps entry i of H e_i)",
         _edit("ex3_3", ("hvp(f, x, basis[i].reshape(x.shape)).reshape(n)",
                         "hvp(f, x, basis[i].reshape(x.shape)).reshape(n) * basis[i]"))),
        ("counts x.shape[0] entries instead of x.numel()", _edit("ex3_3", ("n = x.numel()", "n = x.shape[0]"))),
        ("basis vectors not reshaped like x", _edit("ex3_3", ("hvp(f, x, basis[i].reshape(x.shape))",
                                                              "hvp(f, x, basis[i])"))),
        ("calls the library's hessian", '''
def hessian(f, x):
    return minigrad.autograd.functional.hessian(f, x)
'''),
    ],
}

RIGHT = {
    "ex3_1": [
        ("recursion: differentiate the (n-1)-th derivative", '''
def nth_derivative(f, x, n):
    d = f(x) if n == 1 else nth_derivative(f, x, n - 1)
    return minigrad.autograd.grad(d, x, create_graph=True)[0]
'''),
        ("no graph for the last derivative (create_graph only where needed)", '''
def nth_derivative(f, x, n):
    d = f(x)
    for k in range(n):
        (d,) = minigrad.autograd.grad(d, x, create_graph=k < n - 1)
    return d
'''),
    ],
    "ex3_2": [
        ("grad_outputs=v instead of (g * v).sum()", '''
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = minigrad.autograd.grad(f(x), x, create_graph=True)
    return minigrad.autograd.grad(g, x, grad_outputs=v)[0]
'''),
        ("autograd.grad for g, then backward() into a fresh leaf", '''
def hvp(f, x, v):
    leaf = x.detach().requires_grad_(True)
    g = minigrad.autograd.grad(f(leaf), leaf, create_graph=True)[0]
    (g * v).sum().backward()
    return leaf.grad
'''),
    ],
    "ex3_3": [
        ("columns instead of rows (H is symmetric), basis built entry by entry", '''
def hessian(f, x):
    n = x.numel()
    columns = []
    for j in range(n):
        e = minigrad.zeros(n, dtype=x.dtype)
        e[j] = 1.0
        columns.append(hvp(f, x, e.reshape(x.shape)).reshape(n))
    return minigrad.stack(columns, dim=1).reshape(*x.shape, *x.shape)
'''),
    ],
}
