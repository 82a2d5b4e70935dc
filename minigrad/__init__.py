"""minigrad: a small autograd engine with PyTorch's API, built to be read.

``import minigrad as torch`` runs the course's PyTorch snippets wherever minigrad has the feature:
same names, signatures, printed forms, graph nodes (``grad_fn``) and error messages. Tensors hold
numpy arrays and live on the CPU.

The layers, each built only on those before it:

    dtypes, tensor          what a tensor is: a numpy array plus autograd state
    autograd/               graph nodes, Function (how ops record), the engine, views, grad modes
    ops/                    the operations, one small Function each
    methods                 x + y, x.exp(), x.backward(): Tensor's methods, attached in one place
    creation, nn, optim, viz
"""
import warnings as _warnings

# numpy warns about 1/0, log(-1), overflow in exp...; torch quietly gives inf/nan, and so do we
# (only for numpy calls made inside minigrad: the user's own numpy code keeps its warnings).
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"minigrad(\.|$)")

from . import dtypes as _dtypes  # noqa: E402
from .dtypes import (bool, double, dtype, float, float16, float32, float64, half, int, int8,  # noqa: E402,A004
                     int16, int32, int64, long, short, uint8)
from .tensor import Size, Tensor, device  # noqa: E402
from . import autograd  # noqa: E402
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled  # noqa: E402
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,  # noqa: E402
                                 is_inference_mode_enabled, no_grad, set_grad_enabled)
from .ops import *  # noqa: E402,F401,F403  (every op function: exp, matmul, cat, where, softmax, ...)
from .ops import abs, max, min, pow, round, sum  # noqa: E402,A004  (torch's names shadow builtins)
from . import methods  # noqa: E402,F401  (attaches x + y, x.exp(), ... to Tensor)
from .creation import (Generator, arange, as_tensor, default_generator, empty, empty_like, eye,  # noqa: E402
                       from_numpy, from_torch, full, full_like, initial_seed, linspace, logspace,
                       manual_seed, normal, ones, ones_like, rand, rand_like, randint, randn,
                       randn_like, randperm, seed, tensor, zeros, zeros_like)

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


class cuda:  # noqa: N801 - mirrors torch.cuda for `torch.cuda.is_available()`
    """minigrad has no GPU support: ``minigrad.cuda.is_available()`` is always False."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0


from . import nn, optim, viz  # noqa: E402,F401  (they build on everything above)
