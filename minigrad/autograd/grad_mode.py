"""Grad mode: whether operations record the graph (``no_grad`` and friends), per thread.

Every operation reads one flag, ``state.enabled``. The context managers below save it, set it and
restore it on exit; each also works as a decorator, like torch's, with or without parentheses
(``@no_grad`` and ``@no_grad()``), on functions and on generators. As in torch, each thread has
its own mode: a new thread starts with grad mode on.

``inference_mode`` is no_grad plus a promise: tensors made inside it are *inference tensors*
(``t.is_inference()``) that may never be used in a computation autograd records.
"""
import functools
import inspect
import threading


class _State(threading.local):
    enabled = True       # operations record the graph
    inference = False    # inside inference_mode: new tensors are inference tensors


state = _State()
inference_used = False   # inference_mode was entered once: checks for inference tensors begin


def is_grad_enabled():
    """True when operations record a backward graph."""
    return state.enabled


def is_inference_mode_enabled():
    return state.inference


class _Mode:
    """A context manager that sets the mode on enter and restores the previous one on exit."""

    grad = True          # the grad mode inside the block
    inference = None     # the inference mode inside the block (None: unchanged)

    def __enter__(self):
        self._saved = state.enabled, state.inference
        state.enabled = self.grad
        if self.inference is not None:
            state.inference = self.inference

    def __exit__(self, *exc):
        state.enabled, state.inference = self._saved
        return False

    def clone(self):
        """A fresh manager with the same settings (a decorated function enters one per call)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    def __call__(self, fn):
        """Use as a decorator: ``fn`` runs inside the mode (a generator at each resumption)."""
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def generator(*args, **kwargs):
                gen = fn(*args, **kwargs)
                sent = None
                while True:
                    with self.clone():
                        try:
                            value = gen.send(sent)
                        except StopIteration as stop:
                            return stop.value
                    sent = yield value
            return generator

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper


class _NoArgsMode(_Mode):
    """``@no_grad`` without parentheses decorates the function directly, as torch allows."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoArgsMode):  # noqa: N801 - torch's names
    """Operations inside record no graph: results have requires_grad=False."""

    grad = False


class enable_grad(_NoArgsMode):  # noqa: N801
    """Turn recording back on inside a no_grad block."""

    grad = True


class set_grad_enabled(_Mode):  # noqa: N801
    """``set_grad_enabled(False)`` works as a plain call and as a context manager, like torch's."""

    def __init__(self, mode):
        self.grad = bool(mode)
        self._saved = state.enabled, state.inference  # what the end of a with block restores
        state.enabled = self.grad  # a plain call switches the mode right away

    def __enter__(self):
        pass  # __init__ has switched already

    def __call__(self, fn):
        state.enabled = self._saved[0]  # used as a decorator: the mode changes only inside fn
        return super().__call__(fn)

    def clone(self):
        mode = _Mode()
        mode.grad = self.grad
        return mode


class inference_mode(_Mode):  # noqa: N801
    """Like no_grad, and tensors made inside are inference tensors; ``inference_mode(False)``
    turns both off again inside an inference block."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # @inference_mode without parentheses

    def __init__(self, mode=True):
        self.inference = bool(mode)
        self.grad = not mode
        global inference_used
        inference_used = True
