"""Make tests/course/harness.py importable as `harness` from the tests of this folder."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
