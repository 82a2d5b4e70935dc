"""Draw backward graphs, for minigrad tensors and torch tensors alike.

``draw(y)`` walks ``y.grad_fn`` and its ``next_functions`` (the API both libraries share) and
returns a ``graphviz.Digraph`` that renders inline in Jupyter. Arrows point the way gradients flow:
from the output, through the operations' backward nodes, to the leaves.

``backward_steps(y)`` replays a backward pass one node at a time (what each node received and
sent); ``backward_frames(y)`` turns it into one drawing per step, with the gradient carried by
every edge so far: at a fan-out you can watch contributions arrive and add up.

One visual style, explained by a legend in every drawing:

==================  =================================================
output tensor       green box: the tensor you called ``draw`` on
backward node       orange ellipse: an operation's ``grad_fn``
AccumulateGrad      grey box: writes the gradient into ``leaf.grad``
leaf tensor         blue box: a tensor you created with requires_grad
==================  =================================================
"""
import html

import graphviz
import numpy as np

__all__ = ["draw", "backward_steps", "backward_frames", "Drawing"]

STYLE = {
    "output": dict(shape="box", style="filled", fillcolor="#c7e9c0"),
    "op": dict(shape="ellipse", style="filled", fillcolor="#fdd0a2"),
    "accumulate": dict(shape="box", style="rounded,filled", fillcolor="#e0e0e0", fontsize="10"),
    "leaf": dict(shape="box", style="filled", fillcolor="#c6dbef"),
}
DONE = dict(color="#cb181d", penwidth="2.5")       # a node whose backward already ran
CURRENT = dict(fillcolor="#fee391", penwidth="3")  # the node running in this frame
GRAD_EDGE = dict(color="#cb181d", fontcolor="#cb181d", fontsize="10")

INSTALL_HELP = """\
Graphviz's `dot` program was not found, so this graph cannot be drawn as a picture.
Install it, then restart the kernel:
  Debian/Ubuntu:  sudo apt-get install graphviz
  macOS:          brew install graphviz
  conda:          conda install -c conda-forge graphviz
The graph in DOT format:
"""


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that, where ``dot`` is missing, displays a short message with the
    install command and the DOT source instead of raising."""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            text = INSTALL_HELP + self.source
            return {"text/plain": text, "text/html": f"<pre>{html.escape(text)}</pre>"}


# ---------------------------------------------------------------------------------------------
# Walking the graph
# ---------------------------------------------------------------------------------------------

def _node_name(node):
    """``MulBackward0``; torch's ``torch::autograd::AccumulateGrad`` loses its namespace."""
    return node.name().split("::")[-1]


def _is_accumulate(node):
    return hasattr(node, "variable")


def _backward_nodes(root):
    """The nodes reachable from ``root.grad_fn``, each once, every node before the nodes it
    sends gradient to (a reverse topological order, as the engine runs them)."""
    order, seen = [], set()

    def visit(node):  # depth-first post-order, iterative so that deep graphs do not overflow
        stack = [(node, False)]
        while stack:
            current, expanded = stack.pop()
            if expanded:
                order.append(current)
                continue
            if id(current) in seen:
                continue
            seen.add(id(current))
            stack.append((current, True))
            for nxt, _ in current.next_functions:
                if nxt is not None and id(nxt) not in seen:
                    stack.append((nxt, False))

    if root.grad_fn is not None:
        visit(root.grad_fn)
    return order[::-1]


def _to_numpy(t):
    return np.asarray(t.detach().cpu().numpy())


def _format(t):
    arr = _to_numpy(t)
    if arr.ndim == 0:
        return f"{arr.item():.4g}"
    return np.array2string(arr, precision=4, threshold=8, edgeitems=2, suppress_small=True)


def _tensor_label(title, t, show_values, show_grads):
    lines = [title, f"shape {tuple(t.shape)}"]
    if show_values:
        lines.append(f"value {_format(t)}")
    if show_grads and (t.is_leaf or t.retains_grad) and t.grad is not None:
        lines.append(f"grad {_format(t.grad)}")
    return "\n".join(lines)


