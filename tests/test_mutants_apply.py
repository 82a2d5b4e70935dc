"""The hand-written mutants of ``make mutation`` still fit the code they mutate.

A mutant whose text is no longer in its file is skipped by the mutation run ("stale"), so the bug it
stands for would silently stop being checked when the code around it changes.
"""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "mutation"))
import plausible  # noqa: E402

MUTANTS = [(area, *m) for area, mutants in plausible.AREAS.items() for m in mutants]


@pytest.mark.parametrize(("area", "path", "old", "new", "what"), MUTANTS,
                         ids=[f"{m[0]}: {m[4]}" for m in MUTANTS])
def test_mutant_applies_exactly_once(area, path, old, new, what):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        source = f.read()
    assert source.count(old) == 1, f"{path} no longer has the text that '{what}' changes"
    assert new != old
