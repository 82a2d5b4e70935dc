"""Anomaly detection (``set_detect_anomaly``, ``detect_anomaly``): slower, more helpful backward.

When it is on, every recorded node keeps the stack of the forward call that made it
(``node.metadata["traceback_"]``): when that node's backward fails, a warning shows where in the
forward pass the failing operation was called. With ``check_nan`` (the default), a backward
that returns nan raises at once, naming the node.
"""
import traceback
import warnings


class _State:
    """The engine reads ``enabled`` at every node: an instance attribute is the quickest to read."""

    def __init__(self):
        self.enabled = False
        self.check_nan = True


state = _State()


def is_anomaly_enabled():
    return state.enabled


def is_anomaly_check_nan_enabled():
    return state.check_nan


class set_detect_anomaly:  # noqa: N801 - torch's name
    """``set_detect_anomaly(True)`` switches it on (for good, or for a ``with`` block)."""

    def __init__(self, mode, check_nan=True):
        self._saved = state.enabled, state.check_nan
        state.enabled, state.check_nan = bool(mode), bool(check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.enabled, state.check_nan = self._saved
        return False


class detect_anomaly(set_detect_anomaly):  # noqa: N801
    """``with detect_anomaly():``: anomaly detection inside the block."""

    def __init__(self, check_nan=True):
        self._check_nan = check_nan

    def __enter__(self):
        super().__init__(True, self._check_nan)
        return self


def record_forward_stack(node):
    """Called for each recorded node while anomaly detection is on."""
    node.metadata["traceback_"] = traceback.format_stack()[:-3]


def run_checked(node, grads):
    """``node.apply(grads)``, telling where the node was made if it fails, and checking for nan."""
    try:
        out = node.apply(grads)
        if state.check_nan:
            for i, g in enumerate(out):
                if g is not None and g._data.dtype.kind == "f" and bool((g._data != g._data).any()):
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                                       "output.")
    except Exception:
        stack = node.metadata.get("traceback_")
        if stack:
            warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused "
                          "the error:\n" + "".join(stack), UserWarning, stacklevel=3)
        raise
    return out
