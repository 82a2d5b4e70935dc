"""Random graphs with hooks, retain_grad and custom Functions, built the same way with torch and
with minigrad: the gradients, the retained gradients and every value a hook saw must agree.

Each example is a short program: a list of steps, each applying an op (built-in or custom) to
tensors made earlier, maybe hooking the result (a hook that scales the gradient, or one that only
records it) or retaining its gradient; then backward from a weighted sum of the last tensors.
"""
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from torch_pairs import same


def custom_functions(L):
    """A few custom Functions, for library L: each exercises another part of the ctx API."""
    class MyMul(L.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b, g * a

    class MyExp(L.autograd.Function):  # saves its output
        @staticmethod
        def forward(ctx, a):
            out = a.exp()
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, g):
            out, = ctx.saved_tensors
            return g * out

    class Identity(L.autograd.Function):  # returns its input
        @staticmethod
        def forward(ctx, a):
            return a

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class ScaleMany(L.autograd.Function):  # a number argument, needs_input_grad, two outputs
        @staticmethod
        def forward(ctx, a, k):
            ctx.k = k
            return a * k, a * (k + 1)

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * ctx.k + g2 * (ctx.k + 1), None

    return {"MyMul": MyMul.apply, "MyExp": MyExp.apply, "Identity": Identity.apply,
            "ScaleMany0": lambda a: ScaleMany.apply(a, 1.5)[0],
            "ScaleMany1": lambda a: ScaleMany.apply(a, 1.5)[1]}


UNARY = ["sin", "tanh", "exp_scaled", "square", "MyExp", "Identity", "ScaleMany0", "ScaleMany1",
         "relu", "sum_keep", "flip_view", "clone"]
BINARY = ["mul", "add", "sub", "MyMul", "maximum", "div"]


def apply_op(L, name, args, custom):
    a = args[0]
    if name in custom:
        return custom[name](*args)
    return {
        "sin": lambda: a.sin(), "tanh": lambda: a.tanh(), "exp_scaled": lambda: (a * 0.3).exp(),
        "square": lambda: a * a, "relu": lambda: a.relu(), "clone": lambda: a.clone(),
        "sum_keep": lambda: a.sum(-1, keepdim=True) * 0.5 + a,
        "flip_view": lambda: a.view(3, 2).t().reshape(6) * 1.0,
        "mul": lambda: a * args[1], "add": lambda: a + args[1], "sub": lambda: a - args[1],
        "maximum": lambda: L.maximum(a, args[1]), "div": lambda: a / (args[1].abs() + 1),
    }[name]()


step = st.tuples(
    st.sampled_from(UNARY + BINARY),
    st.integers(0, 100), st.integers(0, 100),           # which earlier tensors are the inputs
    st.sampled_from(["none", "scale", "record", "retain", "scale_and_retain"]))


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=8), seed=st.integers(0, 2 ** 16),
       leaf_hook=st.booleans())
def test_random_graphs_with_hooks_and_custom_functions(steps, seed, leaf_hook):
    rng = np.random.default_rng(seed)
    leaves0 = [rng.uniform(-1, 1, 6) for _ in range(2)]
    weights = [rng.uniform(-1, 1, 6) for _ in range(3)]

    def run(L):
        custom = custom_functions(L)
        leaves = [L.tensor(v, requires_grad=True) for v in leaves0]
        pool = list(leaves) + [L.tensor(rng_const)]
        seen, retained = [], []
        if leaf_hook:
            leaves[0].register_hook(lambda g: g * -1.0)
        for name, i, j, hook in steps:
            args = [pool[i % len(pool)]] + ([pool[j % len(pool)]] if name in BINARY else [])
            if not any(a.requires_grad for a in args):
                args[0] = leaves[i % 2]
            out = apply_op(L, name, args, custom)
            if hook in ("scale", "scale_and_retain"):
                out.register_hook(lambda g: g * 0.5)
            if hook == "record":
                out.register_hook(lambda g: seen.append(g.clone()))
            if hook in ("retain", "scale_and_retain"):
                out.retain_grad()
                retained.append(out)
            pool.append(out)
        loss = sum((t * L.tensor(w)).sum() for t, w in zip(pool[-3:], weights))
        loss.backward()
        return [[leaf.grad for leaf in leaves], [t.grad for t in retained], seen, loss]

    rng_const = rng.uniform(-1, 1, 6)
    same(run)
