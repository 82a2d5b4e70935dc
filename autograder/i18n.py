"""The language of what students read: check messages, hints, progress tables, the student's commands.

Every message a student may read is written as ``_("... {name} ...").format(name=...)``: the English
text is the message id, placeholders are named, so that a translator sees whole sentences and can
reorder them. A class attribute that is shown later is marked with ``N_("...")`` where it is written
and translated with ``_(attribute)`` where it is shown.

The catalog of each language is the gettext file ``autograder/locale/<lang>/LC_MESSAGES/autograder.po``,
read with Babel at its first use and kept (no compiled ``.mo`` in git). A message without a translation
(or marked fuzzy) is shown in English. ``AUTOGRADER_LOCALE_DIR`` reads the catalogs from another folder
(to try a catalog without touching the course's).

Extracting the messages and updating the catalog (``make i18n`` runs both)::

    pybabel extract -F autograder/locale/babel.cfg -k _ -k N_ -o autograder/locale/autograder.pot autograder
    pybabel update -i autograder/locale/autograder.pot -d autograder/locale -D autograder -l zh
    # (the first time: pybabel init -i autograder/locale/autograder.pot -d autograder/locale -D autograder -l zh)

Which language: inside ``using(lang)`` (the judge, one notebook at a time), that language; else the
process's language, set by ``set_language`` (the kernel's first cell, the student's commands); else, in
a notebook's kernel, the session's language (``autograder.languages.session_language``: ``COURSE_LANG``,
then the notebook's metadata), and English everywhere else (the instructor's commands, unless given
``--lang zh``: ``speaking``).
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import string
import sys
from pathlib import Path

LANGUAGES = ("en", "zh")
DOMAIN = "autograder"
_PACKAGED_LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_current = contextvars.ContextVar("autograder_language", default=None)  # using(): the judge's notebook
_process_language: str | None = None                                   # set_language(): this process's
_catalogs: dict[Path, dict[str, str]] = {}


def language() -> str:
    """The language messages are shown in now: 'en' or 'zh'."""
    global _process_language
    lang = _current.get()
    if lang is not None:
        return lang
    if _process_language is None:
        if not _in_kernel():
            return "en"
        from .languages import session_language

        _process_language = session_language(namespace=vars(sys.modules["__main__"]))
    return _process_language


def set_language(lang: str) -> None:
    """Show messages in ``lang`` from now on, in this whole process (a kernel, a student's command)."""
    global _process_language
    _process_language = normalize(lang)


@contextlib.contextmanager
def speaking(lang: str):
    """``set_language(lang)`` for the block, then the process's language as before (the instructor's
    commands: ``python -m autograder COMMAND --lang zh``, English without it)."""
    global _process_language
    before = _process_language
    set_language(lang)
    try:
        yield
    finally:
        _process_language = before


@contextlib.contextmanager
def using(lang: str):
    """Show messages in ``lang`` inside the block (the judge grades notebooks of both languages)."""
    token = _current.set(normalize(lang))
    try:
        yield
    finally:
        _current.reset(token)


def normalize(lang: str | None) -> str:
    """'zh', 'zh_CN', 'zh-Hans', 'zh_CN.UTF-8' -> 'zh'; anything else (a submission's metadata may hold
    anything) -> 'en'."""
    return "zh" if isinstance(lang, str) and lang.strip().lower().startswith("zh") else "en"


def _in_kernel() -> bool:
    """Running as a notebook's kernel (where the session's notebook says which language to speak)?"""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


# ------------------------------------------------------------------------------------------ catalogs
def locale_dir() -> Path:
    """The folder holding ``<lang>/LC_MESSAGES/autograder.po`` (``AUTOGRADER_LOCALE_DIR`` overrides)."""
    return Path(os.environ.get("AUTOGRADER_LOCALE_DIR") or _PACKAGED_LOCALE_DIR)


def catalog_path(lang: str) -> Path:
    return locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path):
    """The Babel catalog in the .po file ``path`` (raises OSError or Babel's errors)."""
    from babel.messages.pofile import read_po

    with open(path, "rb") as po:
        return read_po(po, domain=DOMAIN, abort_invalid=True)


def _translations(lang: str) -> dict[str, str]:
    """{English message: translation} of ``lang``, read once; empty when there is no readable catalog
    (then every message is shown in English rather than a check failing for a catalog's sake)."""
    path = catalog_path(lang)
    if path not in _catalogs:
        try:
            catalog = read_catalog(path)
        except Exception:  # no catalog yet, or a broken one: tests/course/test_catalog_zh.py says which
            _catalogs[path] = {}
        else:
            _catalogs[path] = {m.id: m.string for m in catalog
                               if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
                               and not m.fuzzy}
    return _catalogs[path]


def N_(message: str) -> str:
    """Mark a message for translation where it is defined (a class attribute); ``_`` translates it
    where it is shown."""
    return message


def _(message: str) -> str:
    """``message`` in the current language (the English text when there is no translation)."""
    lang = language()
    return message if lang == "en" else _translations(lang).get(message, message)


# ------------------------------------------------------------------------------ checking a catalog
def placeholders(message: str) -> list[str]:
    """The format fields of ``message``, sorted, as written ('{name}', '{value!r}', '{x:.3g}')."""
    fields = []
    for _literal, name, spec, conversion in string.Formatter().parse(message):
        if name is not None:
            fields.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    return sorted(fields)


def catalog_problems(catalog, messages=None) -> list[str]:
    """What keeps a catalog from speaking every message: a message without a translation (or only a
    fuzzy one), a translation whose placeholders differ from its message's, a translation that
    ``str.format`` cannot read, and (given ``messages``, the ids extracted from the code) a message
    of the code missing from the catalog."""
    problems = []
    ids = set()
    for m in catalog:
        if not m.id:
            continue  # the header
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        ids.add(msgid)
        if not m.string or m.fuzzy:
            problems.append(f"not translated{' (fuzzy)' if m.string and m.fuzzy else ''}: {msgid!r}")
            continue
        translation = m.string if isinstance(m.string, str) else m.string[0]
        try:
            fields = placeholders(translation)
        except ValueError as error:
            problems.append(f"unreadable translation ({error}) of {msgid!r}: {translation!r}")
            continue
        if fields != placeholders(msgid):
            problems.append(f"placeholders {fields} differ from {placeholders(msgid)} in the translation "
                            f"of {msgid!r}: {translation!r}")
    problems += [f"missing from the catalog: {msgid!r}" for msgid in sorted(set(messages or ()) - ids)]
    return problems


PACKAGE = Path(__file__).resolve().parent


def extracted_messages(package: Path = PACKAGE) -> set[str]:
    """The message ids of the code, as ``make i18n`` extracts them (the mapping file and keywords)."""
    from babel.messages.extract import extract_from_dir
    try:
        from babel.messages.frontend import parse_mapping_cfg
    except ImportError:  # Babel < 2.14
        from babel.messages.frontend import parse_mapping as parse_mapping_cfg

    with open(_PACKAGED_LOCALE_DIR / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "N_": None}
    return {message for _file, _line, message, _comments, _context in
            extract_from_dir(str(package), method_map, options_map, keywords=keywords)
            if isinstance(message, str)}


if __name__ == "__main__":  # `python -m autograder.i18n [LANG]`: what the catalog still lacks (make i18n)
    lang = sys.argv[1] if len(sys.argv) > 1 else "zh"
    found = catalog_problems(read_catalog(catalog_path(lang)), extracted_messages())
    print("\n".join(found) if found else f"{catalog_path(lang)}: every message translated.")
    sys.exit(1 if found else 0)
