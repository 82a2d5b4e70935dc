"""collect, as the audit of issue 15 found it: hijacks through the student's part of a name, rosters,
encodings, limits, times of unknown zone, one student's folder, --assignment, exit status and output.

Every export is built here, in tmp_path, the way the LMS writes it; the real collect (and the real
command line) files it. No kernel is started.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder import i18n
from autograder.pipeline import cli, collect, ui
from autograder.pipeline.course import CourseError, open_course
from autograder.pipeline.demo import write_tiny_course

CH1, CH2 = "01_leaf_tensors", "02_backward"


def nbtext(tag: str) -> str:
    """A valid notebook that says whose it is."""
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = {tag!r}")]))


def make_course(root: Path):
    for name in (CH1, CH2):
        write_tiny_course(root, name)
    return open_course(root)


@pytest.fixture
def course(tmp_path):
    return make_course(tmp_path / "course")


def make_zip(path: Path, files: dict, when=(2024, 5, 1, 12, 0, 0), extra: bytes = b"") -> Path:
    """``files``: {name: text} or {name: (text, date_time)}; ``extra``: each entry's extra field."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            text, stamp = text if isinstance(text, tuple) else (text, when)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.extra = extra
            zf.writestr(info, text)
    return path


def utc_extra(when: dt.datetime) -> bytes:
    """The extended-timestamp extra field (0x5455) of a UTC time, as Info-ZIP writes it."""
    seconds = int(when.replace(tzinfo=dt.timezone.utc).timestamp())
    return struct.pack("<HHBi", 0x5455, 5, 1, seconds)


def filed(course) -> dict[str, str]:
    """{student/assignment: the tag of the notebook filed there}."""
    out = {}
    for path in sorted(course.submitted.glob("*/*/*.ipynb")):
        if not path.parent.parent.name.startswith("."):
            text = path.read_text(encoding="utf-8")
            out[f"{path.parent.parent.name}/{path.parent.name}"] = (
                nbformat.reads(text, as_version=4).cells[0].source.split("'")[1] if text.startswith("{\n") else text)
    return out


def reasons(report) -> dict[str, str]:
    return {s.name: s.reason for s in report.skipped}


# ---------------------------------------------------------------- 1. the student's part never decides whose

T0, T1 = (2024, 5, 1, 12, 0, 0), (2024, 5, 1, 13, 0, 0)
HIJACKS = {
    # name: (files {name: (whose, zip time)}, roster, layout): the audit's exports
    "moodle folder": ({"Jane Doe_77_assignsubmission_file_/02_backward.ipynb": ("77", T0),
                       "Evil Guy_78_assignsubmission_file_/x_77_12345_02_backward.ipynb": ("78", T1)}, None, "auto"),
    "nested": ({"victim/02_backward/02_backward.ipynb": ("victim", T0),
                "attacker/02_backward/02_backward_victim_attempt_2099-01-01-00-00-00_x.ipynb": ("attacker", T0)},
               None, "auto"),
    "flat with a roster": ({"20231234_02_backward.ipynb": ("20231234", T0),
                            "bob_20231234_0000_02_backward.ipynb": ("bob", T1)}, ["20231234", "bob"], "flat"),
    "blackboard with a roster": (
        {"02_backward_victim_attempt_2024-05-01-10-00-00_02_backward.ipynb": ("victim", T0),
         "02_backward_bob_attempt_2024-05-01-09-00-00_victim_attempt_2099-01-01-00-00-00_02_backward.ipynb":
             ("bob", T0)}, ["victim", "bob"], "auto"),
    "blackboard without a roster": (
        {"02_backward_victim_attempt_2024-05-01-10-00-00_02_backward.ipynb": ("victim", T0),
         "02_backward_bob_attempt_2024-05-01-09-00-00_victim_attempt_2099-01-01-00-00-00_02_backward.ipynb":
             ("bob", T0)}, None, "auto"),
    "folders": ({"victim/02_backward.ipynb": ("victim", T0),
                 "attacker/aa_55555_12345_02_backward.ipynb": ("attacker", T0)}, None, "auto"),
}


