"""The first cell of every notebook: is everything a student needs here?

`check()` looks for minigrad, torch, graphviz (the Python package and its `dot` program) and a CUDA
device, then prints ONE line: either that all is well (with torch's version and the device the
checks will use) or what is missing and how to install it. It never raises: a student who sees a
traceback in the first cell does not know what to do next; a student who reads "run `make setup`"
does.
"""
from __future__ import annotations

import importlib
import shutil
import sys

# (module, what to tell a student whose kernel lacks it)
_MODULES = [
    ("torch", "PyTorch: run `make setup` (or `pip install torch`)"),
    ("minigrad", "the course package: run `make setup` (or `pip install -e .` in the course folder)"),
    ("graphviz", "the graphviz Python package: run `make setup` (or `pip install graphviz`)"),
]
_DOT = ("graphviz's `dot` program (draws the graphs): install it with `sudo apt-get install graphviz`"
        " (macOS: `brew install graphviz`, conda: `conda install graphviz`)")


def problems() -> list[str]:
    """What is missing, each with the way to fix it; empty when the environment is complete."""
    missing = []
    for module, fix in _MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(fix)
        except Exception as error:  # installed but broken: say how it broke
            missing.append(f"{fix} (importing {module} failed: {type(error).__name__}: {error})")
    if shutil.which("dot") is None:
        missing.append(_DOT)
    return missing


def device_description() -> str:
    """The device the checks use: the CUDA GPU's name, or CPU (which is enough for every chapter)."""
    try:
        import torch

        if torch.cuda.is_available():
            return f"CUDA ({torch.cuda.get_device_name(0)})"
    except Exception:
        pass
    return "CPU (no CUDA GPU found; every chapter runs on CPU)"


def check() -> None:
    """Print one line: all is well (torch version, device), or what to install. Never raises."""
    try:
        missing = problems()
        if missing:
            line = ("✗ Missing: " + "; ".join(missing)
                    + ". Then restart the kernel (Kernel > Restart Kernel) and run this cell again.")
        else:
            torch = sys.modules["torch"]
            line = (f"✓ Environment ready: torch {torch.__version__}, minigrad, graphviz and `dot` found;"
                    f" device: {device_description()}.")
    except Exception as error:  # last resort: still one line, still no traceback
        line = f"✗ The environment check itself failed ({type(error).__name__}: {error}); run `make setup`."
    print(line)
