"""The language of what students read: check messages, hints, progress tables.

Every message a student may read is written as ``_("... {name} ...").format(name=...)``: the English
text is the message id, placeholders are named, so that a translator sees whole sentences and can
reorder them. ``language()`` is the language of the notebook being checked; the catalogs live in
``autograder/locale`` (compiled with Babel). Until a catalog has a translation, the English text is
shown.
"""
from __future__ import annotations

import contextlib
import contextvars
import gettext
from pathlib import Path

LANGUAGES = ("en", "zh")
_LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_current = contextvars.ContextVar("autograder_language", default="en")
_catalogs: dict[str, gettext.NullTranslations] = {}


def language() -> str:
    """The language messages are shown in now: 'en' or 'zh'."""
    return _current.get()


def set_language(lang: str) -> None:
    """Show messages in ``lang`` from now on ('en' or 'zh'; 'zh_CN', 'zh-Hans'... count as 'zh')."""
    _current.set(normalize(lang))


@contextlib.contextmanager
def using(lang: str):
    """Show messages in ``lang`` inside the block (the judge grades notebooks of both languages)."""
    token = _current.set(normalize(lang))
    try:
        yield
    finally:
        _current.reset(token)


def normalize(lang: str | None) -> str:
    """'zh', 'zh_CN', 'zh-Hans', 'zh_CN.UTF-8' -> 'zh'; anything else -> 'en'."""
    return "zh" if (lang or "").lower().startswith("zh") else "en"


def _catalog(lang: str) -> gettext.NullTranslations:
    if lang not in _catalogs:
        _catalogs[lang] = gettext.translation("autograder", _LOCALE_DIR, languages=[lang], fallback=True)
    return _catalogs[lang]


def N_(message: str) -> str:
    """Mark a message for translation where it is defined (a class attribute); ``_`` translates it
    where it is shown."""
    return message


def _(message: str) -> str:
    """``message`` in the current language (the English text when there is no translation)."""
    lang = _current.get()
    return message if lang == "en" else _catalog(lang).gettext(message)