@pytest.mark.parametrize("case", HIJACKS)
def test_the_audits_hijacks_are_filed_under_the_uploader(course, tmp_path, case):
    files, roster, layout = HIJACKS[case]
    archive = make_zip(tmp_path / "e.zip", {name: (nbtext(tag), when) for name, (tag, when) in files.items()})
    rep = collect.collect(course, archive, roster=roster, layout=layout)
    expected = {f"{tag}/{CH2}": tag for tag, _when in files.values()}
    assert filed(course) == expected, collect.summary(rep)
    assert not rep.skipped and not rep.kept


def test_a_flat_upload_named_like_canvas_makes_auto_stop_and_ask(course, tmp_path):
    files, roster, _layout = HIJACKS["flat with a roster"]
    archive = make_zip(tmp_path / "e.zip", {name: (nbtext(tag), when) for name, (tag, when) in files.items()})
    with pytest.raises(CourseError, match=r"canvas fits 1 of 2 files .*--layout"):
        collect.collect(course, archive, roster=roster)
    assert filed(course) == {} and not (course.root / collect.ROSTER_FILE).exists()


def test_a_mixed_export_stops_before_anything_is_written(course, tmp_path):
    archive = make_zip(tmp_path / "e.zip", {"doejane_12345_678901_02_backward.ipynb": nbtext("a"),
                                            "Jane Doe_77_assignsubmission_file_02_backward.ipynb": nbtext("b")})
    with pytest.raises(CourseError) as stop:
        collect.collect(course, archive)
    assert "moodle fits 1 of 2" in str(stop.value) and "canvas fits 1 of 2" in str(stop.value)
    assert filed(course) == {}


# the student-chosen part of a name: anything, and in particular what another layout reads
TOKENS = st.sampled_from(["victim", "bob", "77", "20231234", "_", "-", " ", "x", "_attempt_",
                          "_attempt_2099-01-01-00-00-00", "2099-01-01-00-00-00", "_assignsubmission_file_",
                          "_onlinetext_", "_77_12345_", "_LATE", "Participant 77", CH1, CH2, ".ipynb", ".pdf", "é"])


def uploads(ids: tuple[str, ...], folders: bool):
    """Names a student may give their upload: pieces of words, tokens, and whole names of another layout
    that carry another student's id (``ids``); with ``folders``, folders inside the upload too."""
    mimics = [m for i in ids for m in (f"x_{i}_12345_{CH2}.ipynb", f"X Y_{i}_assignsubmission_file_{CH2}.ipynb",
                                       f"{CH2}_{i}_attempt_2099-01-01-00-00-00_{CH2}.ipynb",
                                       f"{i}_attempt_2099-01-01-00-00-00_{CH2}.ipynb", f"{i}_{CH2}.ipynb")]
    piece = st.one_of(TOKENS, st.text("ab_9 .", min_size=1, max_size=3), st.sampled_from(mimics))
    name = st.lists(piece, min_size=1, max_size=4).map("".join)
    if not folders:
        return name
    paths = [p for i in ids for p in (f"{i}/{CH2}/{CH2}.ipynb", f"{i}/{CH2}.ipynb")]
    return st.one_of(name, st.sampled_from(paths), st.lists(name, min_size=2, max_size=3).map("/".join))


