"""Small computational graphs for the checks, built the same way in torch and in minigrad.

``build(lib, recipe)`` runs one recipe with ``lib`` (the torch module or the minigrad module), so the
two libraries get graphs of identical shape and values: the torch graph is the reference for the
minigrad one. Graphs never broadcast (operands of every operation have the same shape), so each
node's gradient has the shape of its output.

A recipe is a list of steps over a pool of tensors that starts with the leaves:
    ("leaf", values, requires_grad)    a new leaf tensor (float64) from nested lists
    ("unary", op, i)                   pool[i].op(), op in UNARY
    ("binary", op, i, j)               pool[i] op pool[j], op in "+", "-", "*"
    ("sum", i)                         pool[i].sum()
The last tensor of the pool is the root.
"""
import random

from . import checks

UNARY = ("sin", "cos", "exp", "tanh", "sigmoid", "square")


def _apply_unary(op, t):
    return t * t if op == "square" else getattr(t, op)()


def _apply_binary(op, a, b):
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b}[op]()


def build(lib, recipe, device=None):
    """Run ``recipe`` with ``lib``; returns (root, pool) where pool lists every tensor in creation order.

    device: where torch puts the leaves (references run on checks.device()); None for the default.
    """
    placement = {} if device is None else {"device": device}
    pool = []
    for step in recipe:
        kind = step[0]
        if kind == "leaf":
            pool.append(lib.tensor(step[1], dtype=lib.float64, requires_grad=step[2], **placement))
        elif kind == "unary":
            pool.append(_apply_unary(step[1], pool[step[2]]))
        elif kind == "binary":
            pool.append(_apply_binary(step[1], pool[step[2]], pool[step[3]]))
        elif kind == "sum":
            pool.append(pool[step[1]].sum())
        else:
            raise ValueError(f"unknown recipe step {step!r}")
    return pool[-1], pool


def leaves(pool):
    """The leaf tensors of a pool that require grad (what backward writes .grad into)."""
    return [t for t in pool if t.is_leaf and t.requires_grad]


def reached_leaves(root):
    """The leaves backward writes .grad into: the .variable of every reachable AccumulateGrad node."""
    if root.grad_fn is None:
        return [root] if root.requires_grad else []
    return [node.variable for node in reachable_nodes(root) if hasattr(node, "variable")]


def random_recipe(seed, *, n_leaves=3, n_ops=8, shape=(3,), scalar_root=True):
    """A random graph with fan-out (operands drawn from the whole pool), some leaves not requiring grad.

    Only the tensors that require grad are ever used as operands after the leaves, so that the root
    requires grad; one constant leaf (requires_grad=False) joins through a binary op, which gives a
    ``(None, 0)`` entry in ``next_functions``.
    """
    rng = random.Random(seed)
    values = checks.randn(n_leaves + 1, *shape, seed=seed, scale=0.8).tolist()
    recipe = [("leaf", values[i], True) for i in range(n_leaves)]
    recipe.append(("leaf", values[n_leaves], False))
    constant = n_leaves
    used_constant = False
    for _ in range(n_ops):
        candidates = [i for i in range(len(recipe)) if i != constant]
        if rng.random() < 0.4:
            recipe.append(("unary", rng.choice(UNARY), rng.choice(candidates)))
        else:
            other = constant if not used_constant and rng.random() < 0.3 else rng.choice(candidates)
            used_constant = used_constant or other == constant
            recipe.append(("binary", rng.choice("+-*"), rng.choice(candidates), other))
    # Join the last few results so that most of the pool reaches the root.
    last = len(recipe) - 1
    recipe.append(("binary", "+", last, rng.choice(range(n_leaves + 1, last))))
    if scalar_root:
        recipe.append(("sum", len(recipe) - 1))
    return recipe


def reachable_nodes(root):
    """Every backward node reachable from root.grad_fn (a reference traversal, by identity)."""
    if root.grad_fn is None:
        return []
    seen, stack, order = set(), [root.grad_fn], []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(child for child, _ in node.next_functions if child is not None)
    return order


def edges(root):
    """(parent, child) pairs of the backward graph: parent sends gradient to child."""
    return [(node, child) for node in reachable_nodes(root) for child, _ in node.next_functions
            if child is not None]


def node_name(node):
    """'MulBackward0', 'AccumulateGrad', ... for torch and minigrad nodes alike."""
    return type(node).__name__
