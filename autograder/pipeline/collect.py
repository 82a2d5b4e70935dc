"""`python -m autograder collect PATH`: file an LMS export under submitted/<student>/<assignment>/.

Accepts a folder or a .zip, with files named `<student>_<chapter>.ipynb` (extra text around the names
is fine: `Jane Doe_jdoe_01_leaf_tensors_late.ipynb` is student `jdoe`... when the chapter name is found,
the student is the last word before it) or nested `<student>/<chapter>/<chapter>.ipynb`. A file that is
not a valid notebook is reported and skipped. Nothing already collected is replaced unless it is older
than the new file (a resubmission) or --force is given.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .course import Course, CourseError, write_atomic


@dataclass
class Report:
    collected: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


def _entries(path: Path):
    """(name, bytes, timestamp) for every .ipynb in a folder or a zip."""
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.filename.endswith(".ipynb") and not info.is_dir() and "__MACOSX" not in info.filename:
                    yield info.filename, zf.read(info), dt.datetime(*info.date_time, tzinfo=dt.timezone.utc)
    elif path.is_dir():
        for p in sorted(path.rglob("*.ipynb")):
            if ".ipynb_checkpoints" not in p.parts:
                mtime = dt.datetime.fromtimestamp(p.stat().st_mtime, dt.timezone.utc)
                yield str(p.relative_to(path)), p.read_bytes(), mtime
    else:
        raise CourseError(f"{path} is neither a folder nor a .zip file")


def match(name: str, assignments: list[str]) -> tuple[str, str] | None:
    """(student, assignment) from a file's path inside the export, or None."""
    parts = Path(name).parts
    if len(parts) >= 3 and parts[-2] in assignments and Path(parts[-1]).stem == parts[-2]:
        return parts[-3], parts[-2]
    stem = Path(name).stem
    for a in sorted(assignments, key=len, reverse=True):
        i = stem.find(a)
        if i > 0:
            words = [w for w in re.split(r"[^A-Za-z0-9.\-]+", stem[:i]) if w]
            if words:
                return words[-1], a
    return None


def collect(course: Course, path: Path, force: bool = False) -> Report:
    """Collect every notebook of an export; return what happened to each."""
    path = Path(path)
    assignments = course.assignments()
    report = Report()
    for name, data, stamp in _entries(path):
        found = match(name, assignments)
        if not found:
            report.unmatched.append(name)
            continue
        student, assignment = found
        try:
            nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))
        except Exception as err:
            report.invalid.append(f"{name} ({type(err).__name__})")
            continue
        folder = course.submitted / student / assignment
        target = folder / f"{course.notebooks(assignment)[0]}.ipynb"
        old = _timestamp(folder)
        label = f"{student}/{assignment}"
        if target.exists() and not force and (old is None or old >= stamp):
            report.kept.append(label)
            continue
        (report.replaced if target.exists() else report.collected).append(label)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data.decode("utf-8"))
        write_atomic(folder / "timestamp.txt", stamp.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    return report


def _timestamp(folder: Path) -> dt.datetime | None:
    try:
        text = (folder / "timestamp.txt").read_text().strip().replace(" UTC", "")
        return dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=dt.timezone.utc)
    except (OSError, ValueError):
        return None


def summary(report: Report) -> str:
    lines = [f"collected {len(report.collected)}, replaced by newer {len(report.replaced)}, "
             f"kept (already collected, not older) {len(report.kept)}"]
    for name in report.invalid:
        lines.append(f"  SKIPPED, not a valid notebook: {name}")
    for name in report.unmatched:
        lines.append(f"  SKIPPED, no known assignment in the name: {name}")
    if report.kept:
        lines.append("  (use --force to replace submissions that are already collected)")
    return "\n".join(lines)