# layout: (students: victim, attacker, bystander; their names in the export given the upload; roster; folders ok)
LMS = {
    "canvas": (("77", "78", "79"), lambda s, up: f"doe{s}_{s}_5{s}01_{up}", None, False),
    "moodle": (("77", "78", "79"), lambda s, up: f"Pat Doe_{s}_assignsubmission_file_{up}", None, False),
    "moodle folder": (("77", "78", "79"), lambda s, up: f"Pat Doe_{s}_assignsubmission_file_/{up}", None, True),
    "blackboard": (("victim", "bob", "jane.doe"),
                   lambda s, up: f"{CH2}_{s}_attempt_2024-05-01-10-00-00_{up}", None, False),
    "blackboard, titled": (("victim", "bob_smith", "jane.doe"),
                           lambda s, up: f"Homework 2_{s}_attempt_2024-05-01-10-00-00_{up}",
                           ["victim", "bob_smith", "jane.doe"], False),
    "nested": (("victim", "bob", "Zoë Li"), lambda s, up: f"submitted/{s}/{CH2}/{up}", None, True),
    "folders": (("victim", "bob", "Zoë Li"), lambda s, up: f"export/{s}/{up}", None, True),
    "flat": (("victim", "bob", "20231234"), lambda s, up: f"{s}_{up}", ["victim", "bob", "20231234"], False),
}


@pytest.fixture(scope="module")
def shared_course(tmp_path_factory):
    return make_course(tmp_path_factory.mktemp("shared") / "course")


@pytest.mark.parametrize("layout", LMS)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_upload_name_changes_whose_file_it_is(shared_course, layout, data):
    (victim, attacker, bystander), name, roster, folders = LMS[layout]
    upload = data.draw(uploads((victim, bystander), folders), label="upload")
    files = {name(victim, f"{CH2}.ipynb"): (nbtext(victim), (2024, 5, 1, 12, 0, 0)),
             name(bystander, f"{CH2}.ipynb"): (nbtext(bystander), (2024, 5, 1, 12, 0, 0)),
             name(attacker, upload): (nbtext(attacker), (2030, 1, 1, 0, 0, 0))}  # newer: would win
    course = shared_course
    shutil.rmtree(course.submitted, ignore_errors=True)
    (course.root / collect.ROSTER_FILE).unlink(missing_ok=True)  # an earlier example's
    with tempfile.TemporaryDirectory() as tmp:
        archive = make_zip(Path(tmp) / "e.zip", files)
        try:
            rep = collect.collect(course, archive, roster=roster)
        except CourseError:  # auto may stop and ask, only where the LMS writes no mark of its own
            assert layout in ("flat", "folders")
            rep = collect.collect(course, archive, roster=roster, layout=layout)
    out = filed(course)
    assert out[f"{victim}/{CH2}"] == victim and out[f"{bystander}/{CH2}"] == bystander, collect.summary(rep)
    assert all(folder.split("/")[0] == tag for folder, tag in out.items()), out  # the attacker's file: theirs, or none


# ---------------------------------------------------------------- 2. the roster's column

CANVAS_GRADEBOOK = ('Student,ID,SIS User ID,SIS Login ID,Section,Assignment 2 (678)\n'
                    '    Points Possible,,,,,10\n'
                    '"Doe, Jane",12345,S001,jdoe,Sec1,\n'
                    '"Doe, John",23456,S002,jdoe2,Sec1,\n'
                    '"Smith, Bob",34567,S004,bsmith,Sec1,\n'
                    '"Never, Submitted",99999,S006,nn,Sec1,\n')
CANVAS_EXPORT = {"doejane_12345_678901_02_backward.ipynb": nbtext("12345"),
                 "doejohn_LATE_23456_678902_02_backward.ipynb": nbtext("23456"),
                 "smithbob_34567_678904_my_cool_victim_02_backward.ipynb": nbtext("34567")}


def test_a_canvas_gradebook_is_read_by_its_id_column(course, tmp_path):
    (tmp_path / "grades.csv").write_text(CANVAS_GRADEBOOK)
    roster = collect.RosterFile.read(tmp_path / "grades.csv")
    rep = collect.collect(course, make_zip(tmp_path / "e.zip", CANVAS_EXPORT), roster=roster)
    assert filed(course) == {f"{i}/{CH2}": i for i in ("12345", "23456", "34567")}
    assert "column 'ID'" in collect.summary(rep)
    assert collect.course_roster(course) == roster.ids("ID")  # 4 students, no "Points Possible"
    assert "Points Possible" not in roster.ids("Student")


