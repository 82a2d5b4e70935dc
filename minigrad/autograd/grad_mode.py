"""Grad mode: whether operations record the graph (torch.no_grad and friends).

One module-level flag, read by every operation. The context managers below save it, set it, and
restore it on exit; each also works as a decorator, like torch's.
"""
import functools

_state = {"enabled": True}


def is_grad_enabled():
    """True when operations record a backward graph."""
    return _state["enabled"]


class _GradModeContext:
    """Base class: set the flag on enter, restore it on exit; usable as a decorator."""

    mode = True

    def __enter__(self):
        self.prev = _state["enabled"]
        _state["enabled"] = self.mode

    def __exit__(self, *exc):
        _state["enabled"] = self.prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradModeContext):
    """Operations inside record no graph: results have requires_grad=False."""

    mode = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a no_grad block."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` works as a plain call and as a context manager, like torch's."""

    def __init__(self, mode):
        self.prev = _state["enabled"]
        self.mode = bool(mode)
        _state["enabled"] = self.mode

    def __enter__(self):
        pass

    def __call__(self, fn):
        _state["enabled"] = self.prev  # used as a decorator: do not change the mode now
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper
