"""Wrong answers students write for chapter 07_from_scratch (each must lose points on its exercise), and
other right ones (each must pass)."""
import harness

_edit = harness.solution_editor("07_from_scratch")

# ------------------------------------------------------------------------------------------- ex7_1
_SUM_TO_AXES = "    stretched = [lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1]\n"
_SUM_TO_RETURN = "return grad.sum(axis=tuple(range(lead)) + tuple(stretched), keepdims=True).reshape(shape)"

WRONG = {
    "ex7_1": [
        ("returns grad unchanged", '''
def sum_to(grad, shape):
    return grad
'''),
        ("sums the leading axes only, not the axes where shape has a 1",
         _edit("ex7_1", (_SUM_TO_AXES, "    stretched = []\n"))),
        ("sums without keeping the axes (keepdims=False, no reshape)",
         _edit("ex7_1", (_SUM_TO_RETURN, "return grad.sum(axis=tuple(range(lead)) + tuple(stretched))"))),
        ("keeps the leading axes as 1s (no reshape)",
         _edit("ex7_1", (".reshape(shape)", ""))),
        ("averages instead of summing", _edit("ex7_1", ("grad.sum(", "grad.mean("))),
        ("counts the 1-axes from the left, ignoring the leading axes",
         _edit("ex7_1", (_SUM_TO_AXES,
                         "    stretched = [i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1]\n"))),
        ("squeezes instead of reshaping to shape",
         _edit("ex7_1", (".reshape(shape)", ".squeeze()"))),
    ],
}

RIGHT = {
    "ex7_1": [
        ("a loop: sum axis 0 while there are too many axes, then each 1-axis with keepdims", '''
def sum_to(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad
'''),
        ("axes found by lining the shapes up from the right", '''
import numpy as np

def sum_to(grad, shape):
    padded = (1,) * (grad.ndim - len(shape)) + tuple(shape)
    axes = tuple(i for i, (n, m) in enumerate(zip(padded, grad.shape)) if n == 1 and m != 1)
    return np.reshape(np.sum(grad, axis=axes, keepdims=True), shape)
'''),
    ],
}

# ------------------------------------------------------------------------------------------- ex7_2
WRONG["ex7_2"] = [
    ("Add returns the broadcast gradient without sum_to",
     _edit("ex7_2", ("return sum_to(grad, self.a_shape), sum_to(grad, self.b_shape)", "return grad, grad"))),
    ("Mul multiplies by the wrong factors",
     _edit("ex7_2", ("return sum_to(grad * self.b, self.a.shape), sum_to(grad * self.a, self.b.shape)",
                     "return sum_to(grad * self.a, self.a.shape), sum_to(grad * self.b, self.b.shape)"))),
    ("Div: wrong sign for b",
     _edit("ex7_2", ("sum_to(-grad * self.a / self.b ** 2", "sum_to(grad * self.a / self.b ** 2"))),
    ("Pow keeps the exponent (p * a**p)",
     _edit("ex7_2", ("self.a ** (self.exponent - 1)", "self.a ** self.exponent"))),
    ("Exp forgets the chain factor grad", _edit("ex7_2", ("return (grad * self.y,)", "return (self.y,)"))),
    ("Log multiplies by a instead of dividing", _edit("ex7_2", ("return (grad / self.a,)", "return (grad * self.a,)"))),
    ("Tanh forgets to square the output", _edit("ex7_2", ("(1 - self.y ** 2)", "(1 - self.y)"))),
    ("ReLU lets the gradient through at exactly 0", _edit("ex7_2", ("(self.a > 0)", "(self.a >= 0)"))),
    ("ReLU applied to the gradient instead of masking it",
     _edit("ex7_2", ("return (grad * (self.a > 0),)", "return (np.maximum(grad, 0),)"))),
    ("MatMul without the transposes",
     _edit("ex7_2", ("grad @ np.swapaxes(self.b, -1, -2)", "grad @ self.b"),
           ("np.swapaxes(self.a, -1, -2) @ grad", "self.a @ grad"))),
    ("MatMul transposes with .T, which reverses every axis of a batch",
     _edit("ex7_2", ("np.swapaxes(self.b, -1, -2)", "self.b.T"), ("np.swapaxes(self.a, -1, -2)", "self.a.T"))),
    ("MatMul forgets sum_to over broadcast batch axes",
     _edit("ex7_2", ("return (sum_to(grad @ np.swapaxes(self.b, -1, -2), self.a.shape),\n"
                     "                sum_to(np.swapaxes(self.a, -1, -2) @ grad, self.b.shape))",
                     "return grad @ np.swapaxes(self.b, -1, -2), np.swapaxes(self.a, -1, -2) @ grad"))),
    ("Sum broadcasts without putting the summed axes back",
     _edit("ex7_2", ("        if self.dim is not None and not self.keepdim:\n"
                     "            grad = np.expand_dims(grad, self.dim)\n"
                     "        return (np.broadcast_to(grad, self.shape).copy(),)",
                     "        return (np.broadcast_to(grad, self.shape).copy(),)"))),
    ("Mean forgets to divide by n",
     _edit("ex7_2", ("np.broadcast_to(grad / n, self.shape)", "np.broadcast_to(grad, self.shape)"))),
    ("Mean divides by the size of the whole input",
     _edit("ex7_2", ("n = np.prod(self.shape) / grad.size", "n = np.prod(self.shape)"))),
    ("Reshape reshapes the gradient to the output's shape",
     _edit("ex7_2", ("grad.reshape(self.input_shape)", "grad.reshape(self.shape)"))),
    ("Transpose swaps back with .T", _edit("ex7_2", ("np.swapaxes(grad, self.dim0, self.dim1)", "grad.T"))),
    ("Exp returns an array, not a tuple", _edit("ex7_2", ("return (grad * self.y,)", "return grad * self.y"))),
    ("Tanh changes grad in place", _edit("ex7_2", ("return (grad * (1 - self.y ** 2),)",
                                                   "grad *= 1 - self.y ** 2\n        return (grad,)"))),
]

