"""minigrad.autograd: the engine's public API, as torch.autograd."""
from . import forward_ad, grad_mode, graph
from .engine import backward, grad
from .function import Function, BackwardNode
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .graph import AccumulateGrad, Node

from .. import tensor as _tensor  # noqa: F401  (make sure Tensor exists before the helpers below)
from . import functional  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402

Variable = _tensor.Tensor
FunctionCtx = BackwardNode
