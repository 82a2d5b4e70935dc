"""Answers students write for chapter 05_custom_function: WRONG ones must fail (visibly, with a hint, and
in grading), RIGHT ones, written differently from the notebook's solutions, must pass.

Most wrong answers are the notebook's own solution with one mistake edited in (harness.solution_editor).
"""
import harness

_edit = harness.solution_editor("05_custom_function")

# ------------------------------------------------------------------------------------------- ex5_1
_COPY = ("    x = x.detach().clone().contiguous()  # our own copy, contiguous so that view(-1) shares its memory\n",)
_DIVIDE = ("(f_plus - f_minus) / (2 * eps)",)

_IN_PLACE_ARITHMETIC = '''
def numerical_gradient(f, x, eps=1e-6):
    x = x.detach()                      # the caller's tensor itself
    flat = x.reshape(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        flat[i] += eps
        f_plus = float(f(x))
        flat[i] -= 2 * eps
        f_minus = float(f(x))
        flat[i] += eps                  # "restored"
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad.reshape(x.shape)
'''

# ------------------------------------------------------------------------------------------- ex5_2 / ex5_3
_FORWARD = ("exps = (x - x.amax(dim=-1, keepdim=True)).exp()\n        s = exps / exps.sum(dim=-1, keepdim=True)",)
_BACKWARD = ("return s * (grad_output - (s * grad_output).sum(dim=-1, keepdim=True))",)
_NO_SHIFT = ("exps = (x - x.amax(dim=-1, keepdim=True)).exp()", "exps = x.exp()")
_WHOLE_MAX = ("x.amax(dim=-1, keepdim=True)", "x.max()")
_NO_SUM_TERM = (_BACKWARD[0], "return s * grad_output")
_SIGN = (_BACKWARD[0], "return s * ((s * grad_output).sum(dim=-1, keepdim=True) - grad_output)")
_SUM_DIM0 = ("(s * grad_output).sum(dim=-1, keepdim=True)", "(s * grad_output).sum(dim=0, keepdim=True)")
_SAVE_INPUT = ("ctx.save_for_backward(s)", "ctx.save_for_backward(x)")
_SAVE_EXPS = ("ctx.save_for_backward(s)", "ctx.save_for_backward(exps)")
_IN_PLACE = ("exps = (x - x.amax(dim=-1, keepdim=True)).exp()", "x -= x.amax(dim=-1, keepdim=True)\n        exps = x.exp()")
_NO_KEEPDIM = ("s = exps / exps.sum(dim=-1, keepdim=True)", "s = exps / exps.sum(dim=-1)")
_NO_RETURN = (_BACKWARD[0], "s * (grad_output - (s * grad_output).sum(dim=-1, keepdim=True))")