RIGHT["ex7_2"] = [("written differently: np.where, einsum-free moveaxis, explicit keepdims shapes", '''
import numpy as np


def _spread(grad, shape, dim, keepdim):
    """grad of a reduction over dim, spread back over shape."""
    if dim is None:
        dims = range(len(shape))
    else:
        dims = [d % len(shape) for d in (dim if isinstance(dim, tuple) else (dim,))]
    kept = tuple(1 if i in dims else n for i, n in enumerate(shape))
    return np.reshape(grad, kept) * np.ones(shape)


class Add(Function):
    def forward(self, a, b):
        self.a_shape, self.b_shape = a.shape, b.shape
        return a + b

    def backward(self, grad):
        return tuple(sum_to(grad, s) for s in (self.a_shape, self.b_shape))


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, grad):
        return sum_to(self.b * grad, np.shape(self.a)), sum_to(self.a * grad, np.shape(self.b))


class Div(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, grad):
        q = grad / self.b
        return sum_to(q, np.shape(self.a)), sum_to(-q * (self.a / self.b), np.shape(self.b))


class Pow(Function):
    def forward(self, a):
        self.a = a
        return a ** self.exponent

    def backward(self, grad):
        p = self.exponent
        return (p * np.power(self.a, p - 1) * grad,)


class Exp(Function):
    def forward(self, a):
        self.y = np.exp(a)
        return self.y

    def backward(self, grad):
        return (np.multiply(grad, self.y),)


class Log(Function):
    def forward(self, a):
        self.a = a
        return np.log(a)

    def backward(self, grad):
        return (grad * (1.0 / self.a),)


class Tanh(Function):
    def forward(self, a):
        self.y = np.tanh(a)
        return self.y

    def backward(self, grad):
        return (grad - grad * self.y * self.y,)


class ReLU(Function):
    def forward(self, a):
        self.a = a
        return np.maximum(a, 0.0)

    def backward(self, grad):
        return (np.where(self.a > 0, grad, 0.0),)


class MatMul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, grad):
        a_t, b_t = np.moveaxis(self.a, -1, -2), np.moveaxis(self.b, -1, -2)
        return sum_to(np.matmul(grad, b_t), self.a.shape), sum_to(np.matmul(a_t, grad), self.b.shape)


class Sum(Function):
    def forward(self, a):
        self.shape = a.shape
        return a.sum(axis=self.dim, keepdims=self.keepdim)

    def backward(self, grad):
        return (_spread(grad, self.shape, self.dim, self.keepdim),)


class Mean(Function):
    def forward(self, a):
        self.shape = a.shape
        return a.mean(axis=self.dim, keepdims=self.keepdim)

    def backward(self, grad):
        spread = _spread(grad, self.shape, self.dim, self.keepdim)
        return (spread * grad.size / spread.size,)


class Reshape(Function):
    def forward(self, a):
        self.input_shape = a.shape
        return a.reshape(self.shape)

    def backward(self, grad):
        return (np.reshape(grad, self.input_shape),)


class Transpose(Function):
    def forward(self, a):
        return np.swapaxes(a, self.dim0, self.dim1)

    def backward(self, grad):
        axes = list(range(grad.ndim))
        axes[self.dim0], axes[self.dim1] = axes[self.dim1], axes[self.dim0]
        return (np.transpose(grad, axes),)
''')]

