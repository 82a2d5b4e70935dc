"""Wrong answers students write for chapter 06_training; each must lose points on its exercise.

Each variant is the notebook's own solution with one mistake edited in (see ch04.py).
"""
import harness

_edit = harness.solution_editor("06_training")


WRONG = {
    "ex6_1": [
        ("never zeroes the gradients", _edit("ex6_1", ("        w.grad.zero_()\n        b.grad.zero_()\n", ""))),
        ("sum of squared errors instead of the mean",
         _edit("ex6_1", ("loss = ((x @ w + b - y) ** 2).mean()", "loss = ((x @ w + b - y) ** 2).sum()"))),
        ("records the loss tensor instead of a float",
         _edit("ex6_1", ("losses.append(loss.item())", "losses.append(loss)"))),
        ("updates by rebinding outside no_grad: w is no longer a leaf",
         _edit("ex6_1", ("        with torch.no_grad():\n            w -= lr * w.grad\n            b -= lr * b.grad\n"
                         "        w.grad.zero_()\n        b.grad.zero_()\n",
                         "        w = w - lr * w.grad\n        b = b - lr * b.grad\n"))),
        ("adds the gradient instead of subtracting it",
         _edit("ex6_1", ("w -= lr * w.grad", "w += lr * w.grad"), ("b -= lr * b.grad", "b += lr * b.grad"))),
    ],
    "ex6_2": [
        ("does not divide the micro-batch losses",
         _edit("ex6_2", ("loss = loss_fn(model(inputs), targets) / len(group)", "loss = loss_fn(model(inputs), targets)"))),
        ("divides the trailing group by accumulation_steps instead of its own size",
         _edit("ex6_2", ("/ len(group)", "/ accumulation_steps"))),
        ("drops the trailing partial group",
         _edit("ex6_2", ("for start in range(0, len(batches), accumulation_steps):",
                         "for start in range(0, len(batches) - len(batches) % accumulation_steps, accumulation_steps):"))),
        ("zeroes the gradients after every micro-batch",
         _edit("ex6_2", ("            loss.backward()\n", "            optimizer.zero_grad()\n            loss.backward()\n"))),
        ("zeroes only after each step, so stale gradients reach the first step",
         _edit("ex6_2", ("        optimizer.zero_grad()\n        total = 0.0\n", "        total = 0.0\n"),
               ("        optimizer.step()\n", "        optimizer.step()\n        optimizer.zero_grad()\n"))),
        ("returns the micro-batch losses",
         _edit("ex6_2", ("            total += loss.item()\n", "            step_losses.append(loss.item())\n"),
               ("        step_losses.append(total)\n", ""))),
    ],
    "ex6_3": [
        ("calls torch.nn.utils.clip_grad_norm_",
         "def clip_grad_norm(parameters, max_norm, norm_type=2.0):\n"
         "    return torch.nn.utils.clip_grad_norm_(parameters, max_norm, norm_type)\n"),
        ("iterates the parameters twice: a generator is empty the second time",
         _edit("ex6_3", ("        for g in grads:\n", "        for g in (p.grad for p in parameters if p.grad is not None):\n"))),
        ("scales the gradients even when the norm is below max_norm",
         _edit("ex6_3", ("    if coefficient < 1:\n        for g in grads:\n", "    if True:\n        for g in grads:\n"))),
        ("clips each parameter by its own norm",
         _edit("ex6_3", ("        for g in grads:\n            g.mul_(coefficient)\n",
                         "        for g in grads:\n            g.mul_(min(1.0, max_norm / (g.norm(norm_type).item() + 1e-6)))\n"))),
        ("ignores norm_type: always the 2-norm",
         _edit("ex6_3", ('    if norm_type == float("inf"):\n', '    norm_type = 2.0\n    if norm_type == float("inf"):\n'))),
        ("returns the norm after clipping",
         _edit("ex6_3", ("    return total\n", "    return min(total, max_norm)\n"))),
    ],
}
