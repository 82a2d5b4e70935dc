"""``Parameter``: a tensor that a Module registers as one of its learnable weights."""
from ..creation import zeros
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad (by default) and that Modules collect in ``parameters()``.

    ``Parameter(t)`` shares ``t``'s storage, as in torch. Operations on a Parameter give plain
    tensors: only the parameter itself is special.
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = zeros(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter data must be a Tensor, but got {type(data).__name__}")
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__
