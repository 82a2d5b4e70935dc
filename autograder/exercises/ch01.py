"""Chapter 01_leaf_tensors: walking the backward graph.

Both exercises run on graphs built from plain-data recipes (``graphs``), with torch and with minigrad.
What the student's function returns are live objects (nodes, tensors); ``run`` turns each into plain
data in the kernel: a node becomes its number in ``graphs.numbering(root)`` (a fixed depth-first
numbering that names the same node in the kernel's graph and in the judge's graph built from the same
recipe), a tensor of the graph becomes its index in the recipe's pool, anything else is encoded as
what it is. The judge rebuilds the graph with the same library (torch on ``device()``, or minigrad),
reads the edges and names from it, and compares.
"""
from __future__ import annotations

import collections
import importlib

import numpy as np

from ..i18n import N_, _
from . import graphs
from .base import Exercise, register
from .expect import check, describe, fail, sentences, with_hint
from .reference import device
from .values import encode

CHAPTER = "01_leaf_tensors"
LIBRARIES = ("torch", "minigrad")

# The statement's example, z = (w * x + b).sum() with x constant, and a leaf as the root.
EXAMPLE = [("leaf", [0.3, -0.8], True), ("leaf", [1.0, 1.0], False), ("leaf", [0.1, 0.2], True),
           ("binary", "*", 0, 1), ("binary", "+", 3, 2), ("sum", 4)]
LEAF_ROOT = [("leaf", 1.5, True)]
# The graphs' names are data (the cases name them) and how messages name them (translated when shown).
NAMED = {**graphs.HAND_PICKED, N_("(w * x + b).sum() with x constant"): EXAMPLE,
         N_("a leaf that requires grad"): LEAF_ROOT}
# What messages call the leaves of the named graphs (by their position in the recipe's pool).
LEAF_NAMES = {"u + sin(exp(u)) with u = x*x": ["x"], "sin(exp(u)) + u with u = x*x": ["x"],
              "sin(w * y) + b with y constant": ["w", "y", "b"],
              "(w * x + b).sum() with x constant": ["w", "x", "b"], "a leaf that requires grad": ["root"]}
# The visible graphs, on both libraries: the two diamonds catch depth-first pre-order and breadth-first
# orders, "y constant" has a (None, 0) entry and two AccumulateGrad nodes, the leaf root has no grad_fn,
# and one random graph (fixed seed) is bigger than any of them.
VISIBLE_GRAPHS = [*graphs.HAND_PICKED, "(w * x + b).sum() with x constant", "a leaf that requires grad", "random"]


def library(name):
    """The torch or the minigrad module, by name (the kernel and the judge import their own)."""
    return importlib.import_module(name)


def graph_case(graph, library, seed, n_leaves, n_ops, shape):
    """The plain-data case of one graph: its recipe, its library and its name (see graph_name)."""
    recipe = graphs.random_recipe(seed, n_leaves=n_leaves, n_ops=n_ops, shape=tuple(shape)) if graph == "random" \
        else NAMED[graph]
    return {"recipe": recipe, "library": library, "graph": graph}


def graph_name(case):
    """How messages name the case's graph (made when a message is, so that it is translated)."""
    if case["graph"] == "random":
        leaves = sum(1 for step in case["recipe"] if step[0] == "leaf")
        return _("a random graph of {n} operations").format(n=len(case["recipe"]) - leaves)
    return _(case["graph"])


def leaf_names(case):
    """How messages name the leaves of the case's graph, by their position in the recipe's pool."""
    if case["graph"] == "random":
        return [_("leaf {i}").format(i=i) for i, step in enumerate(case["recipe"]) if step[0] == "leaf"]
    return LEAF_NAMES[case["graph"]]


def build(case, in_judge=False):
    """(root, pool) of the case's graph with its library (torch on ``device()`` in the judge)."""
    lib = library(case["library"])
    placement = {"device": device()} if in_judge and case["library"] == "torch" else {}
    return graphs.build(lib, case["recipe"], **placement)


def tag(item, nodes, pool=()):
    """One item of the student's list as plain data: ("node", number), ("tensor", pool index),
    ("pair", number) for a (node, input_nr) pair of next_functions, ("none",), or ("other", encoded)."""
    for i, node in enumerate(nodes):
        if item is node:
            return ("node", i)
    for i, t in enumerate(pool):
        if item is t:
            return ("tensor", i)
    if item is None:
        return ("none",)
    if type(item) is tuple and len(item) == 2:
        for i, node in enumerate(nodes):
            if item[0] is node:
                return ("pair", i)
    return ("other", item)


