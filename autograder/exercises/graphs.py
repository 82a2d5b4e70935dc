"""Small computational graphs built the same way in torch and in minigrad, from plain-data recipes.

A recipe is a list of steps over a pool of tensors that starts with the leaves::

    ("leaf", values, requires_grad)    a new float64 leaf from nested lists
    ("unary", op, i)                   pool[i].op(), op in UNARY
    ("binary", op, i, j)               pool[i] op pool[j], op in "+", "-", "*"
    ("sum", i)                         pool[i].sum()

The last tensor of the pool is the root. ``build(lib, recipe)`` runs it with ``lib`` (the torch or the
minigrad module), so both libraries get graphs of the same shape and values. Recipes are plain data:
the judge chooses them, the kernel builds the student's graph from one and the judge builds its own
from the same one. Graphs never broadcast, so each node's gradient has its output's shape.

``numbering(root)`` numbers the nodes of a backward graph in a fixed order (depth first from
``root.grad_fn``, following ``next_functions`` in order), so that a node can be named by a number that
means the same node in the kernel's graph and in the judge's.
"""
from __future__ import annotations

import random

import numpy as np

from ..i18n import N_

UNARY = ("sin", "cos", "exp", "tanh", "sigmoid", "square")


def _apply_unary(op, t):
    return t * t if op == "square" else getattr(t, op)()


def _apply_binary(op, a, b):
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b}[op]()


def build(lib, recipe, device=None, reuse=None):
    """Run ``recipe`` with ``lib``; returns (root, pool), pool listing every tensor in creation order.

    reuse: the pool of an earlier build whose leaves this one uses again (a second forward pass).
    """
    placement = {} if device is None else {"device": device}
    pool = []
    for step in recipe:
        kind = step[0]
        if kind == "leaf" and reuse is not None:
            pool.append(reuse[len(pool)])
        elif kind == "leaf":
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


def random_recipe(seed, *, n_leaves=3, n_ops=8, shape=(3,), scalar_root=True):
    """A random graph with fan-out (operands drawn from the whole pool) and one constant leaf.

    Only tensors that require grad are operands after the leaves, so the root requires grad; the
    constant leaf (requires_grad=False) joins through a binary op, which gives a ``(None, 0)`` entry
    in ``next_functions``.
    """
    rng = random.Random(seed)
    values = (np.random.default_rng(seed).normal(size=(n_leaves + 1, *shape)) * 0.8).tolist()
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
    last = len(recipe) - 1  # join the last few results so that most of the pool reaches the root
    recipe.append(("binary", "+", last, rng.choice(range(n_leaves + 1, last))))
    if scalar_root:
        recipe.append(("sum", len(recipe) - 1))
    return recipe


def numbering(root) -> list:
    """The backward nodes reachable from ``root.grad_fn``, each once, in a fixed depth-first order."""
    if root.grad_fn is None:
        return []
    order, seen, stack = [], set(), [root.grad_fn]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(child for child, _ in reversed(node.next_functions) if child is not None)
    return order


def edges(nodes) -> list[tuple[int, int]]:
    """(i, j) for every edge of the numbered graph: node i sends gradient to node j."""
    index = {id(node): i for i, node in enumerate(nodes)}
    return [(index[id(node)], index[id(child)]) for node in nodes
            for child, _ in node.next_functions if child is not None]


def node_name(node) -> str:
    """'MulBackward0', 'AccumulateGrad', ... for torch and minigrad nodes alike."""
    return type(node).__name__


# Hand-picked graphs that catch the usual mistakes of a graph walk (chapters 01 and 02):
#   the two "u = x*x" graphs: u reaches the root directly and through exp/sin, so a depth-first
#   preorder or a breadth-first order visits u's node too early; which one fails depends on the order
#   of next_functions, hence both orders.
#   "y constant": y does not require grad, so next_functions holds a (None, 0) entry.
# The names are data (cases name a graph by them) and, translated where a message is made, how messages name it.
HAND_PICKED = {
    N_("u + sin(exp(u)) with u = x*x"): [
        ("leaf", [0.5, -1.0], True), ("binary", "*", 0, 0), ("unary", "exp", 1), ("unary", "sin", 2),
        ("binary", "+", 1, 3), ("sum", 4)],
    N_("sin(exp(u)) + u with u = x*x"): [
        ("leaf", [0.5, -1.0], True), ("binary", "*", 0, 0), ("unary", "exp", 1), ("unary", "sin", 2),
        ("binary", "+", 3, 1), ("sum", 4)],
    N_("sin(w * y) + b with y constant"): [
        ("leaf", [1.0, 2.0], True), ("leaf", [3.0, 4.0], False), ("leaf", [0.1, 0.2], True),
        ("binary", "*", 0, 1), ("unary", "sin", 3), ("binary", "+", 4, 2), ("sum", 5)],
}
