"""minigrad.autograd: the engine's public API, as torch.autograd.

Read in this order: graph.py (nodes), function.py (how an op records a node), engine.py (how
backward runs the nodes), views.py (in-place changes through views); grad_mode.py, hooks.py and
forward_ad.py are what their names say; functional.py and gradcheck.py are built on top.
"""
from . import forward_ad, grad_mode, graph
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import backward, grad
from .function import BackwardNode, Function, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .graph import AccumulateGrad, Node
from ..tensor import Tensor as Variable
from . import functional
from .gradcheck import gradcheck, gradgradcheck

FunctionCtx = BackwardNode

__all__ = ["AccumulateGrad", "BackwardNode", "Function", "FunctionCtx", "Node", "Variable",
           "backward", "detect_anomaly", "enable_grad", "forward_ad", "functional", "grad",
           "grad_mode", "gradcheck", "gradgradcheck", "graph", "inference_mode",
           "is_anomaly_enabled", "is_grad_enabled", "is_inference_mode_enabled", "no_grad",
           "once_differentiable", "set_detect_anomaly", "set_grad_enabled"]
