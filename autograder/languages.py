"""One chapter, two languages: the bilingual source notebook and each language's student version.

A chapter's source notebook holds both languages' prose. Every English markdown cell (a cell with
no language tag is English) is followed immediately by exactly one Chinese markdown cell that
translates it, tagged ``{"autograder": {"lang": "zh"}}`` and carrying no nbgrader metadata. Code cells
are shared. So grade_ids, points and test cells are the same in both languages, and there is one
nbgrader assignment per chapter whatever the language.

``variant(nb, "zh")`` is the Chinese version: every English markdown cell keeps its place and its
metadata (grade_id, locked, ...) but takes its Chinese twin's text; the twins are removed and
``nb.metadata["autograder"]["language"]`` says "zh". ``variant(nb, "en")`` removes the twins and says
"en". The kernel (its checks, hints, progress table) and the grader read that metadata to speak
the notebook's language (``language_of``).

Used by the release (one student version per language), the student's workspace, the grader
(a submission is rebuilt around the source variant of its own language) and the tests.
"""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

from .i18n import LANGUAGES, normalize

ENGLISH = "en"
TWIN_LANGUAGES = tuple(lang for lang in LANGUAGES if lang != ENGLISH)  # the tagged ones: ("zh",)


class PairingError(ValueError):
    """A source notebook whose languages are not paired cell by cell; ``problems`` names each cell."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("the notebook's language cells are not paired:\n" + "\n".join(
            f"  - {p}" for p in problems))


class LanguageError(ValueError):
    """A notebook asked for a language it cannot give (a single-language version of the other one)."""


# ------------------------------------------------------------------------------------- reading cells
def cell_language(cell) -> str:
    """The language a cell is written in: its ``autograder.lang`` tag, English when untagged."""
    return cell.get("metadata", {}).get("autograder", {}).get("lang", ENGLISH)


def is_twin(cell) -> bool:
    """A translation cell: a tagged cell that follows the English cell it translates."""
    return cell_language(cell) != ENGLISH


def language_of(nb) -> str:
    """The language a student notebook is written in (its metadata; English when it says nothing,
    as every notebook made before the course had two languages)."""
    return normalize(_course_metadata(nb).get("language", ENGLISH))


def is_bilingual(nb) -> bool:
    """A source (or bilingual release) rather than one language's version: no language recorded."""
    return "language" not in _course_metadata(nb)


def _course_metadata(nb) -> dict:
    """The notebook's ``metadata.autograder`` (empty when absent or not a mapping: a submission's
    metadata may hold anything)."""
    metadata = nb.get("metadata", {})
    found = metadata.get("autograder", {}) if isinstance(metadata, dict) else {}
    return found if isinstance(found, dict) else {}


def _where(index: int, cell) -> str:
    """How an error names a cell: its index, its grade_id if any, and the start of its text."""
    gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    first = first if len(first) <= 60 else first[:59] + "…"
    return f"cell {index}" + (f" ({gid})" if gid else "") + f" «{first}»"


# ------------------------------------------------------------------------------------------ pairing
def pairing_problems(nb, *, complete: bool = True) -> list[str]:
    """Every way ``nb``'s cells break the pairing rule, each naming the cell; empty when paired.

    complete: every English markdown cell must have its twin in every language (a source is
    finished); with False, a missing twin is allowed (a chapter not translated yet keeps its
    English text in every version) but a twin must still stand where a twin belongs.
    """
    problems = []
    cells = nb.get("cells", [])
    for i, cell in enumerate(cells):
        lang = cell_language(cell)
        if lang == ENGLISH:
            if complete and cell.get("cell_type") == "markdown":
                following = []
                for later in cells[i + 1:]:
                    if not is_twin(later):
                        break
                    following.append(cell_language(later))
                missing = [t for t in TWIN_LANGUAGES if t not in following]
                if missing:
                    problems.append(f"{_where(i, cell)}: an English markdown cell without its "
                                    f"{'/'.join(missing)} translation in the cell right after it")
            continue
        where = _where(i, cell)
        if lang not in TWIN_LANGUAGES:
            problems.append(f"{where}: unknown language tag {lang!r} (a translation is tagged "
                            f"{{\"autograder\": {{\"lang\": \"zh\"}}}}; an untagged cell is English)")
            continue
        if cell.get("cell_type") != "markdown":
            problems.append(f"{where}: a {cell.get('cell_type')} cell tagged {lang!r}: code cells are shared "
                            f"by both languages, only markdown cells are translated")
        if "nbgrader" in cell.get("metadata", {}):
            problems.append(f"{where}: a {lang} translation with nbgrader metadata: only its English cell "
                            f"carries the grade_id (remove nbgrader from this cell's metadata)")
        # The English cell it translates: the nearest untagged cell before it (past other translations).
        k = i - 1
        while k >= 0 and is_twin(cells[k]):
            k -= 1
        if k < 0:
            problems.append(f"{where}: a {lang} translation with no English cell before it")
        elif any(cell_language(c) == lang for c in cells[k + 1:i]):
            problems.append(f"{where}: a second {lang} translation of {_where(k, cells[k])} (each English "
                            f"cell has exactly one, in the cell right after it)")
        elif cells[k].get("cell_type") != "markdown":
            problems.append(f"{where}: a {lang} translation after {_where(k, cells[k])}, a "
                            f"{cells[k].get('cell_type')} cell: a translation follows the English markdown "
                            f"cell it translates")
    return problems