# ------------------------------------------------------------------------------------------- ex7_3
_SUM_AT_FAN_OUT = "grads[id(x)] = grads[id(x)] + g if id(x) in grads else g"

_PER_PATH = '''
import numpy as np

def backward(root):
    if root.data.size != 1:
        raise RuntimeError("grad can be implicitly created only for scalar outputs")

    def push(t, grad):
        if t.grad_fn is None:
            if t.requires_grad:
                t.grad = grad.copy() if t.grad is None else t.grad + grad
            return
        for x, g in zip(t.grad_fn.inputs, t.grad_fn.backward(grad)):
            if x.requires_grad:
                push(x, g)

    push(root, np.ones_like(root.data))
'''

_BREADTH_FIRST = '''
import numpy as np

def backward(root):
    if root.data.size != 1:
        raise RuntimeError("grad can be implicitly created only for scalar outputs")
    order, seen, queue = [], {id(root)}, [root]
    while queue:
        t = queue.pop(0)
        order.append(t)
        for x in (t.grad_fn.inputs if t.grad_fn is not None else ()):
            if id(x) not in seen:
                seen.add(id(x))
                queue.append(x)
    grads = {id(root): np.ones_like(root.data)}
    for t in order:
        grad = grads.pop(id(t), None)
        if grad is None:
            continue
        if t.grad_fn is None:
            t.grad = grad.copy() if t.grad is None else t.grad + grad
            continue
        for x, g in zip(t.grad_fn.inputs, t.grad_fn.backward(grad)):
            if x.requires_grad:
                grads[id(x)] = grads[id(x)] + g if id(x) in grads else g
'''

WRONG["ex7_3"] = [
    ("overwrites instead of summing at a fan-out", _edit("ex7_3", (_SUM_AT_FAN_OUT, "grads[id(x)] = g"))),
    ("sums in place (+=) into an array another tensor also holds",
     _edit("ex7_3", ("                " + _SUM_AT_FAN_OUT,
                     "                if id(x) in grads:\n                    grads[id(x)] += g\n"
                     "                else:\n                    grads[id(x)] = g"))),
    ("depth-first pre-order instead of a topological order",
     _edit("ex7_3", ("        order.append(t)\n\n    visit(root)", "\n    visit(root)"),
           ("        visited.add(id(t))\n", "        visited.add(id(t))\n        order.append(t)\n"),
           ("for t in reversed(order):", "for t in order:"))),
    ("breadth-first order", _BREADTH_FIRST),
    ("pushes gradients down every path (no topological order)", _PER_PATH),
    ("overwrites leaf.grad instead of accumulating",
     _edit("ex7_3", ("t.grad = grad.copy() if t.grad is None else t.grad + grad", "t.grad = grad.copy()"))),
    ("stores the gradient array itself in .grad (two leaves share it)",
     _edit("ex7_3", ("t.grad = grad.copy() if t.grad is None else t.grad + grad",
                     "t.grad = grad if t.grad is None else t.grad + grad"))),
    ("no error for a root with several elements",
     _edit("ex7_3", ('    if root.data.size != 1:\n'
                     '        raise RuntimeError("grad can be implicitly created only for scalar outputs")\n', ""))),
    ("raises ValueError for a non-scalar root",
     _edit("ex7_3", ('raise RuntimeError("grad can be implicitly created only for scalar outputs")',
                     'raise ValueError("backward needs a scalar")'))),
    ("writes .grad into every tensor, intermediates included",
     _edit("ex7_3", ("        for x, g in zip(t.grad_fn.inputs, t.grad_fn.backward(grad)):",
                     "        t.grad = grad  # as micrograd does\n"
                     "        for x, g in zip(t.grad_fn.inputs, t.grad_fn.backward(grad)):"))),
    ("sends gradients to constants too", _edit("ex7_3", ("            if x.requires_grad:\n", "            if True:\n"))),
]