def encode_items(result, nodes, pool=()):
    """The student's result: a list of tagged items when it is a list, else the result as it is."""
    if type(result) is not list:
        return {"list": encode(False), "result": encode(result)}
    return {"list": encode(True), "items": encode([tag(item, nodes, pool) for item in result])}


def read_items(got, name, nodes, tensors=0):
    """The tagged items of ``got`` (see encode_items), or a CheckFailed saying that it is no list.
    nodes, tensors: how many nodes and pool tensors the graph has (numbers beyond are not readable)."""
    if not got["list"].value:
        what = got["result"]
        extra = ""
        if what.kind == "none":
            extra = _("Did you forget a `return`?")
        elif what.kind == "tuple" or "generator" in what.type or what.type in ("set", "dict_keys", "dict_values"):
            extra = _("Turn it into a list, for example with list(...).")
        fail(sentences(_("{name} should return a list, but it returned {what}.").format(name=name, what=describe(what)),
                       extra))
    items = []
    for item in got["items"].items:
        kind = item.items[0].value
        if kind in ("node", "tensor", "pair"):
            number = int(item.items[1].value)
            check(0 <= number < (tensors if kind == "tensor" else nodes), _("The answer's results could not be read."))
            items.append((kind, number))
        else:
            items.append((kind, item.items[1] if kind == "other" else None))
    return items


def node_labels(names, leaf_of, leaf_names):
    """'MulBackward0', 'AccumulateGrad (x)', 'AddBackward0 #2': how messages name each numbered node."""
    labels = []
    for name, leaf in zip(names, leaf_of):
        labels.append(f"{name} ({leaf_names[leaf]})" if leaf is not None else name)
    counts = collections.Counter(labels)
    seen = collections.Counter()
    for i, label in enumerate(labels):
        if counts[label] > 1:
            seen[label] += 1
            labels[i] = f"{label} #{seen[label]}"
    return labels


def graph_facts(root, pool):
    """What the judge knows about the graph of ``root``, encoded: node names, edges (i sends gradient to
    j) and, for each AccumulateGrad node, the pool index of its leaf."""
    nodes = graphs.numbering(root)
    where = {id(t): i for i, t in enumerate(pool)}
    return {"names": encode([graphs.node_name(n) for n in nodes]),
            "edges": encode([list(e) for e in graphs.edges(nodes)]),
            "leaf_of": encode([where.get(id(n.variable)) if hasattr(n, "variable") else None for n in nodes])}


def read_facts(want):
    """``graph_facts`` decoded: (names, edges, leaf_of)."""
    names = [v.value for v in want["names"].items]
    edges = [(int(e.items[0].value), int(e.items[1].value)) for e in want["edges"].items]
    leaf_of = [None if v.kind == "none" else int(v.value) for v in want["leaf_of"].items]
    return names, edges, leaf_of


def names_list(labels, indices):
    return ", ".join(labels[i] for i in sorted(indices))