def test_moodle_participants_match_the_worksheets_identifier(course, tmp_path):
    (tmp_path / "ws.csv").write_text('Identifier,"Full name","Email address",Status,Grade\n'
                                     '"Participant 77","Jane Doe",jane@x,"Submitted for grading",\n'
                                     '"Participant 78","John Doe",john@x,"Submitted for grading",\n')
    export = {f"{n}_{i}_assignsubmission_file_02_backward.ipynb": nbtext(i) for n, i in (("Jane Doe", "77"),
                                                                                       ("John Doe", "78"))}
    rep = collect.collect(course, make_zip(tmp_path / "e.zip", export),
                          roster=collect.RosterFile.read(tmp_path / "ws.csv"))
    assert filed(course) == {"77/02_backward": "77", "78/02_backward": "78"}
    assert "column 'Identifier'" in collect.summary(rep)


def test_a_roster_that_matches_nobody_stops_and_keeps_the_saved_one(course, tmp_path, capsys):
    (tmp_path / "grades.csv").write_text(CANVAS_GRADEBOOK)
    saved = course.root / collect.ROSTER_FILE
    saved.write_text("student\n12345\n")
    make_zip(tmp_path / "e.zip", CANVAS_EXPORT)
    code = cli.main(["collect", str(tmp_path / "e.zip"), "--course", str(course.root),
                     "--roster", str(tmp_path / "grades.csv"), "--roster-column", "SIS Login ID"])
    err = capsys.readouterr().err
    assert code == 2 and "wrong column" in err and "'jdoe'" in err and "'12345'" in err
    assert saved.read_text() == "student\n12345\n" and filed(course) == {}


# ---------------------------------------------------------------- 3, 4. names: NFD, encodings

def test_nfd_and_nfc_ids_are_one_student(course, tmp_path):
    nfc, nfd = "zo\u00eb", "zoe\u0308"
    archive = make_zip(tmp_path / "e.zip", {f"{nfd}_02_backward.ipynb": (nbtext("old"), (2024, 5, 1, 0, 0, 0)),
                                            f"{nfc}_02_backward.ipynb": (nbtext("new"), (2024, 5, 2, 0, 0, 0))})
    rep = collect.collect(course, archive, roster=[nfc])
    assert filed(course) == {f"{nfc}/02_backward": "new"}, collect.summary(rep)
    assert "older file" in reasons(rep)[f"{nfc}_02_backward.ipynb"]


def gbk_zip(path: Path, files: dict[str, str]) -> Path:
    """A zip whose names are GBK bytes without the UTF-8 flag, as Chinese Windows' zip tools write them."""
    names = {}
    with zipfile.ZipFile(path, "w") as zf:
        for i, (name, text) in enumerate(files.items()):
            raw = name.encode("gbk")
            placeholder = f"#{i}#".ljust(len(raw), "#").encode()
            names[placeholder] = raw
            zf.writestr(zipfile.ZipInfo(placeholder.decode(), (2024, 5, 1, 0, 0, 0)), text)
    data = path.read_bytes()
    for placeholder, raw in names.items():
        data = data.replace(placeholder, raw)  # in the local header and the central directory
    path.write_bytes(data)
    return path


def test_gbk_names_read_with_zip_encoding(course, tmp_path, capsys):
    archive = gbk_zip(tmp_path / "e.zip", {"王小明_02_backward.ipynb": nbtext("wang"),
                                          "李小红_02_backward.ipynb": nbtext("li")})
    rep = collect.collect(course, archive)
    assert "--zip-encoding gbk" in collect.summary(rep) and "2 names" in collect.summary(rep)
    shutil.rmtree(course.submitted)
    code = cli.main(["collect", str(archive), "--course", str(course.root), "--zip-encoding", "gbk"])
    assert code == 0, capsys.readouterr()
    assert filed(course) == {"王小明/02_backward": "wang", "李小红/02_backward": "li"}
    assert cli.main(["collect", str(archive), "--course", str(course.root), "--zip-encoding", "nope"]) == 2


