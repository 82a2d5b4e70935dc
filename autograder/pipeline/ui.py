"""What the commands print: a progress bar for long work and a one-screen summary table."""
from __future__ import annotations

import sys
import time

from ..i18n import _


class Progress:
    """`[#######.....] 12/40  label  0:31` on one line of stderr (a line per 10% when not a terminal)."""

    def __init__(self, total: int, title: str, stream=None):
        self.total, self.title, self.done = total, title, 0
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.monotonic()
        self._last_decile = -1

    def step(self, label: str = "") -> None:
        self.done += 1
        elapsed = int(time.monotonic() - self.start)
        width = 30
        filled = width * self.done // max(1, self.total)
        line = (f"{self.title} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                f"{elapsed // 60}:{elapsed % 60:02d}  {label[:40]}")
        if self.tty:
            self.stream.write("\r" + line.ljust(100) + ("\n" if self.done == self.total else ""))
            self.stream.flush()
        else:
            decile = 10 * self.done // max(1, self.total)
            if decile != self._last_decile:
                self._last_decile = decile
                print(line, file=self.stream, flush=True)


def plural(n: int, one: str, many: str) -> str:
    """``n`` with the noun that fits it, in the instructor's language: ``plural(1, N_("{n} student"),
    N_("{n} students"))`` is "1 student", with 2 "2 students". Mark both forms with N_ where they are
    written, so that `make i18n` extracts them (Chinese translates both the same)."""
    return _(one if n == 1 else many).format(n=n)


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters (East Asian wide and fullwidth) take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


def table(rows: list[list], header: list[str], wrap: int | None = None) -> str:
    """A plain text table, columns padded to their widest cell (Chinese counted double-wide); the last
    column wrapped at ``wrap`` characters, between words (never cut)."""
    import textwrap

    cells = [[str(c) for c in header]]
    for row in rows:
        row = [str(c) for c in row]
        if wrap and len(row[-1]) > wrap:
            pieces = textwrap.wrap(row[-1], wrap, break_long_words=False, break_on_hyphens=False) or [""]
            cells.append(row[:-1] + [pieces[0]])
            cells += [[""] * (len(row) - 1) + [p] for p in pieces[1:]]
        else:
            cells.append(row)
    widths = [max(width(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