# ------------------------------------------------------------------------------------------- ex1_1
@register
class ReverseTopologicalOrder(Exercise):
    """``reverse_topological_order(root)``: the backward nodes from ``root.grad_fn``, each once, every node
    before all the nodes it sends gradient to."""

    chapter, id, names, points = CHAPTER, "ex1_1", ("reverse_topological_order",), 3
    visible = [dict(graph=g, library=lib, seed=7) for lib in LIBRARIES for g in VISIBLE_GRAPHS]

    def case(self, graph="random", library="torch", n_leaves=3, n_ops=9, shape=(2,), seed=0):
        return graph_case(graph, library, seed, n_leaves, n_ops, shape)

    def label(self, case):
        return _("reverse_topological_order(root) for {graph} ({library})").format(
            graph=graph_name(case), library=case["library"])

    def run(self, case, reverse_topological_order):
        root, _pool = build(case)
        nodes = graphs.numbering(root)  # numbered before the answer runs
        return encode_items(reverse_topological_order(root), nodes)

    def reference(self, case):
        return graph_facts(*build(case, in_judge=True))

    def raised(self, case, error):
        message = super().raised(case, error)
        text = error.error["message"]
        if "next_functions" in text and "NoneType" in text:
            return with_hint(message, _("A None entry reached your walk. For a leaf root, root.grad_fn is None and "
                                        "the answer is []; inside the graph, next_functions holds (None, 0) for an "
                                        "input that needs no gradient: skip it."))
        if "next_functions" in text and "Tensor" in text:
            return with_hint(message, _("A tensor has no next_functions: start the walk at root.grad_fn."))
        return message

    def compare(self, case, got, want):
        name = self.label(case)
        names, edges, leaf_of = read_facts(want)
        labels = node_labels(names, leaf_of, leaf_names(case))
        n = len(labels)
        items = read_items(got, name, n)
        for kind, value in items:
            check(kind != "none", _("{name} holds None. Skip the None entries of next_functions: `(None, 0)` stands "
                                    "for an input that needs no gradient, and a leaf root has grad_fn None.").format(
                name=name))
            check(kind != "pair", _("{name} holds a pair (node, input_nr) from next_functions, not a node: put the "
                                    "pair's first item, the node itself, in the list.").format(name=name))
            if kind == "other":
                fail(_("{name} holds {what}, which is not a backward node of this graph: the list must hold the node "
                       "objects themselves (root.grad_fn and the nodes reached through next_functions).").format(
                    name=name, what=describe(value)))
        order = [value for _kind, value in items]
        if n == 0:
            check(not order, _("{name}: root is a leaf (root.grad_fn is None), so there is nothing to order: the "
                               "answer is an empty list, but it holds {count} items.").format(name=name,
                                                                                           count=len(order)))
            return
        twice = [i for i, count in collections.Counter(order).items() if count > 1]
        check(not twice, _("{name} lists {node} {count} times. Each node must appear exactly once, even one reached "
                           "along several paths: remember the nodes you have visited (by identity, e.g. a set of "
                           "id(node)).").format(name=name, node=labels[twice[0]] if twice else "",
                                                count=order.count(twice[0]) if twice else 0))
        missing = set(range(n)) - set(order)
        if missing:
            if all(leaf_of[i] is not None for i in missing) and not any(leaf_of[i] is not None for i in order):
                message = _("{name} leaves out {nodes}. AccumulateGrad nodes are backward nodes too (they write the "
                            "leaves' .grad), so they belong in the order.")
            else:
                message = _("{name} misses {nodes}: every node reachable from root.grad_fn through next_functions "
                            "belongs in the order.")
            message = message.format(name=name, nodes=names_list(labels, missing))
            doubled = [(a, b) for a, b in sorted(set(edges)) if b in missing and edges.count((a, b)) > 1]
            if doubled:
                message = sentences(message, _(
                    "Note that {sender} sends gradient to {node} along two edges (as x * x does): if you count "
                    "incoming edges, count every edge, and subtract every edge when the sender is taken.").format(
                    sender=labels[doubled[0][0]], node=labels[doubled[0][1]]))
            fail(message)
        position = {node: p for p, node in enumerate(order)}
        if n > 1 and all(position[a] > position[b] for a, b in edges):
            fail(_("{name} is the wrong way round: it starts with the leaves' AccumulateGrad nodes and ends with "
                   "root.grad_fn ({root}). Backward starts at the output: reverse your list.").format(
                name=name, root=labels[0]))
        check(order[0] == 0, _("{name} should start with root.grad_fn ({root}), but it starts with {first}.").format(
            name=name, root=labels[0], first=labels[order[0]]))
        for a, b in edges:
            check(position[a] < position[b], _(
                "{name} puts {child} (at index {pc}) before {parent} (at index {pp}), but {parent} sends gradient to "
                "{child}: a node may only come once every node that sends it gradient is done. A depth-first "
                "pre-order or a breadth-first order breaks this where paths of different lengths meet; reverse a "
                "depth-first post-order, or count each node's incoming edges (Kahn's algorithm).").format(
                name=name, child=labels[b], parent=labels[a], pc=position[b], pp=position[a]))