# ---------------------------------------------------------------- 5. limits

def test_limits_are_checked_before_anything_is_read_or_written(course, tmp_path):
    big = {"cells": [], "metadata": {"pad": "x" * (600 << 10)}, "nbformat": 4, "nbformat_minor": 5}
    archive = make_zip(tmp_path / "e.zip", {f"s{i}_02_backward.ipynb": json.dumps(big) for i in range(3)})
    with pytest.raises(CourseError, match=r"would write 1\.8 MB .* over the 1 MB limit"):
        collect.collect(course, archive, max_total_mb=1)
    assert not course.submitted.exists()
    rep = collect.collect(course, archive, max_total_mb=2)
    assert len(rep.collected) == 3


def test_nbformat_warnings_are_counted_never_printed(course, tmp_path):
    cell = {"cell_type": "code", "id": "same", "metadata": {}, "source": "x", "outputs": [], "execution_count": None}
    many = {"cells": [cell] * (collect.VALIDATED_CELLS + 1), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    broken = dict(many, cells=[cell] * 3 + [{"cell_type": "bogus", "id": "b", "metadata": {}, "source": ""}])
    archive = make_zip(tmp_path / "e.zip", {"ann_02_backward.ipynb": json.dumps(many),
                                            "bo_02_backward.ipynb": json.dumps(broken)})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rep = collect.collect(course, archive)
    assert not [w for w in caught if "nbformat" in type(w.message).__module__], caught[:3]
    assert sorted(rep.collected) == ["ann/02_backward", "bo/02_backward"]
    assert len(rep.invalid) == 1 and "bo_02_backward.ipynb (NotebookValidationError; " in rep.invalid[0]
    assert "nbformat warnings" in rep.invalid[0]


# ---------------------------------------------------------------- 6. uploads with another extension

def test_a_file_with_another_extension_is_kept_as_an_invalid_submission(course, tmp_path):
    archive = make_zip(tmp_path / "e.zip", {
        "doejane_12345_678901_02_backward.ipynb.txt": "{}x",
        "smithbob_34567_678904_02_backward.pdf": "%PDF",
        "leeann_45678_678906_02_backward.ipynb": nbtext("45678"),
        "leeann_45678_678907_02_backward.pdf": "%PDF",
        "kimjo_56789_678908_notes.pdf": "%PDF"})
    rep = collect.collect(course, archive)
    assert filed(course) == {"12345/02_backward": "{}x", "34567/02_backward": "%PDF", "45678/02_backward": "45678"}
    assert collect.invalid_submissions(course) == ["12345/02_backward", "34567/02_backward"]
    assert sorted(i.split(" -> ")[1] for i in rep.invalid) == ["12345/02_backward", "34567/02_backward"]
    why = reasons(rep)
    assert "has a notebook in this export" in why["leeann_45678_678907_02_backward.pdf"]
    assert "names no assignment" in why["kimjo_56789_678908_notes.pdf"]


# ---------------------------------------------------------------- 7. times of unknown zone

def test_a_zip_times_zone_never_decides_silently(course, tmp_path):
    true_time = dt.datetime(2024, 5, 1, 12, 0, 0)  # UTC: when alice's collected file was handed in
    folder = tmp_path / "first"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "02_backward.ipynb").write_text(nbtext("first"))
    epoch = true_time.replace(tzinfo=dt.timezone.utc).timestamp()
    os.utime(folder / "alice" / "02_backward.ipynb", (epoch, epoch))
    collect.collect(course, folder)
    older = true_time - dt.timedelta(hours=2)
    shanghai = (older + dt.timedelta(hours=8)).timetuple()[:6]  # what a zip made in Shanghai says: 6 h "newer"
    plain = make_zip(tmp_path / "plain.zip", {"alice/02_backward.ipynb": nbtext("older")}, when=shanghai)
    rep = collect.collect(course, plain)
    assert filed(course) == {"alice/02_backward": "first"} and not rep.replaced
    assert "cannot be told" in rep.kept[0].why and "--force" in collect.summary(rep)
    rep = collect.collect(course, plain, zip_timezone="Asia/Shanghai")
    assert rep.kept[0].why == "the collected one is newer" and "--force" not in collect.summary(rep)
    marked = make_zip(tmp_path / "marked.zip", {"alice/02_backward.ipynb": nbtext("older")}, when=shanghai,
                      extra=utc_extra(older))
    rep = collect.collect(course, marked)
    assert rep.kept[0].why == "the collected one is newer" and rep.kept[0].new == collect.Stamp(older).show()
    later = (true_time + dt.timedelta(hours=20)).timetuple()[:6]
    rep = collect.collect(course, make_zip(tmp_path / "later.zip", {"alice/02_backward.ipynb": nbtext("later")},
                                           when=later))
    assert filed(course) == {"alice/02_backward": "later"} and rep.replaced[0].old == collect.Stamp(true_time).show()