RIGHT["ex7_3"] = [("Kahn's algorithm: count the consumers, run a tensor when all have sent (like minigrad)", '''
import numpy as np

def backward(root):
    if root.data.size != 1:
        raise RuntimeError("grad can be implicitly created only for scalar outputs")
    waiting, stack, seen = {}, [root], {id(root)}
    while stack:  # how many operations use each tensor
        t = stack.pop()
        for x in (t.grad_fn.inputs if t.grad_fn else ()):
            waiting[id(x)] = waiting.get(id(x), 0) + 1
            if id(x) not in seen:
                seen.add(id(x))
                stack.append(x)
    grads, ready = {id(root): np.ones_like(root.data)}, [root]
    while ready:
        t = ready.pop()
        grad = grads.pop(id(t), None)
        if t.grad_fn is None:
            if t.requires_grad and grad is not None:
                t.grad = np.array(grad) if t.grad is None else t.grad + grad
            continue
        outs = t.grad_fn.backward(grad) if grad is not None else [None] * len(t.grad_fn.inputs)
        for x, g in zip(t.grad_fn.inputs, outs):
            if x.requires_grad and g is not None:
                grads[id(x)] = g + grads[id(x)] if id(x) in grads else g
            waiting[id(x)] -= 1
            if waiting[id(x)] == 0:
                ready.append(x)
''')]

# ------------------------------------------------------------------------------------------- ex7_4
WRONG["ex7_4"] = [
    ("never resets .grad between steps", _edit("ex7_4", ("        model.zero_grad()\n", ""))),
    ("climbs the gradient (+= lr * grad)", _edit("ex7_4", ("p.data -= lr * p.grad", "p.data += lr * p.grad"))),
    ("rebinds the name p instead of updating its array",
     _edit("ex7_4", ("p.data -= lr * p.grad", "p = Tensor(p.data - lr * p.grad, requires_grad=True)"))),
    ("runs backward twice per batch",
     _edit("ex7_4", ("        backward(loss)\n", "        backward(loss)\n        loss.backward()\n"))),
    ("records the loss after the update",
     _edit("ex7_4", ("        losses.append(float(loss.data))",
                     "        losses.append(float(cross_entropy(model(x), labels).data))"))),
    ("returns the loss Tensors, not floats", _edit("ex7_4", ("losses.append(float(loss.data))", "losses.append(loss)"))),
    ("updates only the weights, not the biases",
     _edit("ex7_4", ("        for p in model.parameters():\n            p.data -= lr * p.grad",
                     "        for layer in model.layers:\n            layer.weight.data -= lr * layer.weight.grad"))),
    ("divides the learning rate by the batch size",
     _edit("ex7_4", ("p.data -= lr * p.grad", "p.data -= lr / len(labels) * p.grad"))),
]

RIGHT["ex7_4"] = [("loss.backward(), p.grad = None per parameter, .item() of the loss, an index loop", '''
def train(model, batches, lr):
    history = []
    for k in range(len(batches)):
        x, labels = batches[k]
        params = model.parameters()
        for p in params:
            p.grad = None
        loss = cross_entropy(model(x), labels)
        history.append(loss.data.item())
        loss.backward()
        for p in reversed(params):
            p.data = p.data - lr * p.grad
    return history
''')]