# ------------------------------------------------------------------------------------------- ex1_2
@register
class LeafTensors(Exercise):
    """``leaf_tensors(root)``: the leaf tensors that ``root.backward()`` writes ``.grad`` into, each once."""

    chapter, id, names, points = CHAPTER, "ex1_2", ("leaf_tensors",), 2
    visible = [dict(graph=g, library=lib, seed=7) for lib in LIBRARIES for g in VISIBLE_GRAPHS]

    def case(self, graph="random", library="torch", n_leaves=4, n_ops=8, shape=(3,), seed=0):
        return graph_case(graph, library, seed, n_leaves, n_ops, shape)

    def label(self, case):
        return _("leaf_tensors(root) for {graph} ({library})").format(graph=graph_name(case), library=case["library"])

    def run(self, case, leaf_tensors):
        root, pool = build(case)
        nodes = graphs.numbering(root)
        return encode_items(leaf_tensors(root), nodes, pool)

    def reference(self, case):
        root, pool = build(case, in_judge=True)
        facts = graph_facts(root, pool)
        where = {id(t): i for i, t in enumerate(pool)}
        direct = [] if root.grad_fn is None else [where[id(n.variable)] for n, _nr in root.grad_fn.next_functions
                                                  if n is not None and hasattr(n, "variable")]
        root.backward()  # the definition: the tensors backward gives a .grad
        written = [i for i, t in enumerate(pool) if t.is_leaf and t.grad is not None]
        return {**facts, "written": encode(written), "direct": encode(direct)}

    def raised(self, case, error):
        message = super().raised(case, error)
        if "NoneType" in error.error["message"] and not case["recipe"][1:]:
            return with_hint(message, _("Here root is itself a leaf (root.grad_fn is None): backward writes root.grad, "
                                        "so the answer is [root]."))
        return message

    def compare(self, case, got, want):
        name = self.label(case)
        names, _edges, leaf_of = read_facts(want)
        labels = node_labels(names, leaf_of, leaf_names(case))
        written = [int(v.value) for v in want["written"].items]
        direct = [int(v.value) for v in want["direct"].items]
        recipe = case["recipe"]

        names_of_leaves = leaf_names(case)

        def tensor_name(i):
            return names_of_leaves[i] if i < len(names_of_leaves) else _("an intermediate result")

        found = []
        for kind, value in read_items(got, name, len(labels), len(recipe)):
            if kind == "node":
                fail(_("{name} holds the node {node}, not a tensor. An AccumulateGrad node keeps its leaf in "
                       "`.variable`: put node.variable in the list.").format(name=name, node=labels[value]))
            check(kind != "pair", _("{name} holds a pair (node, input_nr) from next_functions, not a tensor: the "
                                    "leaf is the node's `.variable`.").format(name=name))
            check(kind != "none", _("{name} holds None. Keep only the nodes that have a `.variable` (the "
                                    "AccumulateGrad "
                                    "nodes) and return that tensor itself (not its .grad, which is None before "
                                    "backward).").format(name=name))
            if kind == "other":
                copy_of = [i for i, step in enumerate(recipe) if step[0] == "leaf" and value.kind == "tensor"
                           and value.array.shape == np.shape(step[1]) and np.allclose(value.array, step[1])]
                check(not copy_of, _("{name} holds a copy of {leaf}, not {leaf} itself: backward writes .grad into the "
                                     "very tensor `node.variable`, so return it as it is (no .detach(), .clone() or "
                                     ".data).").format(name=name, leaf=tensor_name(copy_of[0]) if copy_of else ""))
                fail(_("{name} holds {what}, which is not a tensor of this graph.").format(name=name,
                                                                                           what=describe(value)))
            found.append(value)
        for i in found:
            if i not in written:
                step = recipe[i]
                if step[0] != "leaf":
                    message = _("{name} holds {leaf}, but root.backward() writes no .grad into it: it is not a leaf.")
                elif not step[2]:
                    message = _("{name} holds {leaf}, but root.backward() writes no .grad into it: it does not "
                                "require grad.")
                else:
                    message = _("{name} holds {leaf}, but root.backward() writes no .grad into it: no path from root "
                                "reaches it.")
                fail(message.format(name=name, leaf=tensor_name(i)))
        twice = [i for i, count in collections.Counter(found).items() if count > 1]
        check(not twice, _("{name} lists {leaf} {count} times; each leaf must appear once. A leaf used along several "
                           "paths (x * x uses x twice) has one AccumulateGrad node, reached once per path: remember "
                           "what you have already found.").format(
            name=name, leaf=tensor_name(twice[0]) if twice else "", count=found.count(twice[0]) if twice else 0))
        missing = sorted(set(written) - set(found))
        if missing and not names:
            fail(_("{name} is empty, but root is itself a leaf that requires grad: root.backward() writes root.grad, "
                   "so "
                   "the answer is [root].").format(name=name))
        if missing and names and set(found) <= set(direct):
            fail(_("{name} misses {missing}. It finds no more than the leaves that feed root.grad_fn directly; leaves "
                   "further down the graph get a .grad too: walk the whole graph, through every node's "
                   "next_functions.").format(name=name, missing=", ".join(tensor_name(i) for i in missing)))
        check(not missing, _("{name} misses {missing}: backward writes .grad into the `.variable` of every "
                             "AccumulateGrad "
                             "node reachable from root.grad_fn.").format(
            name=name, missing=", ".join(tensor_name(i) for i in missing)))


check_ex1_1, check_ex1_2 = ReverseTopologicalOrder, LeafTensors
