"""Hand-written plausible bugs (the kind a reader could introduce), each must be caught by a test.

Each entry: (file, the exact text, what a buggy version would have instead, what the bug is).
"""
MINIGRAD = [
    ("minigrad/autograd/grad_mode.py", "    state.enabled, state.inference, state.grad_in_inference = saved",
     "    state.enabled, state.inference, state.grad_in_inference = True, saved[1], saved[2]",
     "a grad-mode block restores True instead of the previous mode"),
    ("minigrad/autograd/views.py", "    share_version_counter(out, t)\n    if t._inference:",
     "    share_version_counter(out, t)\n    out._grad_fn = t._grad_fn\n    if t._inference:",
     "detach() of a non-leaf keeps its grad_fn"),
    ("minigrad/ops/reductions.py", "wrap((hit / hit.sum(axis=ctx.dims, keepdims=True)).astype(like._data.dtype))",
     "wrap(hit.astype(like._data.dtype))",
     "tied maxima (max/amax/min/amin) each get the full gradient"),
    ("minigrad/autograd/engine.py", "        if not task.retain_graph:\n            node.release_variables()",
     "        if task.retain_graph:\n            node.release_variables()",
     "retain_graph inverted"),
    ("minigrad/autograd/engine.py", "        if collecting:\n            gc.enable()",
     "        if not collecting:\n            gc.enable()",
     "backward leaves the cyclic collector off, or turns on one that the user had switched off"),
    ("minigrad/autograd/engine.py", "        buffers[node] = grad if buf is None else buf + grad",
     "        buffers[node] = grad",
     "a fan-out keeps the last gradient instead of the sum"),
    ("minigrad/autograd/graph.py", "        old.add_(grad)", "        variable._grad = grad",
     "a second backward replaces .grad instead of accumulating"),
    ("minigrad/ops/util.py", "    if dims:\n        grad = grad.sum(dims, keepdim=True)",
     "    if False:\n        grad = grad.sum(dims, keepdim=True)", "sum_to forgets the broadcast dims"),
    ("minigrad/autograd/function.py", "                if t._vc[0] != expected:",
     "                if False:", "the version check of saved tensors is gone"),
    ("minigrad/autograd/views.py", "    set_history(base, CopySlices(edge(base), fn, info))",
     "    t._grad_fn = fn", "an in-place op on a view does not rebase its base"),
    ("minigrad/autograd/graph.py", "        leaf._grad_acc = weakref.ref(node)",
     "        leaf._grad_acc = lambda node=node: node", "a leaf holds its AccumulateGrad strongly (a cycle)"),
    ("minigrad/autograd/function.py", "            if with_history:\n                t._grad_fn",
     "            if False:\n                t._grad_fn",
     "a saved output comes back without history (wrong double backward)"),
    ("minigrad/ops/elementwise.py", "np.where(x == y, 0.5, wins.astype(np.float64))",
     "np.where(x == y, 1.0, wins.astype(np.float64))", "maximum's ties give both inputs the full gradient"),
]

AUTOGRADER = [
    # the six survivors of the first mutation run on the checks (issue 10), then the judge's own rules
    ("autograder/exercises/expect.py", "SINGLE = (1e-4, 1e-5)", "SINGLE = (1e-1, 1e-2)",
     "float32 tolerances loosened 1000x"),
    ("autograder/exercises/ch02.py",
     '        dict(graph="sin(w * y) + b with y constant", library="torch", preset=True),\n', "",
     "ex2_2's visible case with gradients already in .grad removed"),
    ("autograder/exercises/values.py", '        data = {"kind": "other", "type": _type_name(obj)[:200]}',
     '        if hasattr(obj, "__array__"):\n            return _array_data(np.asarray(obj), "numpy.ndarray")\n'
     '        data = {"kind": "other", "type": _type_name(obj)[:200]}',
     "an object with __array__ accepted as an array by the type gate"),
    ("autograder/exercises/expect.py", '        check(v.kind == "none", _("{name} should be None',
     '        check(v.kind == "none" or not np.any(v.values()), _("{name} should be None',
     "an all-zero .grad accepted where None is expected"),
    ("autograder/exercises/base.py", "        warnings_to_stdout()\n", "", "warnings no longer routed to stdout"),
    ("autograder/exercises/ch05.py",
     "        dict(x=[[1000.0, 999.0], [0.0, 0.0]]),\n        dict(shape=(2, 3), seed=1),\n"
     "        dict(shape=(4,), scale=1e3, seed=2),\n", "        dict(shape=(2, 3), seed=1),\n",
     "softmax's large-input cases removed"),
    ("autograder/judge/__init__.py", 'reply.get("token") != token', 'reply.get("token") is None',
     "the judge accepts a reply to another check"),
    ("autograder/judge/__init__.py", "return dict(params, seed=int(rng.integers(0, 2**31 - 1)))",
     "return dict(params)", "hidden cases keep the declared seed instead of a fresh one"),
    ("autograder/judge/__init__.py", "    if len(reply) != n:", "    if False:",
     "a reply with fewer results than cases is judged on those it has"),
    ("autograder/exercises/expect.py", "    if all_close(actual, 2 * expected, rtol, atol):",
     "    if all_close(actual, 3 * expected, rtol, atol):", "the factor-2 hint looks for a factor 3"),
]

AREAS = {"minigrad": MINIGRAD, "autograder": AUTOGRADER}
