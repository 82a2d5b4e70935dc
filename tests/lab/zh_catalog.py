"""The Chinese catalog the language tests speak through: the course's own, or a stand-in until it exists.

Until autograder/locale/zh/LC_MESSAGES/autograder.po is written (the translators' branch), the tests
write a pseudo-Chinese catalog — every extracted message prefixed with 「译」, placeholders kept — into
a folder of their own and point AUTOGRADER_LOCALE_DIR (read by autograder.i18n, in this process and
in the kernels it starts) at it. Either way a test compares what a kernel or a page shows with what
the catalog says (``autograder.i18n.using("zh")`` in this process), so it passes with the real catalog
as well as with the stand-in.
"""
from __future__ import annotations

import re
from pathlib import Path

from autograder import i18n

MARK = "「译」"
CJK = re.compile(r"[\u3400-\u9fff]")


def write_pseudo_catalog(locale_dir: Path) -> Path:
    """A zh catalog translating every message of the code as MARK + the English text; returns its path."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale="zh", domain=i18n.DOMAIN)
    for message in sorted(i18n.extracted_messages()):
        catalog.add(message, MARK + message)
    path = Path(locale_dir) / "zh" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    path.parent.mkdir(parents=True)
    with open(path, "wb") as po:
        write_po(po, catalog)
    return path


def real_catalog() -> Path:
    return i18n._PACKAGED_LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def is_chinese(text: str) -> bool:
    return bool(CJK.search(text))