def _leaf_names(names):
    """``{id(tensor): name}`` from ``{name: tensor}`` (e.g. ``dict(model.named_parameters())``)."""
    return {id(t): name for name, t in (names or {}).items()}


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

def _render(root, nodes, *, show_values, show_grads, names, legend, graph_attr,
            done=(), current=None, edge_grads=None, root_grad=None):
    """Build the drawing. ``done``/``current``/``edge_grads`` are only used by frames."""
    edge_grads = edge_grads or {}
    g = Drawing(graph_attr=dict(rankdir="TB", **(graph_attr or {})),
                node_attr=dict(fontname="Helvetica", fontsize="11"),
                edge_attr=dict(fontname="Helvetica"))
    names = _leaf_names(names)

    def styled(kind, node=None):
        attrs = dict(STYLE[kind])
        if node is not None and id(node) in done:
            attrs.update(DONE)
        if node is not None and node is current:
            attrs.update(CURRENT)
        return attrs

    def edge(tail, head, key):
        if key in edge_grads:
            g.edge(tail, head, label=" " + _format(edge_grads[key]), **GRAD_EDGE)
        else:
            g.edge(tail, head)

    out_title = names.get(id(root), "leaf" if root.grad_fn is None else "output")
    root_kind = "leaf" if root.grad_fn is None else "output"
    g.node("root", _tensor_label(out_title, root, show_values, show_grads), **styled(root_kind))
    if root.grad_fn is not None:
        if root_grad is not None:
            edge_grads = dict(edge_grads, root=root_grad)
        edge("root", f"n{id(root.grad_fn)}", "root")
    for node in nodes:
        nid = f"n{id(node)}"
        if _is_accumulate(node):
            g.node(nid, "AccumulateGrad", **styled("accumulate", node))
            leaf = node.variable
            title = names.get(id(leaf), "leaf")
            g.node(f"t{id(leaf)}", _tensor_label(title, leaf, show_values, show_grads),
                   **styled("leaf"))
            edge(nid, f"t{id(leaf)}", (id(node), "leaf"))
            continue
        g.node(nid, _node_name(node), **styled("op", node))
        for i, (nxt, _) in enumerate(node.next_functions):
            if nxt is not None:
                edge(nid, f"n{id(nxt)}", (id(node), i))
    if legend:
        _add_legend(g, frames=current is not None or bool(done))
    return g


def _add_legend(g, frames):
    entries = [("output tensor", "output"), ("backward node (grad_fn)", "op"),
               ("AccumulateGrad", "accumulate"), ("leaf tensor", "leaf")]
    with g.subgraph(name="cluster_legend") as lg:
        lg.attr(label="legend: arrows show where gradients flow", fontsize="10",
                style="dashed", color="#999999")
        previous = None
        for i, (text, kind) in enumerate(entries):
            lg.node(f"legend{i}", text, **dict(STYLE[kind], fontsize="9"))
            if previous:
                lg.edge(previous, f"legend{i}", style="invis")
            previous = f"legend{i}"
        if frames:
            lg.node("legend_current", "running now",
                    **{**STYLE["op"], **DONE, **CURRENT, "fontsize": "9"})
            lg.node("legend_done", "already ran", **{**STYLE["op"], **DONE, "fontsize": "9"})
            lg.edge(previous, "legend_current", style="invis")
            lg.edge("legend_current", "legend_done", style="invis")


def draw(tensor, show_values=False, show_grads=False, names=None, legend=True, graph_attr=None):
    """The backward graph of ``tensor`` (minigrad or torch) as a ``graphviz.Digraph``.

    Args:
        tensor: the output whose graph to draw (usually a loss).
        show_values: print each tensor's values (small tensors in full, big ones abridged).
        show_grads: print each leaf's ``.grad`` (after a backward pass).
        names: ``{name: tensor}`` to label leaves, e.g. ``{"x": x, "w": w}`` or
            ``dict(model.named_parameters())``; unnamed leaves are labelled "leaf".
        legend: add the legend that explains the four kinds of boxes.
        graph_attr: extra graphviz graph attributes, e.g. ``{"rankdir": "LR"}``.
    """
    return _render(tensor, _backward_nodes(tensor), show_values=show_values,
                   show_grads=show_grads, names=names, legend=legend, graph_attr=graph_attr)