def check_pairs(nb, *, complete: bool = True) -> None:
    """Raise :class:`PairingError` listing every cell that breaks the pairing rule (see
    ``pairing_problems``)."""
    problems = pairing_problems(nb, complete=complete)
    if problems:
        raise PairingError(problems)


# ------------------------------------------------------------------------------------------ variants
def variant(nb, lang: str):
    """The student version of ``nb`` in ``lang`` ("en" or "zh"): a new notebook (``nb`` is unchanged).

    ``nb`` is a bilingual notebook (a source or a bilingual release). A chapter not translated yet
    (no twins) gives its English text in every language. A version already in ``lang`` comes back
    as a copy; asking a single-language version for the other language raises LanguageError.
    Raises PairingError when a twin stands where no twin belongs.
    """
    from nbformat import NotebookNode  # here, not above: a kernel imports this module, nbformat costs 3 s

    if lang not in LANGUAGES:
        raise LanguageError(f"unknown language {lang!r} (the course speaks {', '.join(LANGUAGES)})")
    if not is_bilingual(nb):
        if language_of(nb) == lang:
            return copy.deepcopy(nb)
        raise LanguageError(f"this notebook is already the {language_of(nb)} version: build the {lang} "
                            f"version from the bilingual source (or its bilingual release)")
    check_pairs(nb, complete=False)
    out = copy.deepcopy(nb)
    out.cells = []
    for cell in nb.cells:
        if not is_twin(cell):
            out.cells.append(copy.deepcopy(cell))
        elif cell_language(cell) == lang:
            _translate(out.cells[-1], cell)
    out.metadata.setdefault("autograder", NotebookNode())["language"] = lang
    return out


def _translate(cell, twin) -> None:
    """``cell`` (an English markdown cell, a copy) takes its twin's text and attachments; a locked
    cell's nbgrader checksum is recomputed, or nbgrader's Validate would call it changed."""
    cell["source"] = twin.get("source", "")
    if twin.get("attachments"):
        cell["attachments"] = {**cell.get("attachments", {}), **copy.deepcopy(twin["attachments"])}
    grading = cell.get("metadata", {}).get("nbgrader", {})
    if "checksum" in grading:
        from nbgrader.utils import compute_checksum

        grading["checksum"] = compute_checksum(cell)


def variant_path(released: Path, lang: str) -> Path:
    """Where a per-language release keeps ``lang``'s version of the released notebook ``released``
    (``release/<chapter>/<chapter>.ipynb``): English in its place, for nbgrader; another language in a
    subfolder named for it, under the same file name (``release/<chapter>/zh/<chapter>.ipynb``), so
    that a student's notebook has the assignment's name whatever its language."""
    released = Path(released)
    return released if lang == ENGLISH else released.parent / lang / released.name


def write_variants(released: Path) -> list[Path]:
    """Split the bilingual notebook nbgrader released at ``released`` into one file per language:
    English in its place (what nbgrader and its exchange know), every other language at its
    ``variant_path``. Returns the files written; a notebook that is already one language's version
    is left as it is."""
    import nbformat

    released = Path(released)
    nb = nbformat.read(released, as_version=4)
    if not is_bilingual(nb):
        return []
    written = []
    for lang in (*TWIN_LANGUAGES, ENGLISH):  # English last: it replaces the bilingual file
        path = variant_path(released, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(variant(nb, lang), path)
        written.append(path)
    return written


def source_for(submission, source):
    """The instructor's notebook to rebuild ``submission`` around and grade it against: the variant of
    the bilingual ``source`` in the submission's own language (its metadata; English when it says
    nothing), so that the restored locked cells, and so the graded notebook and its feedback, are in
    the student's language, with the same grade_ids, points and test cells whatever the language."""
    return variant(source, language_of(submission)) if is_bilingual(source) else source


# ------------------------------------------------------------------------------- choosing a language
def default_language(environ=None) -> str:
    """The language of the user's locale, as gettext finds it (LANGUAGE, LC_ALL, LC_MESSAGES, LANG,
    the first one set): "zh" for any zh* locale (zh_CN, zh_TW.UTF-8, zh-Hans...), else "en"."""
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return normalize(value.split(":")[0])
    return ENGLISH


def session_language(environ=None, namespace=None) -> str:
    """The language of a kernel session: the language recorded in the session's notebook (JupyterLab
    starts the kernel with the notebook's path in ``JPY_SESSION_NAME``; IPython puts it in
    ``__session__``), so that the checks speak the notebook's language; else ``COURSE_LANG`` in the
    environment (``make lab COURSE_LANG=zh``, and the grader's kernels); else ``default_language()``."""
    environ = os.environ if environ is None else environ
    for session in (environ.get("JPY_SESSION_NAME"), (namespace or {}).get("__session__")):
        lang = _notebook_language(session) if session else None
        if lang:
            return lang
    if environ.get("COURSE_LANG"):
        return normalize(environ["COURSE_LANG"])
    return default_language(environ)


def _notebook_language(session: str) -> str | None:
    """The language a session's notebook records, or None (not a notebook, unreadable, says nothing)."""
    path = Path(session)
    if path.suffix != ".ipynb":
        return None
    for candidate in (path, Path.cwd() / path, Path.cwd() / path.name):  # a kernel runs in its notebook's folder
        try:
            nb = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(nb, dict) and isinstance(nb.get("metadata"), dict) and not is_bilingual(nb):
            return language_of(nb)
        return None
    return None
