"""The first cell of every notebook: is everything a student needs here?

`check()` looks for minigrad, torch, graphviz (the Python package and its `dot` program) and a CUDA
device, then prints ONE line: either that all is well (with torch's version and the device the
checks will use) or what is missing and how to install it. It never raises: a student who sees a
traceback in the first cell does not know what to do next; a student who reads "run `make setup`"
does. The check also fixes the kernel's language (``autograder.languages.session_language``), so that
the chapter's checks, hints and progress table speak the notebook's language, and says so in it.
"""
from __future__ import annotations

import importlib
import shutil
import sys

from ..i18n import N_, _

# (module, what to tell a student whose kernel lacks it)
_MODULES = [
    ("torch", N_("PyTorch: run `make setup` (or `pip install torch`)")),
    ("minigrad", N_("the course package: run `make setup` (or `pip install -e .` in the course folder)")),
    ("graphviz", N_("the graphviz Python package: run `make setup` (or `pip install graphviz`)")),
]
_DOT = N_("graphviz's `dot` program (draws the graphs): install it with `sudo apt-get install graphviz`"
          " (macOS: `brew install graphviz`, conda: `conda install graphviz`)")


def problems() -> list[str]:
    """What is missing, each with the way to fix it; empty when the environment is complete."""
    missing = []
    for module, fix in _MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(_(fix))
        except Exception as error:  # installed but broken: say how it broke
            missing.append(_("{fix} (importing {module} failed: {error})").format(
                fix=_(fix), module=module, error=f"{type(error).__name__}: {error}"))
    if shutil.which("dot") is None:
        missing.append(_(_DOT))
    return missing


def device_description() -> str:
    """The device the checks use: the CUDA GPU's name, or CPU (which is enough for every chapter)."""
    try:
        import torch

        if torch.cuda.is_available():
            return f"CUDA ({torch.cuda.get_device_name(0)})"
    except Exception:
        pass
    return _("CPU (no CUDA GPU found; every chapter runs on CPU)")


def check() -> None:
    """Set the kernel's language, then print one line: all is well (torch version, device), or what to
    install. Never raises."""
    try:
        from ..i18n import set_language
        from ..languages import session_language

        set_language(session_language(namespace=vars(sys.modules["__main__"])))
        missing = problems()
        if missing:
            # TRANSLATORS: the separator between two missing requirements in the line below
            separator = _("; ")
            line = "✗ " + _("Missing: {missing}. Then restart the kernel (Kernel > Restart Kernel) and run this "
                            "cell again.").format(missing=separator.join(missing))
        else:
            torch = sys.modules["torch"]
            line = "✓ " + _("Environment ready: torch {version}, minigrad, graphviz and `dot` found; device: "
                            "{device}.").format(version=torch.__version__, device=device_description())
    except Exception as error:  # last resort: still one line, still no traceback
        line = "✗ " + _("The environment check itself failed ({error}); run `make setup`.").format(
            error=f"{type(error).__name__}: {error}")
    print(line)