def test_collect_help_says_where_times_come_from(capsys):
    with pytest.raises(SystemExit):
        cli.main(["collect", "--help"])
    out = capsys.readouterr().out
    assert "0x5455" in out and "--zip-timezone" in out and "--zip-encoding" in out and "--max-total-mb" in out


# ---------------------------------------------------------------- 8, 9. one student's folder; --assignment

def test_an_export_of_one_students_folder(course, tmp_path):
    (tmp_path / "late" / "alice").mkdir(parents=True)
    (tmp_path / "late" / "alice" / "01_leaf_tensors.ipynb").write_text(nbtext("alice"))
    for layout in ("auto", "folders"):
        shutil.rmtree(course.submitted, ignore_errors=True)
        rep = collect.collect(course, tmp_path / "late", roster=["alice"], layout=layout)
        assert rep.collected == ["alice/01_leaf_tensors"], collect.summary(rep)
    shutil.rmtree(course.submitted)
    archive = make_zip(tmp_path / "late.zip", {"late/alice/01_leaf_tensors.ipynb": nbtext("alice")})
    assert collect.collect(course, archive).collected == ["alice/01_leaf_tensors"]


def test_assignment_filters_and_labels_only_names_without_one(course, tmp_path):
    archive = make_zip(tmp_path / "mixed.zip", {"alice_01_leaf_tensors.ipynb": (nbtext("one"), (2024, 5, 1, 0, 0, 0)),
                                                "alice_02_backward.ipynb": (nbtext("two"), (2024, 5, 8, 0, 0, 0))})
    rep = collect.collect(course, archive, assignment=CH1)
    assert filed(course) == {"alice/01_leaf_tensors": "one"}
    assert "not of --assignment 01_leaf_tensors" in reasons(rep)["alice_02_backward.ipynb"]
    (tmp_path / "plain" / "bo").mkdir(parents=True)
    (tmp_path / "plain" / "bo" / "my work.ipynb").write_text(nbtext("bo"))
    assert collect.collect(course, tmp_path / "plain", assignment=CH2).collected == ["bo/02_backward"]


# ---------------------------------------------------------------- 10, 11, 12, 13. what collect says

def test_exit_status_says_whether_anything_was_collected(course, tmp_path, capsys):
    junk = make_zip(tmp_path / "junk.zip", {"readme.txt": "hi", "__MACOSX/._x": "meta"})
    assert cli.main(["collect", str(junk), "--course", str(course.root)]) == 1
    assert "nothing collected: every one of the 2 files" in capsys.readouterr().err
    good = make_zip(tmp_path / "good.zip", {"ann_02_backward.ipynb": nbtext("ann")})
    assert cli.main(["collect", str(good), "--course", str(course.root)]) == 0
    assert cli.main(["collect", str(good), "--course", str(course.root)]) == 0  # unchanged is not a failure


