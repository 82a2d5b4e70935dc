"""Mutation testing: change the code a little, run the tests, count the changes they catch.

    python tests/mutation/run.py minigrad [--generated 40] [--seed 0] [--jobs 2]

For an area (minigrad, or autograder: the checks and the judge), two kinds of mutants:

* plausible bugs written by hand (tests/mutation/plausible.py), e.g. a grad-mode block that
  restores True instead of the previous mode;
* generated ones: one small change to one line of the area's files (a comparison flipped,
  ``+`` for ``-``, ``and`` for ``or``, True for False, a number off by one), drawn at random.

Each mutant runs in its own copy of the repository, so the work tree is never touched. A mutant
is *killed* when the area's tests fail. The kill rate and every survivor (file, line, change)
are printed; a survivor is a missing test, or a change that cannot matter (an equivalent
mutant), which the report must say.
"""
import argparse
import ast
import concurrent.futures
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plausible  # noqa: E402

AREAS = {
    "minigrad": {
        "files": ["minigrad/autograd/engine.py", "minigrad/autograd/function.py",
                  "minigrad/autograd/graph.py", "minigrad/autograd/views.py",
                  "minigrad/autograd/grad_mode.py", "minigrad/ops/arithmetic.py",
                  "minigrad/ops/elementwise.py", "minigrad/ops/reductions.py",
                  "minigrad/ops/shape.py", "minigrad/ops/indexing.py", "minigrad/ops/inplace.py",
                  "minigrad/ops/util.py"],
        "tests": ["tests/minigrad", "-x", "-q", "-n", "2", "-p", "no:cacheprovider"],
        "copy": ["minigrad", "tests/minigrad", "pyproject.toml"],
    },
    # the checks: what decides a grade and what a student reads. A chapter's module is tested by its
    # answer catalog (in-process: fast); the machinery by its unit tests and every catalog.
    "autograder": {
        "files": ["autograder/exercises/expect.py", "autograder/exercises/values.py",
                  "autograder/exercises/base.py", "autograder/judge/__init__.py", "autograder/cells.py",
                  *[f"autograder/exercises/ch0{n}.py" for n in range(1, 8)]],
        "tests": ["tests/course/test_checks.py", "tests/course/test_catalog_fast.py", "-x", "-q", "-n", "2",
                  "-p", "no:cacheprovider"],
        "tests_for_chapter": ["tests/course/test_catalog_fast.py", "-x", "-q", "-n", "2", "-p", "no:cacheprovider",
                              "-k", "ex{n}_"],
        "copy": ["autograder", "minigrad", "tests/course", "course/source", "pyproject.toml"],
    },
}

SWAPS = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE,
         ast.LtE: ast.Gt, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In,
         ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
         ast.And: ast.Or, ast.Or: ast.And}


def generated_mutants(area, count, seed):
    """``count`` one-change mutants of the area's files, drawn at random (same seed, same draw)."""
    candidates = []
    for path in AREAS[area]["files"]:
        source = open(os.path.join(ROOT, path)).read()
        tree = ast.parse(source)
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                      and isinstance(n.body[0], ast.Expr)}
        for node in ast.walk(tree):
            for kind in _changes(node, docstrings):
                candidates.append((path, node.lineno, kind, node))
    random.Random(seed).shuffle(candidates)
    return [(path, lineno, kind) for path, lineno, kind, _ in candidates[:count]]


def _changes(node, docstrings):
    if isinstance(node, ast.Compare) and type(node.ops[0]) in SWAPS:
        yield "compare"
    elif isinstance(node, ast.BinOp) and type(node.op) in SWAPS:
        yield "binop"
    elif isinstance(node, ast.BoolOp):
        yield "boolop"
    elif isinstance(node, ast.Constant) and id(node) not in docstrings:
        if isinstance(node.value, bool):
            yield "bool"
        elif isinstance(node.value, int) and not isinstance(node.value, bool):
            yield "number"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "not"


