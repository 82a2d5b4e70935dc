"""collect: who a file belongs to, what it may not do, and what the instructor is told (no kernels)."""
from __future__ import annotations

import datetime as dt
import os
import resource
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.pipeline import collect
from autograder.pipeline.course import CourseError, open_course
from autograder.pipeline.demo import student_notebook, write_tiny_course
from autograder.pipeline.release import generate_release

A = "00_demo"


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    root = write_tiny_course(tmp_path_factory.mktemp("base"))
    generate_release(root)
    source = nbformat.read(root / "source" / A / f"{A}.ipynb", as_version=4)
    release = nbformat.read(root / "release" / A / f"{A}.ipynb", as_version=4)
    return student_notebook(source, release, {}), student_notebook(source, release, {"ex0_1": None})


@pytest.fixture
def course(tmp_path):
    root = write_tiny_course(tmp_path / "course")
    return open_course(root)


def make_zip(path: Path, files: dict, when=(2026, 1, 10, 12, 0, 0)) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=when)
            zf.writestr(info, text)
    return path


def students(course):
    return sorted(p.parent.parent.name for p in course.submitted.glob("*/*/*.ipynb"))


def test_flat_ids_keep_underscores_and_never_collapse(course, tmp_path, notebooks):
    blank, _ = notebooks
    rep = collect.collect(course, make_zip(tmp_path / "e.zip", {
        "export/jane_doe_00_demo.ipynb": blank, "export/john_doe_00_demo.ipynb": blank,
        "export/j.o.é 2_00_demo (1).ipynb": blank}))
    assert students(course) == ["j.o.é 2", "jane_doe", "john_doe"], collect.summary(rep)
    assert sorted(rep.collected) == ["j.o.é 2/00_demo", "jane_doe/00_demo", "john_doe/00_demo"]


def test_the_students_part_of_a_name_cannot_reach_another_student(course, tmp_path, notebooks):
    blank, solved = notebooks
    collect.collect(course, make_zip(tmp_path / "a.zip", {"victim_00_demo.ipynb": solved}))
    before = (course.submitted / "victim" / A / f"{A}.ipynb").read_text()
    # mallory uploads a file named victim_00_demo.ipynb: the LMS writes mallory_victim_00_demo.ipynb
    rep = collect.collect(course, make_zip(tmp_path / "b.zip", {"mallory_victim_00_demo.ipynb": blank},
                                           when=(2026, 2, 1, 0, 0, 0)))
    assert (course.submitted / "victim" / A / f"{A}.ipynb").read_text() == before
    assert rep.collected == ["mallory_victim/00_demo"]
    # with the roster, the LMS's part is the roster id the name starts with
    rep = collect.collect(course, make_zip(tmp_path / "c.zip", {"mallory_victim_00_demo.ipynb": blank},
                                           when=(2026, 2, 2, 0, 0, 0)), roster=["mallory", "victim"])
    assert rep.collected == ["mallory/00_demo"] and not rep.replaced
    assert (course.submitted / "victim" / A / f"{A}.ipynb").read_text() == before


def test_roster_reports_unknown_and_ambiguous_never_guesses(course, tmp_path, notebooks):
    blank, _ = notebooks
    roster = tmp_path / "class.csv"
    roster.write_text("Name,SIS Login ID\nJane,jane\nJane Doe,jane_doe\nKim,kim\n")
    ids = collect.load_roster(roster)
    assert ids == ["jane", "jane_doe", "kim"]
    rep = collect.collect(course, make_zip(tmp_path / "e.zip", {
        "jane_doe_00_demo.ipynb": blank, "kim_00_demo.ipynb": blank, "zed_00_demo.ipynb": blank}), roster=ids)
    reasons = {s.name: s.reason for s in rep.skipped}
    assert "ambiguous" in reasons["jane_doe_00_demo.ipynb"] and "jane, jane_doe" in reasons["jane_doe_00_demo.ipynb"]
    assert "no roster id" in reasons["zed_00_demo.ipynb"]
    assert students(course) == ["kim"]
    assert collect.course_roster(course) == ids  # kept for export and report


