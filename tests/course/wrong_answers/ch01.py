"""Answers students write for chapter 01: WRONG ones must lose the points, RIGHT ones must earn them."""
from harness import solution_editor

edit = solution_editor("01_leaf_tensors")

_PREORDER = edit("ex1_1", ("visited.add(id(node))\n", "visited.add(id(node))\n        order.append(node)\n"),
                 ("            visit(child)\n        order.append(node)\n", "            visit(child)\n"),
                 ("return order[::-1]", "return order"))

_BFS = '''
def reverse_topological_order(root):
    if root.grad_fn is None:
        return []
    order, seen, queue = [], {id(root.grad_fn)}, [root.grad_fn]
    while queue:
        node = queue.pop(0)
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                queue.append(child)
    return order
'''

_NONE_KEPT = '''
def reverse_topological_order(root):
    order, seen = [], set()
    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        if node is not None:
            for child, _ in node.next_functions:
                visit(child)
        order.append(node)
    if root.grad_fn is None:
        return []
    visit(root.grad_fn)
    return order[::-1]
'''

_LEAF_ROOT_CRASH = '''
def reverse_topological_order(root):
    order, seen = [], set()
    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        for child, _ in node.next_functions:
            if child is not None:
                visit(child)
        order.append(node)
    visit(root.grad_fn)
    return order[::-1]
'''

_PAIRS = '''
def reverse_topological_order(root):
    order, seen = [], set()
    def visit(entry):
        node = entry[0]
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        for next_entry in node.next_functions:
            visit(next_entry)
        order.append(entry)
    visit((root.grad_fn, 0))
    return order[::-1]
'''

_FROM_ROOT = '''
def reverse_topological_order(root):
    order, seen = [], set()
    def visit(node):
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        for child, _ in node.next_functions:
            visit(child)
        order.append(node)
    visit(root)
    return order[::-1][1:]
'''

_KAHN = '''
def reverse_topological_order(root):
    """Kahn's algorithm: a node is ready once every edge into it has been taken."""
    if root.grad_fn is None:
        return []
    incoming, stack, seen = {}, [root.grad_fn], {id(root.grad_fn)}
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            incoming[id(child)] = incoming.get(id(child), 0) + 1
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    order, ready = [], [root.grad_fn]
    while ready:
        node = ready.pop()
        order.append(node)
        for child, _ in {CHILDREN}:
            if child is None:
                continue
            incoming[id(child)] -= 1
            if incoming[id(child)] == 0:
                ready.append(child)
    return order
'''

_ITERATIVE_POST_ORDER = '''
def reverse_topological_order(root):
    """Depth-first post-order with an explicit stack, reversed."""
    if root.grad_fn is None:
        return []
    order, done, stack = [], set(), [(root.grad_fn, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in done:
            done.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child, _ in node.next_functions if child is not None)
    order.reverse()
    return order
'''

_DIRECT_ONLY = '''
def leaf_tensors(root):
    if root.grad_fn is None:
        return [root]
    return [n.variable for n, _ in root.grad_fn.next_functions if n is not None and hasattr(n, "variable")]
'''

_TWICE = '''
def leaf_tensors(root):
    if root.grad_fn is None:
        return [root]
    found = []
    def visit(node):
        if hasattr(node, "variable"):
            found.append(node.variable)
        for child, _ in node.next_functions:
            if child is not None:
                visit(child)
    visit(root.grad_fn)
    return found
'''

_GETATTR = '''
def leaf_tensors(root):
    if root.grad_fn is None:
        return [root]
    return [getattr(node, "variable", None) for node in reverse_topological_order(root)]
'''

_OWN_WALK = '''
def leaf_tensors(root):
    """An own walk with a stack; leaves kept in a dict by id, so each appears once."""
    if root.grad_fn is None:
        return [root] if root.requires_grad else []
    leaves, seen, stack = {}, set(), [root.grad_fn]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if type(node).__name__ == "AccumulateGrad":
            leaves[id(node.variable)] = node.variable
        stack.extend(child for child, _ in node.next_functions if child is not None)
    return list(leaves.values())
'''

WRONG = {
    "ex1_1": [
        ("depth-first pre-order (a node before all it feeds, but not after all that feed it)", _PREORDER),
        ("breadth-first order with a visited set", _BFS),
        ("no visited set: nodes reached twice appear twice", edit("ex1_1", ("or id(node) in visited", ""))),
        ("topological order not reversed (leaves first)", edit("ex1_1", ("return order[::-1]", "return order"))),
        ("AccumulateGrad nodes left out", edit("ex1_1", ("or id(node) in visited:",
                                                         "or id(node) in visited or hasattr(node, 'variable'):"))),
        ("None entries kept in the list", _NONE_KEPT),
        ("crashes on a leaf root (grad_fn is None)", _LEAF_ROOT_CRASH),
        ("returns the (node, input_nr) pairs of next_functions", _PAIRS),
        ("visited set keyed by the node's type name, not its identity",
         edit("ex1_1", ("id(node) in visited", "type(node).__name__ in visited"),
              ("visited.add(id(node))", "visited.add(type(node).__name__)"))),
        ("starts the walk at the root tensor instead of root.grad_fn", _FROM_ROOT),
        ("returns a tuple instead of a list", edit("ex1_1", ("return order[::-1]", "return tuple(reversed(order))"))),
        ("Kahn's algorithm that subtracts once per distinct node instead of once per edge",
         _KAHN.replace("{CHILDREN}", "{id(c): (c, n) for c, n in node.next_functions}.values()")),
    ],
    "ex1_2": [
        ("returns the AccumulateGrad nodes instead of their tensors",
         edit("ex1_2", ("[node.variable for node", "[node for node"))),
        ("only looks at the inputs of root.grad_fn", _DIRECT_ONLY),
        ("a leaf reached along two paths is listed twice", _TWICE),
        ("forgets that a leaf root is its own leaf",
         edit("ex1_2", ("    if root.grad_fn is None:\n        return [root] if root.requires_grad else []\n", ""))),
        ("returns detached copies of the leaves", edit("ex1_2", ("[node.variable for", "[node.variable.detach() for"))),
        ("returns the leaves' .data (new tensor objects)", edit("ex1_2", ("[node.variable for", "[node.variable.data for"))),
        ("returns the leaves' .grad (None before backward)", edit("ex1_2", ("[node.variable for", "[node.variable.grad for"))),
        ("keeps None for every node that is not an AccumulateGrad", _GETATTR),
        ("returns a set instead of a list", edit("ex1_2", ("return [node.variable for node in reverse_topological_order(root) "
                                                          "if hasattr(node, \"variable\")]",
                                                          "return {node.variable for node in reverse_topological_order(root) "
                                                          "if hasattr(node, \"variable\")}"))),
    ],
}

RIGHT = {
    "ex1_1": [
        ("Kahn's algorithm: count incoming edges, take a node when its count reaches 0",
         _KAHN.replace("{CHILDREN}", "node.next_functions")),
        ("depth-first post-order with an explicit stack, reversed", _ITERATIVE_POST_ORDER),
    ],
    "ex1_2": [
        ("an own walk with a stack, leaves kept in a dict by id", _OWN_WALK),
    ],
}