def apply_generated(source, lineno, kind):
    """The source with the first ``kind`` change on line ``lineno`` made (None if none fits)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) != lineno:
            continue
        if kind == "compare" and isinstance(node, ast.Compare) and type(node.ops[0]) in SWAPS:
            node.ops[0] = SWAPS[type(node.ops[0])]()
        elif kind == "binop" and isinstance(node, ast.BinOp) and type(node.op) in SWAPS:
            node.op = SWAPS[type(node.op)]()
        elif kind == "boolop" and isinstance(node, ast.BoolOp):
            node.op = SWAPS[type(node.op)]()
        elif kind == "bool" and isinstance(node, ast.Constant) and isinstance(node.value, bool):
            node.value = not node.value
        elif kind == "number" and isinstance(node, ast.Constant) and type(node.value) is int:
            node.value += 1
        elif kind == "not" and isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            node.op = ast.UAdd()
            node.operand = ast.Call(ast.Name("bool", ast.Load()), [node.operand], [])
        else:
            continue
        return ast.unparse(tree)
    return None


def run_mutant(area, mutant):
    """(killed?, description) for one mutant, in a fresh copy of the area."""
    spec = AREAS[area]
    with tempfile.TemporaryDirectory(prefix="mutant-") as work:
        for item in spec["copy"]:
            src, dst = os.path.join(ROOT, item), os.path.join(work, item)
            if os.path.isdir(src):
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy(src, dst)
        path = os.path.join(work, mutant["file"])
        source = open(path).read()
        if mutant["kind"] == "plausible":
            if source.count(mutant["old"]) != 1:
                return None, f"stale: the text of '{mutant['what']}' is not in {mutant['file']}"
            mutated = source.replace(mutant["old"], mutant["new"])
        else:
            mutated = apply_generated(source, mutant["line"], mutant["kind"])
            if mutated is None:
                return None, "no change applies"
        open(path, "w").write(mutated)
        env = dict(os.environ, PYTHONPATH=work, PYTHONDONTWRITEBYTECODE="1")
        tests = spec["tests"]
        chapter = os.path.basename(mutant["file"])
        if "tests_for_chapter" in spec and chapter.startswith("ch0"):  # its own catalog is enough
            tests = [t.format(n=chapter[3]) for t in spec["tests_for_chapter"]]
        result = subprocess.run([sys.executable, "-m", "pytest", *tests], cwd=work, env=env,
                                capture_output=True, text=True, timeout=1800)
        return result.returncode != 0, None


def describe(m):
    if m["kind"] == "plausible":
        return f"{m['file']}: {m['what']}"
    return f"{m['file']}:{m['line']}: {m['kind']} changed"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("area", choices=sorted(AREAS))
    ap.add_argument("--generated", type=int, default=40, help="how many generated mutants")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()

    mutants = [dict(kind="plausible", file=f, old=old, new=new, what=what)
               for f, old, new, what in plausible.AREAS.get(args.area, [])]
    mutants += [dict(kind=kind, file=f, line=line)
                for f, line, kind in generated_mutants(args.area, args.generated, args.seed)]
    killed, survivors, skipped = 0, [], []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_mutant, args.area, m): m for m in mutants}
        for future in concurrent.futures.as_completed(futures):
            m = futures[future]
            dead, why = future.result()
            if dead is None:
                skipped.append(f"{describe(m)} ({why})")
            elif dead:
                killed += 1
            else:
                survivors.append(describe(m))
            print(("killed   " if dead else "SURVIVED " if dead is False else "skipped  ") + describe(m),
                  flush=True)
    tried = killed + len(survivors)
    print(f"\n{args.area}: {killed} of {tried} mutants killed ({100 * killed / max(tried, 1):.0f}%), "
          f"{len(skipped)} skipped")
    for s in survivors:
        print("  survivor:", s)
    for s in skipped:
        print("  skipped:", s)


if __name__ == "__main__":
    main()
