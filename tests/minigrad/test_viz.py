"""minigrad.viz: drawings of minigrad and torch graphs, the no-`dot` message, backward frames."""
import re

import graphviz
import numpy as np
import pytest
import torch

import minigrad
from minigrad import viz


def fan_out_graph(lib):
    """y = x * w is used twice (a fan-out): z = sum(y * y + sin(y))."""
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    w = lib.tensor(3.0, requires_grad=True)
    c = lib.tensor([0.5, 0.5])  # needs no grad: a (None, 0) entry in next_functions
    y = x * w + c
    z = (y * y + y.sin()).sum()
    return x, w, z


def canonical(source):
    """DOT source with object ids replaced by their order of appearance."""
    ids = {}
    return re.sub(r"\b[nt]\d+\b", lambda m: ids.setdefault(m.group(0), f"node{len(ids)}"), source)


def svg_of(drawing):
    return drawing._repr_mimebundle_()["image/svg+xml"]


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_draw_renders_svg_with_every_kind_of_node(lib):
    x, w, z = fan_out_graph(lib)
    drawing = viz.draw(z, names={"x": x, "w": w})
    assert isinstance(drawing, graphviz.Digraph)
    svg = svg_of(drawing)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for text in ("SumBackward0", "AddBackward0", "MulBackward0", "SinBackward0", "AccumulateGrad",
                 "output", "shape (2,)", "legend", "leaf tensor"):
        assert text in svg, text
    assert svg.count(">AccumulateGrad<") == 1 + 1 + 1  # x, w and the legend's sample


def test_torch_and_minigrad_graphs_draw_identically():
    sources = []
    for lib in (minigrad, torch):
        x, w, z = fan_out_graph(lib)
        sources.append(canonical(viz.draw(z, show_values=True, names={"x": x, "w": w}).source))
    assert sources[0] == sources[1]


def test_values_grads_and_names():
    x, w, z = fan_out_graph(minigrad)
    z.backward()
    source = viz.draw(z, show_values=True, show_grads=True, names={"x": x, "w": w}).source
    assert 'label="x\nshape (2,)\nvalue [1. 2.]\ngrad ' in source
    assert "value 3\n" in source  # w
    assert "\ngrad " not in viz.draw(z, names={"x": x}).source  # off by default
    leaf_only = viz.draw(x)
    assert "leaf" in leaf_only.source and "Backward" not in leaf_only.source.split("legend")[0]


def test_missing_dot_shows_install_message_not_traceback(monkeypatch):
    x, w, z = fan_out_graph(minigrad)
    drawing = viz.draw(z)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(graphviz.ExecutableNotFound):  # what a plain Digraph would do here
        graphviz.Digraph(body=["a -> b"])._repr_mimebundle_()
    bundle = drawing._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    text = bundle["text/plain"]
    for needed in ("sudo apt-get install graphviz", "brew install graphviz",
                   "conda install -c conda-forge graphviz", drawing.source):
        assert needed in text
    assert "&lt;" not in text and "<pre>" in bundle["text/html"]


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_backward_steps_replay_without_side_effects(lib):
    x, w, z = fan_out_graph(lib)
    steps = viz.backward_steps(z)
    assert x.grad is None and w.grad is None  # nothing accumulated
    received = {id(node.variable): grad for node, grad, _ in steps if hasattr(node, "variable")}
    z.backward()  # the graph is still intact after the replay
    np.testing.assert_allclose(received[id(x)].numpy(), x.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(received[id(w)].numpy(), w.grad.numpy(), rtol=1e-6)
    names = [node.name().split("::")[-1] for node, _, _ in steps]
    assert names[0] == "SumBackward0" and names.count("AccumulateGrad") == 2
    # every node runs after all the nodes that send it gradient
    position = {id(node): i for i, (node, _, _) in enumerate(steps)}
    for i, (node, _, sent) in enumerate(steps):
        for j, _ in sent:
            assert position[id(node.next_functions[j][0])] > i


def test_backward_steps_agree_between_torch_and_minigrad():
    mine = viz.backward_steps(fan_out_graph(minigrad)[2])
    ref = viz.backward_steps(fan_out_graph(torch)[2])
    assert len(mine) == len(ref)
    for (n1, g1, s1), (n2, g2, s2) in zip(mine, ref):
        assert n1.name() == n2.name()
        np.testing.assert_allclose(g1.numpy(), g2.numpy(), rtol=1e-6)
        assert [i for i, _ in s1] == [i for i, _ in s2]


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_backward_frames(lib):
    x, w, z = fan_out_graph(lib)
    frames = viz.backward_frames(z, show_values=True, names={"x": x, "w": w})
    assert len(frames) == len(viz.backward_steps(z)) + 1
    assert all(isinstance(f, graphviz.Digraph) for f in frames)
    assert "running now" in frames[1].source and "running now" not in frames[0].source
    last = frames[-1].source
    z.backward()
    arriving = np.array2string(x.grad.numpy(), precision=4, suppress_small=True)
    assert f'label=" {arriving}"' in last  # dz/dx arriving at x's AccumulateGrad
    assert "<svg" in svg_of(frames[3])


def test_backward_steps_errors_match_torch():
    v = minigrad.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        viz.backward_steps(v)
    assert len(viz.backward_steps(v, gradient=minigrad.ones(2))) == 2
    with pytest.raises(RuntimeError, match="does not require grad"):
        viz.backward_steps(minigrad.tensor(1.0))
