"""Wrong answers students write for chapter 04_vjp_jvp; each must lose points on its exercise.

Each variant is the notebook's own solution with one mistake edited in, so the catalog follows the
solution when it changes (an edit that no longer applies fails loudly).
"""
import harness

_edit = harness.solution_editor("04_vjp_jvp")


WRONG = {
    "ex4_1": [
        ("differentiates x itself: writes x.grad and adds to a stale gradient",
         _edit("ex4_1", ("x = x.detach().requires_grad_(True)", "x.requires_grad_(True)"))),
        ("returns f(x) still attached to the graph",
         _edit("ex4_1", ("return y.detach(), x.grad", "return y, x.grad"))),
        ("calls minigrad.autograd.functional.vjp instead of backward",
         "def vjp(f, x, v):\n    return minigrad.autograd.functional.vjp(f, x, v)\n"),
        ("ignores v: backward of the sum of the outputs",
         _edit("ex4_1", ("y.backward(gradient=v)", "y.sum().backward()"))),
    ],
    "ex4_2": [
        ("stacks the VJPs as columns: returns the transpose",
         _edit("ex4_2", ("return minigrad.stack(rows)", "return minigrad.stack(rows, dim=1)"))),
        ("one-hot vector never reset: rows become running sums",
         _edit("ex4_2", ("    for i in range(m):\n        e_i = minigrad.zeros(m, dtype=x.dtype)\n",
                         "    e_i = minigrad.zeros(m, dtype=x.dtype)\n    for i in range(m):\n"))),
        ("uses v = ones for every row",
         _edit("ex4_2", ("e_i[i] = 1.0", "e_i[:] = 1.0"))),
    ],
    "ex4_3": [
        ("product rule written as a'b'",
         _edit("ex4_3", ("self.tangent * other.value + self.value * other.tangent",
                         "self.tangent * other.tangent"))),
        ("reflected subtraction reuses __sub__: 1 - x computes x - 1",
         _edit("ex4_3", ("    def __rsub__(self, other):\n        return Dual.lift(other) - self\n",
                         "    __rsub__ = __sub__\n"))),
        ("quotient rule with the wrong sign",
         _edit("ex4_3", ("(self.tangent * other.value - self.value * other.tangent)",
                         "(self.value * other.tangent - self.tangent * other.value)"))),
        ("derivative of log forgets the incoming tangent",
         _edit("ex4_3", ("Dual(math.log(d.value), d.tangent / d.value)", "Dual(math.log(d.value), 1 / d.value)"))),
        ("cos derivative with a + sign",
         _edit("ex4_3", ("-math.sin(d.value) * d.tangent", "math.sin(d.value) * d.tangent"))),
        ("power rule forgets the factor k",
         _edit("ex4_3", ("k * self.value ** (k - 1) * self.tangent", "self.value ** (k - 1) * self.tangent"))),
        ("returns the Dual itself instead of two floats",
         _edit("ex4_3", ("return out.value, out.tangent", "return out, out.tangent"))),
        ("keeps the tensor elements as they come: 1-D tensor inputs give tensor results",
         _edit("ex4_3", ("self.value, self.tangent = float(value), float(tangent)", "self.value, self.tangent = value, tangent"),
               ("Dual(float(xi), float(ui))", "Dual(xi, ui)"))),
    ],
    "ex4_4": [
        ("reuses the reverse-mode Jacobian instead of forward mode",
         "def jacobian_forward(f, x):\n    return jacobian_reverse(f, x)\n"),
        ("stacks the JVPs as rows: returns the transpose",
         _edit("ex4_4", ("return minigrad.stack(columns, dim=1)", "return minigrad.stack(columns)"))),
        ("takes the primal instead of the tangent",
         _edit("ex4_4", ("f(mg_fwAD.make_dual(x, u))).tangent", "f(mg_fwAD.make_dual(x, u))).primal"))),
    ],
}
