"""The kernel-side probe (autograder/kernel/probe.py): after install(), report() names exactly what was
replaced among the names it watches, and nothing when nothing was. It runs in a subprocess of its own:
install() adds an audit hook, which Python never lets anyone remove."""
import json
import subprocess
import sys

SCRIPT = r"""
import io, json, contextlib, sys
import numpy, torch
from autograder.kernel import probe

def report():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        probe.report("cell", "token")
    return json.loads(out.getvalue().split(" ", 3)[3])

probe.install()
print(json.dumps(report()))
torch.tensor = lambda *args, **kwargs: None          # a module's function
torch.Tensor.backward = lambda self, *args: None      # a method of a watched class
import functools
numpy.zeros = functools.wraps(numpy.zeros)(lambda *a, **k: None)  # a wrapper written in a notebook
sys.modules["math"] = None                            # a module swapped in sys.modules
from autograder.exercises import base
base.Exercise.judge.__code__ = (lambda self, *args, **kwargs: None).__code__  # a body swapped
sys.addaudithook(lambda event, args: None)            # a hook of the student's
print(json.dumps(report()))
"""


def test_the_probe_names_what_was_replaced_and_nothing_else():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout
    before, after = (json.loads(line) for line in out.strip().splitlines()[-2:])
    assert before == {"changed": [], "events": []}
    assert after["changed"] == ["numpy.zeros", "sys.modules[math]", "torch.Tensor.backward", "torch.tensor"]
    assert after["events"] == ["Exercise.judge.__code__ was reassigned", "sys.addaudithook was called"]