def test_lms_layouts(course, tmp_path, notebooks):
    blank, _ = notebooks
    exports = {
        "canvas": {"doejane_1234_5678901_00_demo.ipynb": blank,
                   "doejohn_LATE_1235_5678902_my work-00_demo.ipynb": blank},                 # late
        "moodle": {"José Ñúñez_77_assignsubmission_file_00_demo.ipynb": blank,                 # flat
                   "Ann Lee_78_assignsubmission_file_/Untitled 00_demo.ipynb": blank},         # folder
        "blackboard": {"00_demo_bob_smith_attempt_2026-01-05-09-30-00_00_demo.ipynb": blank,
                       "00_demo_bob_smith_attempt_2026-01-05-09-30-00.txt": "receipt"},
    }
    for name, files in exports.items():
        rep = collect.collect(course, make_zip(tmp_path / f"{name}.zip", files))
        assert f"layout: {name}" in collect.summary(rep)
    assert students(course) == ["1234", "1235", "77", "78", "bob_smith"], collect.summary(rep)
    stamp = (course.submitted / "bob_smith" / A / "timestamp.txt").read_text()
    assert stamp.startswith("2026-01-05 09:30:00")  # the time Blackboard wrote in the name


def test_configurable_pattern(course, tmp_path, notebooks):
    blank, _ = notebooks
    rep = collect.collect(course, make_zip(tmp_path / "e.zip", {"sub-[Ana María]-x.ipynb": blank}),
                          pattern=r"sub-\[(?P<student>[^\]]+)\]-.*\.ipynb", assignment=A)
    assert rep.collected == ["Ana María/00_demo"]
    with pytest.raises(CourseError, match="student"):
        collect.collect(course, tmp_path / "e.zip", pattern=r".*")


def test_unsafe_entries_are_refused_and_nothing_lands_outside(course, tmp_path, notebooks):
    blank, _ = notebooks
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../escape_00_demo.ipynb", blank)
        zf.writestr("/abs_00_demo.ipynb", blank)
        zf.writestr("./x/../dot_00_demo.ipynb", blank)
        zf.writestr("../../../tmp/00_demo/00_demo.ipynb", blank)
        link = zipfile.ZipInfo("link_00_demo.ipynb")
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "/etc/passwd")
        zf.writestr(".._00_demo.ipynb", blank)  # id '..'
        zf.writestr("ok_00_demo.ipynb", blank)
    before = {p for p in course.root.rglob("*") if p.is_file()}
    rep = collect.collect(course, archive)
    assert rep.collected == ["ok/00_demo"]
    reasons = {s.name: s.reason for s in rep.skipped}
    assert len(reasons) == 6, reasons
    assert all("refused" in r or "cannot" in r for r in reasons.values()), reasons
    written = {p for p in course.root.rglob("*") if p.is_file()} - before
    assert all(p.is_relative_to(course.submitted) or p.name == collect.LOG_FILE for p in written), written
    assert not (tmp_path / "escape_00_demo.ipynb").exists()


def test_folder_collect_does_not_follow_links(course, tmp_path, notebooks):
    blank, _ = notebooks
    export = tmp_path / "export"
    (export / "amy").mkdir(parents=True)
    (export / "amy" / "00_demo.ipynb").write_text(blank)
    os.symlink(course.source, export / "sneaky")                      # a folder link into source/
    os.symlink(course.source / A / f"{A}.ipynb", export / "amy" / "solutions_00_demo.ipynb")
    rep = collect.collect(course, export)
    assert rep.collected == ["amy/00_demo"], collect.summary(rep)
    reasons = {s.name: s.reason for s in rep.skipped}
    assert "symbolic link" in reasons["sneaky"] and "symbolic link" in reasons["amy/solutions_00_demo.ipynb"]
    assert "sneaky" not in students(course)