WRONG = {
    "ex5_1": [
        ("forward differences (f(x + eps) - f(x)) / eps",
         _edit("ex5_1", ("flat[i] = original - eps\n        f_minus = float(f(x))",
                         "flat[i] = original\n        f_minus = float(f(x))"), (_DIVIDE[0], "(f_plus - f_minus) / eps"))),
        ("divides by eps instead of 2 eps", _edit("ex5_1", (_DIVIDE[0], "(f_plus - f_minus) / eps"))),
        ("subtracts the wrong way round", _edit("ex5_1", (_DIVIDE[0], "(f_minus - f_plus) / (2 * eps)"))),
        ("ignores the eps argument", _edit("ex5_1", (_COPY[0], "    eps = 1e-6\n" + _COPY[0]))),
        ("nudges x itself and never puts it back",
         _edit("ex5_1", (_COPY[0], "    x = x.detach()\n"), ("        flat[i] = original\n", ""))),
        ("restores x by adding and subtracting eps", _IN_PLACE_ARITHMETIC),
        ("builds the result with torch.zeros (float32)",
         _edit("ex5_1", ("grad = torch.zeros_like(flat)", "grad = torch.zeros(flat.shape)"))),
        ("x.view(-1) on a copy that keeps x's strides (fails for a transposed x)",
         _edit("ex5_1", (_COPY[0], "    x = x.detach().clone()\n"))),
        ("nudges x.reshape(-1), a copy when x is not contiguous",
         _edit("ex5_1", (_COPY[0], "    x = x.detach().clone()\n"), ("flat = x.view(-1)", "flat = x.reshape(-1)"))),
        ("calls f(x).item(), which fails when f returns a float",
         _edit("ex5_1", ("f_plus = float(f(x))", "f_plus = f(x).item()"), ("f_minus = float(f(x))", "f_minus = f(x).item()"))),
        ("nudges every element at once", '''
def numerical_gradient(f, x, eps=1e-6):
    x = x.detach()
    return torch.full_like(x, (float(f(x + eps)) - float(f(x - eps))) / (2 * eps))
'''),
        ("differentiates f with autograd instead of evaluating it", '''
def numerical_gradient(f, x, eps=1e-6):
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x), x)
    return grad
'''),
    ],
    "ex5_2": [
        ("no max subtraction: overflows at magnitude 1e3", _edit("ex5_2", _NO_SHIFT)),
        ("subtracts the max of the whole tensor, not of each row", _edit("ex5_2", _WHOLE_MAX)),
        ("softmax over dim=0", _edit("ex5_2", ("dim=-1", "dim=0"))),
        ("softmax over dim=1, which is the last one only for 2-D inputs", _edit("ex5_2", ("dim=-1", "dim=1"))),
        ("sums without keepdim in forward", _edit("ex5_2", _NO_KEEPDIM)),
        ("changes x in place in forward", _edit("ex5_2", _IN_PLACE)),
        ("backward forgets the sum term: s * g", _edit("ex5_2", _NO_SUM_TERM)),
        ("backward with the sign flipped", _edit("ex5_2", _SIGN)),
        ("backward sums over the first dimension", _edit("ex5_2", _SUM_DIM0)),
        ("saves the input and uses it as s", _edit("ex5_2", _SAVE_INPUT)),
        ("saves the unnormalised exponentials", _edit("ex5_2", _SAVE_EXPS)),
        ("backward forgets to return", _edit("ex5_2", _NO_RETURN)),
        ("forward calls torch.softmax", _edit("ex5_2", (_FORWARD[0], "s = torch.softmax(x, dim=-1)"))),
        ("forward calls F.log_softmax(...).exp()",
         _edit("ex5_2", (_FORWARD[0], "s = torch.nn.functional.log_softmax(x, dim=-1).exp()"))),
        ("backward builds the d x d Jacobian",
         _edit("ex5_2", (_BACKWARD[0], "jacobian = torch.diag_embed(s) - s.unsqueeze(-1) * s.unsqueeze(-2)\n"
                                       "        return (grad_output.unsqueeze(-2) @ jacobian).squeeze(-2)"))),
    ],
    "ex5_3": [
        ("no max subtraction: overflows at magnitude 1e3", _edit("ex5_3", _NO_SHIFT)),
        ("subtracts the max of the whole tensor, not of each row", _edit("ex5_3", _WHOLE_MAX)),
        ("softmax over dim=0", _edit("ex5_3", ("dim=-1", "dim=0"))),
        ("changes x in place in forward", _edit("ex5_3", _IN_PLACE)),
        ("backward forgets the sum term: s * g", _edit("ex5_3", _NO_SUM_TERM)),
        ("backward sums over the first dimension", _edit("ex5_3", _SUM_DIM0)),
        ("saves the input and uses it as s", _edit("ex5_3", _SAVE_INPUT)),
        ("saves the unnormalised exponentials", _edit("ex5_3", _SAVE_EXPS)),
        ("backward builds the d x d Jacobian",
         _edit("ex5_3", (_BACKWARD[0], "eye = minigrad.eye(s.shape[-1], dtype=s.dtype)\n"
                                       "        jacobian = s.unsqueeze(-1) * (eye - s.unsqueeze(-2))\n"
                                       "        return (grad_output.unsqueeze(-2) @ jacobian).squeeze(-2)"))),
        ("forward calls Tensor.softmax", _edit("ex5_3", (_FORWARD[0], "s = x.softmax(dim=-1)"))),
        ("forward calls minigrad.nn.functional.log_softmax(...).exp()",
         _edit("ex5_3", (_FORWARD[0], "s = minigrad.nn.functional.log_softmax(x, dim=-1).exp()"))),
    ],
}

# ------------------------------------------------------------------------------------------- ex5_4
_SAVE = ("        ctx.save_for_backward(x, a)\n        return a * torch.tanh(x)",)
_T = ("        x, a = ctx.saved_tensors\n        t = torch.tanh(x)  # recomputed here, where autograd records it for a double backward\n",)
_RETURN = ("        return grad_x, grad_a",)

