"""``minigrad.nn``: modules, parameters, losses (torch's names, defaults and printed forms)."""
from . import functional, init, utils
from .module import Module
from .modules import (CrossEntropyLoss, Linear, MSELoss, NLLLoss, ReLU, Sequential, Sigmoid,
                      Softmax, Tanh)
from .parameter import Parameter

__all__ = ["Module", "Parameter", "Linear", "ReLU", "Sigmoid", "Tanh", "Softmax", "Sequential",
           "MSELoss", "CrossEntropyLoss", "NLLLoss", "functional", "init", "utils"]
