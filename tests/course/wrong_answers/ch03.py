"""Wrong answers students write for chapter 03 (each must lose points on its exercise)."""

WRONG = {
    "ex3_1": [
        ("forgets create_graph=True (second derivative fails)", '''
def nth_derivative(f, x, n):
    d = f(x)
    for _ in range(n):
        (d,) = minigrad.autograd.grad(d, x)
    return d
'''),
        ("off by one: n - 1 derivatives", '''
def nth_derivative(f, x, n):
    d = f(x)
    for _ in range(n - 1):
        (d,) = minigrad.autograd.grad(d, x, create_graph=True)
    return d
'''),
        ("uses backward and reads x.grad (gradients accumulate)", '''
def nth_derivative(f, x, n):
    d = f(x)
    for _ in range(n):
        d.backward(create_graph=True)
        d = x.grad
    return d
'''),
        ("returns a float computed from the first derivative times n", '''
def nth_derivative(f, x, n):
    (d,) = minigrad.autograd.grad(f(x), x)
    return n * d.item()
'''),
    ],
    "ex3_2": [
        ("differentiates sum(g) instead of g . v (H times ones)", '''
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = minigrad.autograd.grad(f(x), x, create_graph=True)
    (hv,) = minigrad.autograd.grad(g.sum(), x)
    return hv
'''),
        ("returns the gradient times v (no second backward)", '''
def hvp(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = minigrad.autograd.grad(f(x), x)
    return g * v
'''),
        ("changes the caller's x with requires_grad_()", '''
def hvp(f, x, v):
    x.requires_grad_()
    (g,) = minigrad.autograd.grad(f(x), x, create_graph=True)
    (hv,) = minigrad.autograd.grad((g * v).sum(), x)
    return hv
'''),
        ("finite differences of the gradient instead of double backward", '''
def hvp(f, x, v, eps=1e-4):
    def grad_at(point):
        point = point.detach().requires_grad_()
        return minigrad.autograd.grad(f(point), point)[0]
    return (grad_at(x + eps * v) - grad_at(x - eps * v)) / (2 * eps)
'''),
    ],
    "ex3_3": [
        ("flat (n, n) result for a non-1-D x", '''
def hessian(f, x):
    n = x.numel()
    basis = minigrad.eye(n, dtype=x.dtype)
    return minigrad.stack([hvp(f, x, basis[i].reshape(x.shape)).reshape(n) for i in range(n)])
'''),
        ("the same vector of ones for every row", '''
def hessian(f, x):
    n = x.numel()
    ones = minigrad.ones_like(x)
    return minigrad.stack([hvp(f, x, ones).reshape(n) for i in range(n)]).reshape(*x.shape, *x.shape)
'''),
        ("only the diagonal (H e_i keeps only entry i)", '''
def hessian(f, x):
    n = x.numel()
    basis = minigrad.eye(n, dtype=x.dtype)
    rows = [hvp(f, x, basis[i].reshape(x.shape)).reshape(n) * basis[i] for i in range(n)]
    return minigrad.stack(rows).reshape(*x.shape, *x.shape)
'''),
    ],
}
