"""minigrad: a small autograd engine with PyTorch's API, built to be read.

``import minigrad as torch`` runs the course's PyTorch snippets wherever minigrad has the feature:
same names, signatures, printed forms, graph nodes (``grad_fn``) and error messages. Tensors hold
numpy arrays and live on the CPU.
"""
import warnings as _warnings

# numpy warns about 1/0, log(-1), overflow in exp...; torch quietly gives inf/nan, and so do we
# (only for numpy calls made inside minigrad: the user's own numpy code keeps its warnings).
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"minigrad(\.|$)")

from . import dtypes as _dtypes  # noqa: E402
from .dtypes import (bool, double, dtype, float, float16, float32, float64, half, int, int8,  # noqa: A004
                     int16, int32, int64, long, short, uint8)
from .tensor import Size, Tensor, device
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (Generator, arange, as_tensor, default_generator, empty, empty_like, eye,
                       from_numpy, from_torch, full, full_like, initial_seed, linspace, logspace,
                       manual_seed, normal, ones, ones_like, rand, rand_like, randint, randn,
                       randn_like, randperm, seed, tensor, zeros, zeros_like)
from .ops import *  # noqa: F401,F403  (every op function: exp, matmul, cat, where, softmax, ...)
from .ops import max, min, sum, abs, pow, round  # noqa: A004  (torch's names shadow builtins)
from .ops.elementwise import where
from . import autograd  # noqa: E402

__version__ = "0.1.0"


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def get_default_dtype():
    return _dtypes.default_float


def is_floating_point(input):
    return input.is_floating_point()


def detach(input):
    return input.detach()


def cuda_is_available():
    return False


class cuda:  # noqa: N801 - mirrors torch.cuda for `torch.cuda.is_available()`
    """minigrad has no GPU support: ``minigrad.cuda.is_available()`` is always False."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0


from . import nn, optim, viz  # noqa: E402,F401  (they build on everything above)
