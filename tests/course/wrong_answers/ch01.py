"""Wrong answers students write for chapter 01 (each must lose points on its exercise)."""

WRONG = {
    "ex1_1": [
        ("depth-first pre-order (a node before all it feeds, but not after all that feed it)", '''
def reverse_topological_order(root):
    order, seen = [], set()
    def visit(node):
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        order.append(node)
        for child, _ in node.next_functions:
            visit(child)
    visit(root.grad_fn)
    return order
'''),
        ("breadth-first order with a visited set", '''
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
'''),
        ("no visited set: nodes reached twice appear twice", '''
def reverse_topological_order(root):
    order = []
    def visit(node):
        for child, _ in node.next_functions:
            if child is not None:
                visit(child)
        order.append(node)
    if root.grad_fn is not None:
        visit(root.grad_fn)
    return order[::-1]
'''),
        ("topological order not reversed (leaves first)", '''
def reverse_topological_order(root):
    order, seen = [], set()
    def visit(node):
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        for child, _ in node.next_functions:
            visit(child)
        order.append(node)
    visit(root.grad_fn)
    return order
'''),
        ("AccumulateGrad nodes left out", '''
def reverse_topological_order(root):
    order, seen = [], set()
    def visit(node):
        if node is None or id(node) in seen or type(node).__name__ == "AccumulateGrad":
            return
        seen.add(id(node))
        for child, _ in node.next_functions:
            visit(child)
        order.append(node)
    visit(root.grad_fn)
    return order[::-1]
'''),
        ("None entries kept in the list", '''
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
'''),
        ("crashes on a leaf root (grad_fn is None)", '''
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
'''),
    ],
    "ex1_2": [
        ("returns the AccumulateGrad nodes instead of their tensors", '''
def leaf_tensors(root):
    if root.grad_fn is None:
        return [root]
    return [n for n in reverse_topological_order(root) if hasattr(n, "variable")]
'''),
        ("only looks at the inputs of root.grad_fn", '''
def leaf_tensors(root):
    if root.grad_fn is None:
        return [root]
    return [n.variable for n, _ in root.grad_fn.next_functions if n is not None and hasattr(n, "variable")]
'''),
        ("a leaf reached along two paths is listed twice", '''
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
'''),
        ("forgets that a leaf root is its own leaf", '''
def leaf_tensors(root):
    return [n.variable for n in reverse_topological_order(root) if hasattr(n, "variable")]
'''),
        ("returns detached copies of the leaves", '''
def leaf_tensors(root):
    if root.grad_fn is None:
        return [root]
    return [n.variable.detach() for n in reverse_topological_order(root) if hasattr(n, "variable")]
'''),
    ],
}
