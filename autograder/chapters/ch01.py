"""Visible checks of chapter 01_leaf_tensors: walking the backward graph.

Both exercises run on torch graphs and on the same graphs built with minigrad (autograder.graphs).
Nodes and tensors are compared by identity (``is``), which no custom ``__eq__`` can fake.
"""
import torch

from .. import checks, graphs
from ..registry import exercise

CHAPTER = "01_leaf_tensors"

# Hand-picked graphs that catch the usual mistakes (see tests/course/wrong_answers/ch01.py):
#   diamond_*: u = x*x reaches the root directly and through exp/sin: a depth-first preorder or a
#              breadth-first order puts u's node before a node that still sends gradient to it;
#              which one fails depends on the order of next_functions, hence both orders.
#   constant:  y does not require grad, so next_functions holds a (None, 0) entry.
VISIBLE_RECIPES = {
    "u + sin(exp(u)) with u = x*x": [
        ("leaf", [0.5, -1.0], True), ("binary", "*", 0, 0), ("unary", "exp", 1), ("unary", "sin", 2),
        ("binary", "+", 1, 3), ("sum", 4)],
    "sin(exp(u)) + u with u = x*x": [
        ("leaf", [0.5, -1.0], True), ("binary", "*", 0, 0), ("unary", "exp", 1), ("unary", "sin", 2),
        ("binary", "+", 3, 1), ("sum", 4)],
    "sin(w * y) + b with y constant": [
        ("leaf", [1.0, 2.0], True), ("leaf", [3.0, 4.0], False), ("leaf", [0.1, 0.2], True),
        ("binary", "*", 0, 1), ("unary", "sin", 3), ("binary", "+", 4, 2), ("sum", 5)],
}


def libraries():
    """The libraries every graph exercise runs on: torch, then minigrad."""
    import minigrad

    return [("torch", torch), ("minigrad", minigrad)]


def check_order(reverse_topological_order, root, label):
    """One graph: same nodes as the reference traversal, each once, parents before children."""
    order = reverse_topological_order(root)
    name = f"reverse_topological_order(root) for {label}"
    expected = graphs.reachable_nodes(root)
    checks.assert_same_objects(order, expected, name=name, label=graphs.node_name)
    position = {id(node): i for i, node in enumerate(order)}
    for parent, child in graphs.edges(root):
        checks.check(position[id(parent)] < position[id(child)],
                     f"{name} puts {graphs.node_name(child)} (position {position[id(child)]}) before "
                     f"{graphs.node_name(parent)} (position {position[id(parent)]}), but "
                     f"{graphs.node_name(parent)} sends gradient to {graphs.node_name(child)}: a node "
                     "may only come once every node that sends it gradient is done. A plain depth-first "
                     "or breadth-first visit is not enough when paths of different lengths meet.")
    if expected:
        checks.check(order[0] is root.grad_fn, f"{name} should start with root.grad_fn.")


def check_leaves(leaf_tensors, root, label):
    """One graph: exactly the leaves that require grad, as the tensors themselves."""
    found = leaf_tensors(root)
    name = f"leaf_tensors(root) for {label}"
    expected = graphs.reached_leaves(root)
    for t in found if isinstance(found, (list, tuple)) else []:
        checks.check(checks.is_torch_tensor(t) or checks.is_minigrad_tensor(t),
                     f"{name} should hold tensors, but it holds {checks.describe(t)}. "
                     "An AccumulateGrad node keeps its tensor in `.variable`.")
    checks.assert_same_objects(found, expected, name=name, label=lambda t: f"tensor {t.tolist()}")


@exercise(CHAPTER, "ex1_1", "reverse_topological_order", points=3)
def check_ex1_1(reverse_topological_order):
    for library_name, lib in libraries():
        for label, recipe in VISIBLE_RECIPES.items():
            root, _ = graphs.build(lib, recipe)
            check_order(reverse_topological_order, root, f"{label} ({library_name})")
        leaf = lib.tensor(1.0, requires_grad=True)
        order = reverse_topological_order(leaf)
        checks.check(isinstance(order, list) and len(order) == 0,
                     f"for a leaf root (grad_fn is None) the order should be an empty list, got {order!r} "
                     f"({library_name}).")


@exercise(CHAPTER, "ex1_2", "leaf_tensors", points=2)
def check_ex1_2(leaf_tensors):
    for library_name, lib in libraries():
        for label, recipe in VISIBLE_RECIPES.items():
            root, _ = graphs.build(lib, recipe)
            check_leaves(leaf_tensors, root, f"{label} ({library_name})")
        leaf = lib.tensor(1.0, requires_grad=True)
        found = leaf_tensors(leaf)
        checks.check(isinstance(found, list) and len(found) == 1 and found[0] is leaf,
                     f"when root is itself a leaf that requires grad, backward writes root.grad, so the "
                     f"answer is [root] ({library_name}).")