WRONG["ex5_4"] = [
    ("saves tanh(x), an intermediate of forward",
     _edit("ex5_4", (_SAVE[0], "        t = torch.tanh(x)\n        ctx.save_for_backward(t, a)\n        return a * t"),
           (_T[0], "        t, a = ctx.saved_tensors\n"))),
    ("backward marked @once_differentiable",
     _edit("ex5_4", ("    @staticmethod\n    def backward", "    @staticmethod\n    @once_differentiable\n    def backward"))),
    ("backward computes under torch.no_grad()", '''
class ScaledTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, a):
        ctx.save_for_backward(x, a)
        return a * torch.tanh(x)

    @staticmethod
    def backward(ctx, grad_output):
        x, a = ctx.saved_tensors
        with torch.no_grad():
            t = torch.tanh(x)
            grad_x = grad_output * a * (1 - t * t) if ctx.needs_input_grad[0] else None
            grad_a = grad_output * t if ctx.needs_input_grad[1] else None
        return grad_x, grad_a
'''),
    ("backward detaches tanh(x)",
     _edit("ex5_4", ("t = torch.tanh(x)  #", "t = torch.tanh(x).detach()  #"))),
    ("returns the gradients in the wrong order", _edit("ex5_4", (_RETURN[0], "        return grad_a, grad_x"))),
    ("forgets grad_output",
     _edit("ex5_4", ("grad_output * a * (1 - t * t)", "a * (1 - t * t)"), ("grad_output * t if", "t if"))),
    ("derivative of tanh written 1 - tanh", _edit("ex5_4", ("(1 - t * t)", "(1 - t)"))),
    ("ignores ctx.needs_input_grad", _edit("ex5_4", (" if ctx.needs_input_grad[1] else None", ""))),
    ("reads ctx.needs_input_grad the wrong way round",
     _edit("ex5_4", ("if ctx.needs_input_grad[0] else None", "if not ctx.needs_input_grad[0] else None"))),
    ("returns only the gradient for x", _edit("ex5_4", (_RETURN[0], "        return grad_x"))),
]

RIGHT = {
    "ex5_1": [
        ("visits the elements of a copy by index (np.ndindex)", '''
def numerical_gradient(f, x, eps=1e-6):
    x = x.detach().clone()
    grad = torch.empty_like(x)
    for idx in np.ndindex(*x.shape):
        saved = x[idx].item()
        x[idx] = saved + eps
        up = float(f(x))
        x[idx] = saved - eps
        down = float(f(x))
        x[idx] = saved
        grad[idx] = (up - down) / (2 * eps)
    return grad
'''),
        ("adds and subtracts one-hot steps, never writing into x", '''
def numerical_gradient(f, x, eps=1e-6):
    grad = torch.zeros_like(x)
    for idx in itertools.product(*(range(n) for n in x.shape)):
        step = torch.zeros_like(x)
        step[idx] = eps
        grad[idx] = (float(f(x + step)) - float(f(x - step))) / (2 * eps)
    return grad
'''),
    ],
    "ex5_2": [
        ("forward through logsumexp, backward written s*g - s*sum(s*g)", '''
class MySoftmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        s = torch.exp(x - torch.logsumexp(x, dim=-1, keepdim=True))
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad_output):
        (s,) = ctx.saved_tensors
        sg = s * grad_output
        return sg - s * sg.sum(dim=-1, keepdim=True)
'''),
        ("saves the input and recomputes s in backward", '''
def _stable_softmax(x):
    shifted = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return shifted / shifted.sum(dim=-1, keepdim=True)

class MySoftmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _stable_softmax(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        s = _stable_softmax(x)
        return s * (grad_output - (s * grad_output).sum(dim=-1, keepdim=True))
'''),
    ],
    "ex5_3": [
        ("max(...).values and a backward written s*g - s*sum(s*g)", '''
class Softmax(minigrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        e = (x - x.max(dim=-1, keepdim=True).values).exp()
        out = e / e.sum(dim=-1, keepdim=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        weighted = out * grad_output
        return weighted - out * weighted.sum(dim=-1, keepdim=True)
'''),
    ],
    "ex5_4": [
        ("sech² through cosh, saving the inputs", '''
class ScaledTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, a):
        ctx.save_for_backward(x, a)
        return a * x.tanh()

    @staticmethod
    def backward(ctx, grad_output):
        x, a = ctx.saved_tensors
        need_x, need_a = ctx.needs_input_grad
        return (grad_output * a / torch.cosh(x) ** 2 if need_x else None,
                grad_output * torch.tanh(x) if need_a else None)
'''),
        ("computes both gradients and drops the unneeded one", '''
class ScaledTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, a):
        ctx.save_for_backward(x, a)
        return torch.tanh(x) * a

    @staticmethod
    def backward(ctx, grad_output):
        x, a = ctx.saved_tensors
        t = x.tanh()
        grads = [grad_output * a * (1 - t.pow(2)), grad_output * t]
        return tuple(g if need else None for g, need in zip(grads, ctx.needs_input_grad))
'''),
    ],
}