# ---------------------------------------------------------------------------------------------
# Step-by-step backward
# ---------------------------------------------------------------------------------------------

def _no_grad(tensor):
    """The ``no_grad`` context of the library that ``tensor`` comes from."""
    if type(tensor).__module__.startswith("torch"):
        import torch
        return torch.no_grad()
    import minigrad
    return minigrad.no_grad()


def backward_steps(tensor, gradient=None):
    """Replay ``tensor``'s backward pass without side effects: a list of ``(node, grad, sent)``.

    Nodes come in the engine's order; ``grad`` is the sum of all gradients that reached ``node``
    (a node runs only after all of them arrived: that is how fan-outs accumulate), and ``sent``
    lists ``(input_index, gradient)`` for what the node passed on to ``next_functions``.
    AccumulateGrad nodes receive their gradient but are not called, so the leaves' ``.grad``
    stay untouched. Works for minigrad graphs and for torch graphs whose saved tensors are
    still alive (before any ``backward()`` without ``retain_graph=True``).
    """
    if tensor.grad_fn is None:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                           "grad_fn")
    if gradient is None:
        if tensor.numel() != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        gradient = tensor.detach() * 0 + 1  # ones with the output's type, in either library
    pending = {id(tensor.grad_fn): gradient}  # summed gradients waiting for their node
    steps = []
    with _no_grad(tensor):
        for node in _backward_nodes(tensor):
            grad = pending.pop(id(node), None)
            sent = []
            if grad is not None and not _is_accumulate(node):
                outputs = node(grad)
                outputs = outputs if isinstance(outputs, tuple) else (outputs,)
                for i, ((nxt, nr), out) in enumerate(zip(node.next_functions, outputs)):
                    if nxt is None or out is None:
                        continue
                    out = _sum_to_expected_shape(out, nxt, nr)
                    sent.append((i, out))
                    previous = pending.get(id(nxt))
                    pending[id(nxt)] = out if previous is None else previous + out
            steps.append((node, grad, sent))
    return steps


def _sum_to_expected_shape(grad, node, input_nr):
    """Sum a broadcast gradient back to the shape ``node`` expects.

    minigrad's nodes do this themselves; torch's nodes leave it to torch's engine, which reads
    the expected shape from the node's ``_input_metadata``, and so do we.
    """
    metadata = getattr(node, "_input_metadata", None)
    if metadata is None:
        return grad
    shape = tuple(metadata[input_nr].shape)
    if tuple(grad.shape) == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead:
        grad = grad.sum(tuple(range(lead)))
    squeezed = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(squeezed, keepdim=True) if squeezed else grad


def backward_frames(tensor, gradient=None, show_values=False, names=None, legend=True,
                    graph_attr=None):
    """One drawing per step of ``backward_steps``: the running node is highlighted and every
    edge used so far is labelled with the gradient it carried. Frame 0 shows the seed gradient
    entering the output; the last frame shows every leaf's AccumulateGrad with its gradient."""
    steps = backward_steps(tensor, gradient)
    seed = steps[0][1]
    nodes = [node for node, _, _ in steps]
    options = dict(show_values=show_values, show_grads=False, names=names, legend=legend,
                   graph_attr=graph_attr, root_grad=seed)
    frames = [_render(tensor, nodes, **options)]
    edge_grads, done = {}, set()
    for node, grad, sent in steps:
        if _is_accumulate(node) and grad is not None:
            edge_grads[(id(node), "leaf")] = grad
        for i, out in sent:
            edge_grads[(id(node), i)] = out
        done.add(id(node))
        frames.append(_render(tensor, nodes, done=set(done), current=node,
                              edge_grads=dict(edge_grads), **options))
    return frames
