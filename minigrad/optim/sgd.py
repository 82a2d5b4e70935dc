"""Stochastic gradient descent, with torch's momentum, dampening, Nesterov and weight decay."""
from .optimizer import Optimizer


class SGD(Optimizer):
    """``p -= lr * d`` where ``d`` is the gradient, plus the options of ``torch.optim.SGD``.

    Per step, for each parameter ``p`` with gradient ``g`` (torch's exact order of operations):

    * weight decay: ``g = g + weight_decay * p``
    * momentum: ``buf = g`` on the first step, then ``buf = momentum * buf + (1 - dampening) * g``;
      ``g = g + momentum * buf`` with Nesterov, else ``g = buf``
    * update: ``p = p - lr * g``
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def _update(self, group):
        """Update the parameters of one group that have a gradient."""
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        for p in self._params_with_grad(group):
            g = -p.grad if group["maximize"] else p.grad
            if group["weight_decay"] != 0:
                g = g + group["weight_decay"] * p
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = g.clone().detach()
                else:
                    buf.mul_(momentum)
                    buf.add_(g, alpha=1 - dampening)
                g = g + momentum * buf if group["nesterov"] else buf
            p.add_(g, alpha=-lr)