def test_unchanged_files_are_one_count(course, tmp_path):
    names = [f"s{i:03d}" for i in range(30)]
    archive = make_zip(tmp_path / "e.zip", {f"{s}_02_backward.ipynb": nbtext(s) for s in names})
    collect.collect(course, archive)
    text = collect.summary(collect.collect(course, archive))
    assert f"unchanged {len(names)}" in text and len(text.splitlines()) < 5, text
    assert not any(s in text for s in names)


def test_receipts_of_every_attempt_are_one_line(course, tmp_path):
    files = {}
    for s in ("ann", "bo", "cy", "di"):
        files[f"{CH2}_{s}_attempt_2024-05-01-10-00-00_{CH2}.ipynb"] = nbtext(s)
        files[f"{CH2}_{s}_attempt_2024-05-01-10-00-00.txt"] = "Blackboard's receipt"
    rep = collect.collect(course, make_zip(tmp_path / "bb.zip", files))
    text = collect.summary(rep)
    assert len(rep.collected) == 4 and len(rep.skipped) == 4
    assert "SKIPPED 4 files: Blackboard's submission receipt" in text and text.count("SKIPPED") == 1, text


def test_replacements_are_worded_backed_up_and_logged(course, tmp_path):
    times = [dt.datetime(2026, 1, d, 12, 0, 0) for d in (10, 11, 9)]
    zips = [make_zip(tmp_path / f"{i}.zip", {"amy_02_backward.ipynb": nbtext(f"v{i}")},
                     extra=utc_extra(t)) for i, t in enumerate(times)]
    collect.collect(course, zips[0])
    rep = collect.collect(course, zips[1])
    assert "replaced 1," in collect.summary(rep) and "replaced by a newer submission" in collect.summary(rep)
    rep = collect.collect(course, zips[2], force=True)
    text = collect.summary(rep)
    assert "replaced (--force) by an OLDER submission" in text and "replaced by a newer" not in text
    backups = sorted(course.submitted.glob(f"{collect.REPLACED_DIR}/amy/02_backward/*/02_backward.ipynb"))
    assert [filed_tag(p) for p in backups] == ["v0", "v1"]
    assert all(r.backup in text for r in rep.replaced)
    assert course.students() == ["amy"] and filed(course) == {"amy/02_backward": "v2"}
    log = [json.loads(line) for line in (course.root / collect.LOG_FILE).read_text().splitlines()]
    last = [entry for entry in log if entry.get("action") == "replaced"][-1]
    assert (last["previous_timestamp"], last["timestamp"]) == (collect.Stamp(times[1]).text(),
                                                               collect.Stamp(times[2]).text())


def filed_tag(path: Path) -> str:
    return nbformat.read(path, as_version=4).cells[0].source.split("'")[1]


def test_counts_agree_with_their_nouns(course, tmp_path):
    assert ui.plural(1, i18n.N_("{n} student"), i18n.N_("{n} students")) == "1 student"
    assert ui.plural(2, i18n.N_("{n} student"), i18n.N_("{n} students")) == "2 students"
    rep = collect.collect(course, make_zip(tmp_path / "e.zip", {"ann_02_backward.ipynb": nbtext("ann")}),
                          roster=["ann"])
    text = collect.summary(rep)
    assert "(1 student," in text and "1 file)" in text and "1 students" not in text and "1 files" not in text


def test_the_command_line_collects_a_canvas_export_with_its_gradebook(course, tmp_path):
    (tmp_path / "grades.csv").write_text(CANVAS_GRADEBOOK)
    make_zip(tmp_path / "e.zip", CANVAS_EXPORT)
    out = subprocess.run([sys.executable, "-m", "autograder", "collect", str(tmp_path / "e.zip"), "--course",
                          str(course.root), "--roster", str(tmp_path / "grades.csv")],
                         capture_output=True, text=True, timeout=300, cwd=Path(cli.__file__).parents[2])
    assert out.returncode == 0, out.stderr
    assert "column 'ID'" in out.stdout and "layout: canvas" in out.stdout
    assert sorted(filed(course)) == [f"{i}/{CH2}" for i in ("12345", "23456", "34567")]