def test_zip_bomb_is_refused_before_it_is_read(course, tmp_path, notebooks):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("bomb_00_demo.ipynb", "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(1024):  # 1 GB of zeros, about 1 MB packed
                f.write(chunk)
    assert archive.stat().st_size < 2 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rep = collect.collect(course, archive)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert f"over the {collect.MAX_MB} MB limit" in rep.skipped[0].reason and "not read" in rep.skipped[0].reason
    assert grown_mb < 100 and not rep.collected


def test_invalid_file_is_kept_and_named(course, tmp_path):
    rep = collect.collect(course, make_zip(tmp_path / "e.zip", {"erin_00_demo.ipynb": '{"cells": [ broken'}))
    assert rep.invalid == ["erin_00_demo.ipynb (NotJSONError) -> erin/00_demo"]
    assert (course.submitted / "erin" / A / f"{A}.ipynb").read_text() == '{"cells": [ broken'
    assert collect.invalid_submissions(course) == ["erin/00_demo"]
    assert "INVALID" in collect.summary(rep)


def test_replacements_are_reported_with_both_times_and_never_older(course, tmp_path, notebooks):
    blank, solved = notebooks
    collect.collect(course, make_zip(tmp_path / "1.zip", {"amy_00_demo.ipynb": blank}, when=(2026, 1, 10, 12, 0, 0)))
    rep = collect.collect(course, make_zip(tmp_path / "2.zip", {"amy_00_demo.ipynb": solved},
                                           when=(2026, 1, 11, 8, 0, 0)))
    old, new = (collect.Stamp(dt.datetime(*when), zone_known=False).show()  # zip times without a zone
                for when in ((2026, 1, 10, 12, 0, 0), (2026, 1, 11, 8, 0, 0)))
    assert [(r.label, r.old, r.new) for r in rep.replaced] == [("amy/00_demo", old, new)]
    assert f"collected {old} -> now {new}" in collect.summary(rep)
    rep = collect.collect(
        course, make_zip(tmp_path / "3.zip", {"amy_00_demo.ipynb": blank}, when=(2026, 1, 9, 0, 0, 0))
    )
    assert rep.kept[0].why == "the collected one is newer" and not rep.replaced
    assert "--force" not in collect.summary(rep)  # never suggests replacing a newer one with an older one
    target = course.submitted / "amy" / A / f"{A}.ipynb"
    target.write_text(solved + " ")  # an instructor's fix survives a second collect of the same export
    rep = collect.collect(course, tmp_path / "2.zip")
    assert target.read_text().endswith(" ") and "--force" in collect.summary(rep)
    rep = collect.collect(course, tmp_path / "2.zip", force=True)
    assert rep.replaced[0].forced and not target.read_text().endswith(" ")


def test_two_files_of_one_student_never_land_in_one_folder(course, tmp_path, notebooks):
    blank, solved = notebooks
    export = tmp_path / "export"
    (export / "bo").mkdir(parents=True)
    (export / "bo" / "00_demo.ipynb").write_text(blank)
    (export / "bo" / "00_demo copy.ipynb").write_text(solved)
    os.utime(export / "bo" / "00_demo.ipynb", (1e9, 1e9))
    (export / "cy").mkdir()
    for name in ("00_demo.ipynb", "00_demo (2).ipynb"):
        (export / "cy" / name).write_text(blank if "2" in name else solved)
        os.utime(export / "cy" / name, (1e9, 1e9))
    rep = collect.collect(course, export)
    assert rep.collected == ["bo/00_demo"]
    assert (course.submitted / "bo" / A / f"{A}.ipynb").read_text() == solved  # the newer one
    reasons = {s.name: s.reason for s in rep.skipped}
    assert "older file" in reasons["bo/00_demo.ipynb"]
    assert "same time" in reasons["cy/00_demo.ipynb"] and "same time" in reasons["cy/00_demo (2).ipynb"]
    assert "cy" not in students(course)


def test_bad_paths_say_what_to_give(course, tmp_path):
    with pytest.raises(CourseError, match="no such file or folder"):
        collect.collect(course, tmp_path / "missing.zip")
    (tmp_path / "x.txt").write_text("hi")
    with pytest.raises(CourseError, match="neither a folder nor a .zip"):
        collect.collect(course, tmp_path / "x.txt")
