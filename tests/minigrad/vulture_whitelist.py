"""vulture's whitelist: names that look unused to it but must exist.

minigrad mirrors torch's API, so it defines functions, methods and keyword arguments that
nothing in this repository calls (users and notebooks do). Each entry says why it is here.
Real dead code is deleted, not listed. ``make lint`` runs vulture over it with the code.
"""
_ = None

_.is_tensor  # minigrad/__init__.py: torch's top-level API
_.get_default_dtype  # minigrad/__init__.py: torch's top-level API
_.device_count  # minigrad/__init__.py: torch's top-level API
_.exc  # minigrad/autograd/anomaly_mode.py: the context manager protocol (__exit__'s arguments)
_.is_grads_batched  # minigrad/autograd/engine.py: torch.autograd.grad's keyword arguments
_.only_inputs  # minigrad/autograd/engine.py: torch.autograd.grad's keyword arguments
_.exc  # minigrad/autograd/forward_ad.py: torch's forward_ad API / the context manager protocol
_.enter_dual_level  # minigrad/autograd/forward_ad.py: torch's forward_ad API / the context manager protocol
_.exit_dual_level  # minigrad/autograd/forward_ad.py: torch's forward_ad API / the context manager protocol
_.vectorize  # minigrad/autograd/functional.py: torch.autograd.functional's keyword argument
_.exc  # minigrad/autograd/grad_mode.py: the context manager protocol (__exit__'s arguments)
_.gen_non_contig_grad_outputs  # minigrad/autograd/gradcheck.py: torch.autograd.gradgradcheck's keyword argument
_.pin_memory  # minigrad/creation.py: torch's creation API (names and keyword arguments)
_.as_tensor  # minigrad/creation.py: torch's creation API (names and keyword arguments)
_.empty  # minigrad/creation.py: torch's creation API (names and keyword arguments)
_.memory_format  # minigrad/creation.py: torch's creation API (names and keyword arguments)
_.empty_like  # minigrad/creation.py: torch's creation API (names and keyword arguments)
_.rand_like  # minigrad/creation.py: torch's creation API (names and keyword arguments)
_.randn_like  # minigrad/creation.py: torch's creation API (names and keyword arguments)
_.randperm  # minigrad/creation.py: torch's creation API (names and keyword arguments)
_.short  # minigrad/dtypes.py: torch's dtype aliases
_.reshape_as  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__add__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__radd__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__sub__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__rsub__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__mul__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__rmul__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__truediv__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__rtruediv__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__pow__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__rpow__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__neg__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__pos__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__abs__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__matmul__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__rmatmul__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__floordiv__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__rfloordiv__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__mod__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__rmod__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__eq__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__ne__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__ge__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__gt__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__le__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__lt__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__and__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__or__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__xor__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__invert__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__isub__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__imul__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__itruediv__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.__getitem__  # minigrad/methods.py: Tensor's operators and methods: Python and users call them, not minigrad
_.ones_  # minigrad/nn/init.py: torch.nn.init's API
_.xavier_uniform_  # minigrad/nn/init.py: torch.nn.init's API
_.persistent  # minigrad/nn/module.py: torch.nn.Module's API (names and keyword arguments)
_.register_module  # minigrad/nn/module.py: torch.nn.Module's API (names and keyword arguments)
_.assign  # minigrad/nn/module.py: torch.nn.Module's API (names and keyword arguments)
_.log_  # minigrad/ops/inplace.py: torch's in-place Tensor methods (attached in methods.py by name)
_.sqrt_  # minigrad/ops/inplace.py: torch's in-place Tensor methods (attached in methods.py by name)
_.abs_  # minigrad/ops/inplace.py: torch's in-place Tensor methods (attached in methods.py by name)
_.clip_  # minigrad/ops/inplace.py: torch's in-place Tensor methods (attached in methods.py by name)
_.clamp_min_  # minigrad/ops/inplace.py: torch's in-place Tensor methods (attached in methods.py by name)
_.clamp_max_  # minigrad/ops/inplace.py: torch's in-place Tensor methods (attached in methods.py by name)
_.non_blocking  # minigrad/ops/inplace.py: torch's in-place Tensor methods (attached in methods.py by name)
_.addcdiv_  # minigrad/ops/inplace.py: torch's in-place Tensor methods (attached in methods.py by name)
_.vdot  # minigrad/ops/linalg.py: torch's alias
_.memory_format  # minigrad/ops/shape.py: torch's keyword argument
_.ndimension  # minigrad/tensor.py: torch.Tensor's API (names and keyword arguments)
_.nelement  # minigrad/tensor.py: torch.Tensor's API (names and keyword arguments)
_.is_cuda  # minigrad/tensor.py: torch.Tensor's API (names and keyword arguments)
_.element_size  # minigrad/tensor.py: torch.Tensor's API (names and keyword arguments)
_.memory_format  # minigrad/tensor.py: torch.Tensor's API (names and keyword arguments)
_.stride  # minigrad/tensor.py: torch.Tensor's API (names and keyword arguments)
_.tensor_contents  # minigrad/tensor.py: torch.Tensor's API (names and keyword arguments)
_.pytest_configure  # tests/minigrad/conftest.py: a pytest hook
_.no_cyclic_gc  # tests/minigrad/test_memory.py: a pytest fixture, requested by name
