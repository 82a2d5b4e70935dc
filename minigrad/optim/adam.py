"""Adam: gradient descent with running averages of the gradient and of its square."""
from ..creation import tensor, zeros_like
from ..ops import maximum

from .optimizer import Optimizer


class Adam(Optimizer):
    """``torch.optim.Adam``'s update, step ``t`` counted from 1, for each parameter ``p``:

    * ``g = grad (+ weight_decay * p)``
    * ``m = beta1 * m + (1 - beta1) * g``        (first moment, as torch's ``lerp``)
    * ``v = beta2 * v + (1 - beta2) * g * g``    (second moment)
    * ``p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``

    With ``amsgrad=True``, ``v`` in the denominator is the running maximum of ``v``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                                      capturable=capturable, differentiable=differentiable,
                                      fused=fused, decoupled_weight_decay=decoupled_weight_decay))

    def _update(self, group):
        """One Adam update of the parameters of one group that have a gradient."""
        beta1, beta2 = group["betas"]
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        for p in self._params_with_grad(group):
            g = -p.grad if group["maximize"] else p.grad
            state = self.state[p]
            if not state:
                state["step"] = tensor(0.0)
                state["exp_avg"] = zeros_like(p)
                state["exp_avg_sq"] = zeros_like(p)
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = zeros_like(p)
            state["step"].add_(1)
            t = state["step"].item()
            if weight_decay != 0:
                if group["decoupled_weight_decay"]:  # AdamW
                    p.mul_(1 - lr * weight_decay)
                else:
                    g = g + weight_decay * p
            m, v = state["exp_avg"], state["exp_avg_sq"]
            _lerp_(m, g, 1 - beta1)
            v.mul_(beta2)
            v.add_(g * g * (1 - beta2))
            if group["amsgrad"]:
                v_max = state["max_exp_avg_sq"]
                v_max.copy_(maximum(v_max, v))
                v = v_max
            denom = v.sqrt() / (1 - beta2 ** t) ** 0.5 + eps
            p.sub_(m / denom * (lr / (1 - beta1 ** t)))


def _lerp_(start, end, weight):
    """``start += weight * (end - start)`` in place, rounded as torch's ``lerp_`` rounds."""
    if weight < 0.5:
        start.add_(weight * (end - start))
    else:
        start.copy_(end - (end - start) * (1 - weight))
