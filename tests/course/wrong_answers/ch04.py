"""Answers students write for chapter 04_vjp_jvp: WRONG ones must fail visibly (with a hint) and in grading;
RIGHT ones, written differently from the solution, must pass both.

Most wrong variants are the notebook's own solution with one mistake edited in, so the catalog follows
the solution when it changes (an edit that no longer applies fails loudly).
"""
import harness

_edit = harness.solution_editor("04_vjp_jvp")

WRONG = {
    "ex4_1": [
        ("makes the caller's x require grad", _edit("ex4_1", ("x = x.detach().requires_grad_(True)",
                                                             "x.requires_grad_(True)"))),
        ("x.clone() instead of x.detach(): the gradient flows on into the caller's x",
         _edit("ex4_1", ("x = x.detach().requires_grad_(True)", "x = x.clone().requires_grad_(True)"))),
        ("returns f(x) still attached to the graph", _edit("ex4_1", ("return y.detach(), x.grad", "return y, x.grad"))),
        ("returns (vᵀJ, f(x)): the wrong order", _edit("ex4_1", ("return y.detach(), x.grad",
                                                                 "return x.grad, y.detach()"))),
        ("ignores v: backward of the sum of the outputs", _edit("ex4_1", ("y.backward(gradient=v)",
                                                                          "y.sum().backward()"))),
        ("backward() without gradient on a non-scalar output", _edit("ex4_1", ("y.backward(gradient=v)",
                                                                               "y.backward()"))),
        ("multiplies the gradient of the sum by v afterwards", '''
def vjp(f, x, v):
    x = x.detach().requires_grad_(True)
    y = f(x)
    y.sum().backward()
    return y.detach(), x.grad * v
'''),
        ("computes J v by forward mode instead of vᵀJ", '''
def vjp(f, x, v):
    with mg_fwAD.dual_level():
        y, jv = mg_fwAD.unpack_dual(f(mg_fwAD.make_dual(x.detach(), v)))
        return y.detach(), jv
'''),
        ("calls minigrad.autograd.functional.vjp", '''
def vjp(f, x, v):
    return minigrad.autograd.functional.vjp(f, x, v)
'''),
    ],
    "ex4_2": [
        ("stacks the VJPs as columns: returns the transpose",
         _edit("ex4_2", ("return minigrad.stack(rows)", "return minigrad.stack(rows, dim=1)"))),
        ("one-hot vector never reset: rows become running sums",
         _edit("ex4_2", ("    for i in range(m):\n        e_i = minigrad.zeros(m, dtype=x.dtype)\n",
                         "    e_i = minigrad.zeros(m, dtype=x.dtype)\n    for i in range(m):\n"))),
        ("uses v = ones for every row", _edit("ex4_2", ("e_i[i] = 1.0", "e_i[:] = 1.0"))),
        ("one row per input (n) instead of per output (m)",
         _edit("ex4_2", ("m = f(x.detach()).shape[0]", "m = x.shape[0]"))),
        ("returns the list of rows, not a tensor", _edit("ex4_2", ("return minigrad.stack(rows)", "return rows"))),
        ("builds the columns by forward mode instead", '''
def jacobian_reverse(f, x):
    n = x.shape[0]
    with mg_fwAD.dual_level():
        columns = [mg_fwAD.unpack_dual(f(mg_fwAD.make_dual(x.detach(), minigrad.eye(n, dtype=x.dtype)[j]))).tangent
                   for j in range(n)]
    return minigrad.stack(columns, dim=1)
'''),
        ("calls the library's jacobian", '''
def jacobian_reverse(f, x):
    return minigrad.autograd.functional.jacobian(f, x)
'''),
    ],
    "ex4_3": [
        ("product rule written as a'b'",
         _edit("ex4_3", ("self.tangent * other.value + self.value * other.tangent", "self.tangent * other.tangent"))),
        ("reflected subtraction reuses __sub__: 1 - x computes x - 1",
         _edit("ex4_3", ("    def __rsub__(self, other):\n        return Dual.lift(other) - self\n",
                         "    __rsub__ = __sub__\n"))),
        ("no __rmul__: a number on the left fails", _edit("ex4_3", ("    __rmul__ = __mul__\n", ""))),
        ("quotient rule with the wrong sign",
         _edit("ex4_3", ("(self.tangent * other.value - self.value * other.tangent)",
                         "(self.value * other.tangent - self.tangent * other.value)"))),
        ("quotient rule divided by b instead of b²",
         _edit("ex4_3", ("/ other.value ** 2)", "/ other.value)"))),
        ("power rule forgets the factor k",
         _edit("ex4_3", ("k * self.value ** (k - 1) * self.tangent", "self.value ** (k - 1) * self.tangent"))),
        ("sin forgets the incoming tangent (chain rule)",
         _edit("ex4_3", ("Dual(math.sin(d.value), math.cos(d.value) * d.tangent)",
                         "Dual(math.sin(d.value), math.cos(d.value))"))),
        ("cos derivative with a + sign", _edit("ex4_3", ("-math.sin(d.value) * d.tangent", "math.sin(d.value) * d.tangent"))),
        ("derivative of log forgets the incoming tangent",
         _edit("ex4_3", ("Dual(math.log(d.value), d.tangent / d.value)", "Dual(math.log(d.value), 1 / d.value)"))),
        ("math.exp applied to the Dual itself",
         _edit("ex4_3", ("Dual(math.exp(d.value), math.exp(d.value) * d.tangent)",
                         "Dual(math.exp(d), math.exp(d) * d.tangent)"))),
        ("returns the Dual itself instead of two floats",
         _edit("ex4_3", ("return out.value, out.tangent", "return out, out.tangent"))),
        ("returns (J u, f(x)): the wrong order", _edit("ex4_3", ("return out.value, out.tangent",
                                                                 "return out.tangent, out.value"))),
        ("seeds every tangent with 1 instead of u", _edit("ex4_3", ("Dual(float(xi), float(ui))", "Dual(float(xi), 1.0)"))),
        ("keeps the tensor entries as they come: 1-D tensor inputs give tensor results",
         _edit("ex4_3", ("self.value, self.tangent = float(value), float(tangent)", "self.value, self.tangent = value, tangent"),
               ("Dual(float(xi), float(ui))", "Dual(xi, ui)"))),
        ("skips the Dual class: calls f on torch tensors and uses torch.func.jvp", '''
import torch

def jvp_dual(f, x, u):
    xs = tuple(torch.tensor(float(v), dtype=torch.float64) for v in x)
    us = tuple(torch.tensor(float(v), dtype=torch.float64) for v in u)
    value, tangent = torch.func.jvp(lambda *a: f(list(a)), xs, us)
    return value.item(), tangent.item()
'''),
    ],
    "ex4_4": [
        ("reuses the reverse-mode Jacobian instead of forward mode",
         "def jacobian_forward(f, x):\n    return jacobian_reverse(f, x)\n"),
        ("stacks the JVPs as rows: returns the transpose",
         _edit("ex4_4", ("return minigrad.stack(columns, dim=1)", "return minigrad.stack(columns)"))),
        ("takes the primal instead of the tangent",
         _edit("ex4_4", ("f(mg_fwAD.make_dual(x, u))).tangent", "f(mg_fwAD.make_dual(x, u))).primal"))),
        ("one-hot tangent never reset: columns become running sums",
         _edit("ex4_4", ("        for j in range(n):\n            u = minigrad.zeros(n, dtype=x.dtype)\n",
                         "        u = minigrad.zeros(n, dtype=x.dtype)\n        for j in range(n):\n"))),
        ("tangent of ones for every column", _edit("ex4_4", ("u[j] = 1.0", "u[:] = 1.0"))),
        ("make_dual outside dual_level()", '''
def jacobian_forward(f, x):
    x = x.detach()
    n = x.shape[0]
    eye = minigrad.eye(n, dtype=x.dtype)
    columns = [mg_fwAD.unpack_dual(f(mg_fwAD.make_dual(x, eye[j]))).tangent for j in range(n)]
    return minigrad.stack(columns, dim=1)
'''),
        ("one column per output (m) instead of per input (n)",
         _edit("ex4_4", ("n = x.shape[0]", "n = f(x).shape[0]"))),
        ("calls minigrad's functional jvp (double backward, not forward mode)", '''
def jacobian_forward(f, x):
    n = x.shape[0]
    eye = minigrad.eye(n, dtype=x.dtype)
    return minigrad.stack([minigrad.autograd.functional.jvp(f, x, eye[j])[1] for j in range(n)], dim=1)
'''),
    ],
}

