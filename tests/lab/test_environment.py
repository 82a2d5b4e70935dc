"""The first cell of every notebook: one line, all is well or what to do; never a traceback."""
import importlib
import sys

import pytest
import torch

from autograder.kernel import environment


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """The check sets the kernel's language from COURSE_LANG (else the locale): English here."""
    monkeypatch.setenv("COURSE_LANG", "en")


def _one_line(capsys):
    out = capsys.readouterr()
    assert out.err == "", "the environment check wrote to stderr"
    lines = out.out.splitlines()
    assert len(lines) == 1, f"expected one line, got {lines}"
    return lines[0]


def test_complete_environment_says_ready_with_torch_version_and_device(capsys):
    assert environment.check() is None  # nothing for the notebook to display as Out[1]
    line = _one_line(capsys)
    assert line.startswith("✓") and f"torch {torch.__version__}" in line
    assert ("CUDA" if torch.cuda.is_available() else "CPU") in line


def test_missing_dot_says_how_to_install_graphviz(capsys, monkeypatch):
    real_which = environment.shutil.which
    monkeypatch.setattr(environment.shutil, "which", lambda name: None if name == "dot" else real_which(name))
    environment.check()
    line = _one_line(capsys)
    assert line.startswith("✗ Missing: graphviz's `dot` program") and "apt-get install graphviz" in line
    assert "torch" not in line.split("Then")[0].replace("graphviz", "")  # only what is missing


def test_missing_module_and_broken_module_are_both_named(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # `import graphviz` raises ImportError
    real_import = importlib.import_module

    def broken_minigrad(name, *args):
        if name == "minigrad":
            raise RuntimeError("half-installed")
        return real_import(name, *args)

    monkeypatch.setattr(environment.importlib, "import_module", broken_minigrad)
    environment.check()
    line = _one_line(capsys)
    assert "pip install graphviz" in line
    assert "importing minigrad failed: RuntimeError: half-installed" in line
    assert "restart the kernel" in line


def test_a_failing_check_still_prints_one_line(capsys, monkeypatch):
    monkeypatch.setattr(environment, "problems", lambda: 1 / 0)
    environment.check()
    assert "ZeroDivisionError" in _one_line(capsys)


def test_notebook_entry_point_is_the_same_check(capsys):
    import autograder

    autograder.check_environment()
    assert _one_line(capsys).startswith("✓")


def test_what_a_notebook_imports_leaves_the_slow_instructor_libraries_out():
    """A chapter's cells import autograder (its first cell), the exercise checks, the progress table and
    minigrad's drawings. None of them may pull in nbformat: its jsonschema compiles dozens of grammars
    on import (about 3 s), paid by every student's first cell and by every graded notebook."""
    import subprocess

    code = ("import sys, importlib, pkgutil, autograder, autograder.exercises as ex, minigrad.viz\n"
            "autograder.check_environment(); import autograder.kernel.progress\n"
            "for m in pkgutil.iter_modules(ex.__path__): importlib.import_module('autograder.exercises.' + m.name)\n"
            "print(sorted(m for m in ('nbformat', 'jsonschema', 'lark', 'nbclient', 'nbconvert') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"COURSE_LANG": "en",
                         "PATH": ""}, check=True)
    assert out.stdout.splitlines()[-1] == "[]", out.stdout + out.stderr
