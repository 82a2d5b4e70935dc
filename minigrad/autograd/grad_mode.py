"""Grad mode: whether operations record the graph (``no_grad`` and friends), per thread.

Every operation reads one flag, ``state.enabled``. The context managers below save it, set it and
restore it on exit; each also works as a decorator, like torch's, with or without parentheses
(``@no_grad`` and ``@no_grad()``), on functions and on generators. As in torch, each thread has
its own mode: a new thread starts with grad mode on.

``inference_mode`` is no_grad plus a promise: tensors made inside it are *inference tensors*
(``t.is_inference()``) that may never be used in a computation autograd records. Nothing is
recorded inside it, even where ``enable_grad`` turns grad mode back on.
"""
import functools
import inspect
import threading


class _State(threading.local):
    enabled = True       # operations record the graph (grad mode on, inference mode off)
    inference = False    # inside inference_mode: new tensors are inference tensors
    grad_in_inference = False  # inside inference_mode: the grad mode that is_grad_enabled() says


state = _State()
inference_used = False   # inference_mode was entered once: checks for inference tensors begin


def is_grad_enabled():
    """True when grad mode is on: then operations record a backward graph, unless inside
    inference_mode."""
    return state.grad_in_inference if state.inference else state.enabled


def _set_mode(grad, inference=None):
    """Set grad mode (and inference mode, unless None)."""
    if inference is not None:
        state.inference = inference
    state.grad_in_inference = grad
    state.enabled = grad and not state.inference


def is_inference_mode_enabled():
    return state.inference


class _Mode:
    """A context manager that sets the mode on enter and restores the previous one on exit."""

    grad = True          # the grad mode inside the block
    inference = None     # the inference mode inside the block (None: unchanged)

    def __enter__(self):
        self._saved = _saved_mode()
        _set_mode(self.grad, self.inference)

    def __exit__(self, *exc):
        _restore_mode(self._saved)
        return False

    def clone(self):
        """A fresh manager with the same settings (a decorated function enters one per call)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    def __call__(self, fn):
        """Use as a decorator: ``fn`` runs inside the mode (a generator at each resumption)."""
        if inspect.isgeneratorfunction(fn):
            return self._wrap_generator(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def _wrap_generator(self, fn):
        """A generator that runs the generator ``fn`` makes inside the mode each time it resumes,
        and passes on what its caller sends, throws (``gen.throw``) or closes (``gen.close``),
        as torch's does."""
        @functools.wraps(fn)
        def generator(*args, **kwargs):
            gen = fn(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException as exc:  # gen.throw(exc) by our caller
                        with self.clone():
                            response = gen.throw(exc)
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value
        return generator


def _saved_mode():
    """The whole mode, for a block's end to restore."""
    return state.enabled, state.inference, state.grad_in_inference


def _restore_mode(saved):
    state.enabled, state.inference, state.grad_in_inference = saved


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
        self._saved = _saved_mode()  # what the end of a with block restores
        _set_mode(self.grad)  # a plain call switches the mode right away

    def __enter__(self):
        pass  # __init__ has switched already

    def __call__(self, fn):
        _restore_mode(self._saved)  # used as a decorator: the mode changes only inside fn
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
