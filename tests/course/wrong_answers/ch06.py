"""Answers students write for chapter 06_training: WRONG ones must fail (visibly, with a hint, and in
grading), RIGHT ones, written differently from the notebook's solutions, must pass.

Most wrong answers are the notebook's own solution with one mistake edited in (harness.solution_editor).
"""
import harness

_edit = harness.solution_editor("06_training")

# ------------------------------------------------------------------------------------------- ex6_1
_UPDATE = ("        with torch.no_grad():\n            w -= lr * w.grad\n            b -= lr * b.grad\n",)
_ZERO = ("        w.grad.zero_()\n        b.grad.zero_()\n",)
_RECORD = ("        losses.append(loss.item())\n",)

# ------------------------------------------------------------------------------------------- ex6_2
_DIVIDED = ("            loss = loss_fn(model(inputs), targets) / len(group)\n",)
_GROUP_ZERO = ("        optimizer.zero_grad()\n        total = 0.0\n",)

# ------------------------------------------------------------------------------------------- ex6_3
_NORM = ('    if norm_type == float("inf"):\n        total = max(g.abs().max().item() for g in grads)\n    else:\n'
         '        total = sum((g.abs() ** norm_type).sum().item() for g in grads) ** (1.0 / norm_type)\n',)
_SCALE = ("    if coefficient < 1:\n        for g in grads:\n            g.mul_(coefficient)\n",)

