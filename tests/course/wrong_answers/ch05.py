"""Wrong answers students write for chapter 05_custom_function; each must lose points on its exercise.

Each variant is the notebook's own solution with one mistake edited in (see ch04.py).
"""
import harness

_edit = harness.solution_editor("05_custom_function")


_NO_SHIFT = ("exps = (x - x.amax(dim=-1, keepdim=True)).exp()", "exps = x.exp()")
_WHOLE_MAX = ("x.amax(dim=-1, keepdim=True)", "x.max()")
_NO_SUM_TERM = ("return s * (grad_output - (s * grad_output).sum(dim=-1, keepdim=True))", "return s * grad_output")
_SIGN = ("return s * (grad_output - (s * grad_output).sum(dim=-1, keepdim=True))",
         "return s * ((s * grad_output).sum(dim=-1, keepdim=True) - grad_output)")
_SUM_DIM0 = ("(s * grad_output).sum(dim=-1, keepdim=True)", "(s * grad_output).sum(dim=0, keepdim=True)")

WRONG = {
    "ex5_1": [
        ("forward differences (f(x + eps) - f(x)) / eps",
         _edit("ex5_1", ("flat[i] = original - eps\n        f_minus = float(f(x))",
                         "flat[i] = original\n        f_minus = float(f(x))"),
               ("(f_plus - f_minus) / (2 * eps)", "(f_plus - f_minus) / eps"))),
        ("divides by eps instead of 2 eps",
         _edit("ex5_1", ("(f_plus - f_minus) / (2 * eps)", "(f_plus - f_minus) / eps"))),
        ("ignores the eps argument",
         _edit("ex5_1", ("    x = x.detach().clone()\n", "    eps = 1e-6\n    x = x.detach().clone()\n"))),
        ("nudges x itself and never puts it back",
         _edit("ex5_1", ("    x = x.detach().clone()\n", ""), ("        flat[i] = original\n", ""),
               ("flat = x.view(-1)", "flat = x.detach().view(-1)"))),
        ("builds the result with torch.zeros (float32 on the CPU)",
         _edit("ex5_1", ("grad = torch.zeros_like(flat)", "grad = torch.zeros(flat.shape)"))),
    ],
    "ex5_2": [
        ("no max subtraction: overflows at magnitude 1e3", _edit("ex5_2", _NO_SHIFT)),
        ("subtracts the max of the whole tensor, not of each row", _edit("ex5_2", _WHOLE_MAX)),
        ("softmax over dim=1 instead of the last dimension",
         _edit("ex5_2", ("dim=-1", "dim=1"))),
        ("backward forgets the sum term: s * g", _edit("ex5_2", _NO_SUM_TERM)),
        ("backward with the sign flipped", _edit("ex5_2", _SIGN)),
        ("backward sums over the first dimension", _edit("ex5_2", _SUM_DIM0)),
        ("forward calls torch.softmax",
         _edit("ex5_2", ("exps = (x - x.amax(dim=-1, keepdim=True)).exp()\n        s = exps / exps.sum(dim=-1, keepdim=True)",
                         "s = torch.softmax(x, dim=-1)"))),
        ("forward calls F.log_softmax(...).exp()",
         _edit("ex5_2", ("exps = (x - x.amax(dim=-1, keepdim=True)).exp()\n        s = exps / exps.sum(dim=-1, keepdim=True)",
                         "s = torch.nn.functional.log_softmax(x, dim=-1).exp()"))),
        ("backward builds the d x d Jacobian",
         _edit("ex5_2", ("return s * (grad_output - (s * grad_output).sum(dim=-1, keepdim=True))",
                         "jacobian = torch.diag_embed(s) - s.unsqueeze(-1) * s.unsqueeze(-2)\n"
                         "        return (grad_output.unsqueeze(-2) @ jacobian).squeeze(-2)"))),
    ],
    "ex5_3": [
        ("no max subtraction: overflows at magnitude 1e3", _edit("ex5_3", _NO_SHIFT)),
        ("subtracts the max of the whole tensor, not of each row", _edit("ex5_3", _WHOLE_MAX)),
        ("backward forgets the sum term: s * g", _edit("ex5_3", _NO_SUM_TERM)),
        ("backward sums over the first dimension", _edit("ex5_3", _SUM_DIM0)),
        ("backward builds the d x d Jacobian",
         _edit("ex5_3", ("return s * (grad_output - (s * grad_output).sum(dim=-1, keepdim=True))",
                         "eye = minigrad.eye(s.shape[-1], dtype=s.dtype)\n"
                         "        jacobian = s.unsqueeze(-1) * (eye - s.unsqueeze(-2))\n"
                         "        return (grad_output.unsqueeze(-2) @ jacobian).squeeze(-2)"))),
        ("forward calls minigrad.softmax",
         _edit("ex5_3", ("exps = (x - x.amax(dim=-1, keepdim=True)).exp()\n        s = exps / exps.sum(dim=-1, keepdim=True)",
                         "s = x.softmax(dim=-1)"))),
        ("saves the input and returns the gradient of exp",
         _edit("ex5_3", ("ctx.save_for_backward(s)", "ctx.save_for_backward(exps)"))),
    ],
}