RIGHT = {
    "ex4_1": [
        ("autograd.grad with grad_outputs=v", '''
def vjp(f, x, v):
    leaf = x.detach().requires_grad_()
    y = f(leaf)
    (g,) = minigrad.autograd.grad(y, leaf, grad_outputs=v)
    return y.detach(), g
'''),
        ("backward of the weighted sum (y * v).sum()", '''
def vjp(f, x, v):
    leaf = x.detach().clone().requires_grad_(True)
    y = f(leaf)
    (y * v).sum().backward()
    return y.detach(), leaf.grad.detach()
'''),
    ],
    "ex4_2": [
        ("one forward pass, m calls of autograd.grad with retain_graph", '''
def jacobian_reverse(f, x):
    leaf = x.detach().requires_grad_()
    y = f(leaf)
    eye = minigrad.eye(y.shape[0], dtype=x.dtype)
    rows = [minigrad.autograd.grad(y, leaf, grad_outputs=eye[i], retain_graph=True)[0] for i in range(y.shape[0])]
    return minigrad.stack(rows)
'''),
    ],
    "ex4_3": [
        ("a Dual written from scratch, dual as a SimpleNamespace, tuples for jvp_dual", '''
import types

class Dual:
    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = float(value), float(tangent)

    @staticmethod
    def lift(c):
        return c if isinstance(c, Dual) else Dual(c)

    def __add__(self, o):
        o = Dual.lift(o)
        return Dual(self.value + o.value, self.tangent + o.tangent)

    def __radd__(self, o):
        return self + o

    def __sub__(self, o):
        o = Dual.lift(o)
        return Dual(self.value - o.value, self.tangent - o.tangent)

    def __rsub__(self, o):
        return Dual.lift(o) - self

    def __mul__(self, o):
        o = Dual.lift(o)
        return Dual(self.value * o.value, self.value * o.tangent + o.value * self.tangent)

    def __rmul__(self, o):
        return self * o

    def __truediv__(self, o):
        o = Dual.lift(o)
        return self * Dual(1.0 / o.value, -o.tangent / o.value ** 2)

    def __rtruediv__(self, o):
        return Dual.lift(o) / self

    def __neg__(self):
        return Dual(-self.value, -self.tangent)

    def __pow__(self, k):
        return Dual(self.value ** k, k * self.value ** (k - 1) * self.tangent)


dual = types.SimpleNamespace(
    sin=lambda d: Dual(math.sin(d.value), d.tangent * math.cos(d.value)),
    cos=lambda d: Dual(math.cos(d.value), -d.tangent * math.sin(d.value)),
    exp=lambda d: Dual(math.exp(d.value), d.tangent * math.exp(d.value)),
    log=lambda d: Dual(math.log(d.value), d.tangent / d.value),
)

def jvp_dual(f, x, u):
    x, u = [float(v) for v in x], [float(v) for v in u]
    out = f([Dual(x[i], u[i]) for i in range(len(x))])
    return (out.value, out.tangent)
'''),
    ],
    "ex4_4": [
        ("one dual_level per column, rows stacked then transposed", '''
def jacobian_forward(f, x):
    n = x.numel()
    eye = minigrad.eye(n, dtype=x.dtype)
    rows = []
    for j in range(n):
        with mg_fwAD.dual_level():
            rows.append(mg_fwAD.unpack_dual(f(mg_fwAD.make_dual(x.detach(), eye[j]))).tangent)
    return minigrad.stack(rows).T
'''),
    ],
}