WRONG = {
    "ex6_1": [
        ("never zeroes the gradients", _edit("ex6_1", (_ZERO[0], ""))),
        ("zeroes the gradients before the update uses them",
         _edit("ex6_1", (_UPDATE[0] + _ZERO[0], _ZERO[0] + _UPDATE[0]))),
        ("sum of squared errors instead of the mean",
         _edit("ex6_1", ("loss = ((x @ w + b - y) ** 2).mean()", "loss = ((x @ w + b - y) ** 2).sum()"))),
        ("records the loss tensor instead of a float", _edit("ex6_1", ("losses.append(loss.item())", "losses.append(loss)"))),
        ("records the loss after the update",
         _edit("ex6_1", (_RECORD[0], ""), (_ZERO[0], _ZERO[0] + "        losses.append(((x @ w + b - y) ** 2).mean().item())\n"))),
        ("rebinds w = w - lr * w.grad outside no_grad",
         _edit("ex6_1", (_UPDATE[0] + _ZERO[0], "        w = w - lr * w.grad\n        b = b - lr * b.grad\n"))),
        ("rebinds w = w - lr * w.grad inside no_grad",
         _edit("ex6_1", (_UPDATE[0] + _ZERO[0], "        with torch.no_grad():\n            w = w - lr * w.grad\n"
                                                "            b = b - lr * b.grad\n"))),
        ("adds the gradient instead of subtracting it",
         _edit("ex6_1", ("w -= lr * w.grad", "w += lr * w.grad"), ("b -= lr * b.grad", "b += lr * b.grad"))),
        ("creates w and b in float32 whatever x's dtype",
         _edit("ex6_1", ("torch.zeros(1, 1, dtype=x.dtype,", "torch.zeros(1, 1,"), ("torch.zeros(1, dtype=x.dtype,", "torch.zeros(1,"))),
        ("w of shape (1,) instead of (1, 1)", _edit("ex6_1", ("torch.zeros(1, 1, dtype=x.dtype,", "torch.zeros(1, dtype=x.dtype,"))),
    ],
    "ex6_2": [
        ("does not divide the micro-batch losses",
         _edit("ex6_2", (_DIVIDED[0], "            loss = loss_fn(model(inputs), targets)\n"))),
        ("divides the trailing group by accumulation_steps instead of its own size",
         _edit("ex6_2", ("/ len(group)", "/ accumulation_steps"))),
        ("drops the trailing partial group",
         _edit("ex6_2", ("for start in range(0, len(batches), accumulation_steps):",
                         "for start in range(0, len(batches) - len(batches) % accumulation_steps, accumulation_steps):"))),
        ("zeroes the gradients before every micro-batch",
         _edit("ex6_2", ("            loss.backward()\n", "            optimizer.zero_grad()\n            loss.backward()\n"))),
        ("zeroes only after each step, so stale gradients reach the first step",
         _edit("ex6_2", (_GROUP_ZERO[0], "        total = 0.0\n"),
               ("        optimizer.step()\n", "        optimizer.step()\n        optimizer.zero_grad()\n"))),
        ("never zeroes the gradients", _edit("ex6_2", (_GROUP_ZERO[0], "        total = 0.0\n"))),
        ("steps after every micro-batch",
         _edit("ex6_2", ("            total += loss.item()\n        optimizer.step()\n",
                         "            total += loss.item()\n            optimizer.step()\n"))),
        ("returns the micro-batch losses",
         _edit("ex6_2", ("            total += loss.item()\n", "            step_losses.append(loss.item())\n"),
               ("        step_losses.append(total)\n", ""))),
        ("reports the sum of the micro-batch means",
         _edit("ex6_2", (_DIVIDED[0] + "            loss.backward()\n            total += loss.item()\n",
                         "            raw = loss_fn(model(inputs), targets)\n            (raw / len(group)).backward()\n"
                         "            total += raw.item()\n"))),
        ("keeps the losses as tensors", _edit("ex6_2", ("total += loss.item()", "total += loss"))),
        ("the seed's loop: steps only when (i + 1) % accumulation_steps == 0", '''
def train_with_gradient_accumulation(model, loss_fn, optimizer, batches, accumulation_steps):
    optimizer.zero_grad()
    for i, (inputs, targets) in enumerate(batches):
        loss = loss_fn(model(inputs), targets) / accumulation_steps
        loss.backward()
        if (i + 1) % accumulation_steps == 0:
            optimizer.step()
            optimizer.zero_grad()
'''),
    ],
    "ex6_3": [
        ("calls torch.nn.utils.clip_grad_norm_",
         "def clip_grad_norm(parameters, max_norm, norm_type=2.0):\n"
         "    return torch.nn.utils.clip_grad_norm_(parameters, max_norm, norm_type)\n"),
        ("iterates the parameters twice: a generator is empty the second time",
         _edit("ex6_3", ("        for g in grads:\n", "        for g in (p.grad for p in parameters if p.grad is not None):\n"))),
        ("scales the gradients even when the norm is below max_norm",
         _edit("ex6_3", (_SCALE[0], "    for g in grads:\n        g.mul_(coefficient)\n"))),
        ("clips each gradient by its own norm",
         _edit("ex6_3", ("        for g in grads:\n            g.mul_(coefficient)\n",
                         "        for g in grads:\n            g.mul_(min(1.0, max_norm / (g.norm(norm_type).item() + 1e-6)))\n"))),
        ("ignores norm_type: always the 2-norm",
         _edit("ex6_3", ('    if norm_type == float("inf"):\n', '    norm_type = 2.0\n    if norm_type == float("inf"):\n'))),
        ("no special case for norm_type=inf",
         _edit("ex6_3", (_NORM[0], "    total = sum((g.abs() ** norm_type).sum().item() for g in grads) ** (1.0 / norm_type)\n"))),
        ("total norm as the sum of the gradients' norms",
         _edit("ex6_3", ("        total = sum((g.abs() ** norm_type).sum().item() for g in grads) ** (1.0 / norm_type)\n",
                         "        total = sum((g.abs() ** norm_type).sum().item() ** (1.0 / norm_type) for g in grads)\n"))),
        ("coefficient without the 1e-6", _edit("ex6_3", ("max_norm / (total + 1e-6)", "max_norm / total"))),
        ("returns the norm after clipping", _edit("ex6_3", ("    return total\n", "    return min(total, max_norm)\n"))),
        ("does not skip parameters whose grad is None",
         _edit("ex6_3", ("grads = [p.grad for p in parameters if p.grad is not None]", "grads = [p.grad for p in parameters]"))),
        ("replaces p.grad with a new tensor instead of scaling it in place", '''
def clip_grad_norm(parameters, max_norm, norm_type=2.0):
    params = [p for p in parameters if p.grad is not None]
    if norm_type == float("inf"):
        total = max(p.grad.abs().max().item() for p in params)
    else:
        total = sum((p.grad.abs() ** norm_type).sum().item() for p in params) ** (1.0 / norm_type)
    coefficient = max_norm / (total + 1e-6)
    if coefficient < 1:
        for p in params:
            p.grad = p.grad * coefficient
    return total
'''),
    ],
}

RIGHT = {
    "ex6_1": [
        ("updates through .data, as the seed does", '''
def fit_linear_regression(x, y, lr, epochs, device):
    x, y = x.to(device), y.to(device)
    w = torch.zeros((1, 1), dtype=x.dtype, device=device).requires_grad_()
    b = torch.zeros((1,), dtype=x.dtype, device=device).requires_grad_()
    losses = []
    for epoch in range(epochs):
        loss = (x.mm(w) + b - y).pow(2).mean()
        losses.append(float(loss))
        loss.backward()
        w.data.sub_(lr * w.grad.data)
        b.data.sub_(lr * b.grad.data)
        w.grad.data.zero_()
        b.grad.data.zero_()
    return w, b, losses
'''),
        ("torch.optim.SGD on [w, b]", '''
def fit_linear_regression(x, y, lr, epochs, device):
    x, y = x.to(device), y.to(device)
    w = torch.zeros(1, 1, dtype=x.dtype, device=device, requires_grad=True)
    b = torch.zeros(1, dtype=x.dtype, device=device, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(x @ w + b, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return w, b, losses
'''),
    ],
    "ex6_2": [
        ("one pass with enumerate, stepping at each group's end", '''
def train_with_gradient_accumulation(model, loss_fn, optimizer, batches, accumulation_steps):
    batches = list(batches)
    losses, running = [], 0.0
    optimizer.zero_grad()
    for i, (inputs, targets) in enumerate(batches):
        group_start = i - i % accumulation_steps
        group_size = min(accumulation_steps, len(batches) - group_start)
        loss = loss_fn(model(inputs), targets) / group_size
        loss.backward()
        running += loss.item()
        if i + 1 == group_start + group_size:
            optimizer.step()
            optimizer.zero_grad()
            losses.append(running)
            running = 0.0
    return losses
'''),
        ("averages the undivided losses at the end of each group", '''
def train_with_gradient_accumulation(model, loss_fn, optimizer, batches, accumulation_steps):
    batches = list(batches)
    losses = []
    for start in range(0, len(batches), accumulation_steps):
        group = batches[start:start + accumulation_steps]
        optimizer.zero_grad(set_to_none=False)
        values = []
        for inputs, targets in group:
            loss = loss_fn(model(inputs), targets)
            (loss * (1.0 / len(group))).backward()
            values.append(loss.item())
        optimizer.step()
        losses.append(sum(values) / len(values))
    return losses
'''),
    ],
    "ex6_3": [
        ("scales every gradient by min(1, coefficient), as torch does", '''
def clip_grad_norm(parameters, max_norm, norm_type=2.0):
    grads = [p.grad for p in list(parameters) if p.grad is not None]
    if norm_type == float("inf"):
        total = max((float(g.abs().max()) for g in grads), default=0.0)
    else:
        norms = [float((g.abs() ** norm_type).sum()) ** (1 / norm_type) for g in grads]
        total = sum(n ** norm_type for n in norms) ** (1 / norm_type)
    scale = min(1.0, max_norm / (total + 1e-6))
    for g in grads:
        g.mul_(scale)
    return total
'''),
        ("per-tensor norms with Tensor.norm, combined into the total", '''
import math

def clip_grad_norm(parameters, max_norm, norm_type=2.0):
    grads = [p.grad for p in parameters if p.grad is not None]
    norms = [g.norm(norm_type).item() for g in grads]
    if math.isinf(norm_type):
        total = max(norms) if norms else 0.0
    else:
        total = math.fsum(n ** norm_type for n in norms) ** (1.0 / norm_type)
    if total + 1e-6 > max_norm:
        for g in grads:
            g.mul_(max_norm / (total + 1e-6))
    return total
'''),
    ],
}
