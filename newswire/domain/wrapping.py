"""Wrapping plain text for e-mail by display width: CJK wide characters count two columns and may
break between any two characters (closing punctuation stays with what it closes), URLs and
addresses are never broken."""

from __future__ import annotations

import unicodedata


# What may not begin a line (CJK closing punctuation): it stays with what it closes.
_NO_START = set("、。，．・：；！？）」』】〕〉》”’ー…‥％")


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes: wide (CJK) characters two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def _units(line: str) -> list[tuple[str, bool]]:
    """(piece, a space before it): the words, and inside a word each wide character on its own,
    since CJK text may break between any two (but a URL never)."""
    out: list[tuple[str, bool]] = []
    for word in line.split(" "):
        if not word:
            continue
        if "://" in word or "@" in word or not any(unicodedata.east_asian_width(c) in "WF" for c in word):
            out.append((word, True))
            continue
        space, run = True, ""
        for ch in word:
            if unicodedata.east_asian_width(ch) in "WF" and ch not in _NO_START:
                if run:
                    out.append((run, space))
                    space = False
                run = ch
            else:
                run += ch
        out.append((run, space))
    return out


def wrap(line: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """``line`` on lines of at most ``width`` columns (0: one line), the first starting with
    ``first``, the others with ``rest``. Breaks at spaces, and between CJK characters; a word longer
    than a line (a URL) stays whole on a line of its own."""
    if width <= 0:
        return [first + line]
    lines, cur, used = [], first, columns(first)
    empty = True
    for piece, space in _units(line):
        need = columns(piece) + (1 if space and not empty else 0)
        if not empty and used + need > width:
            lines.append(cur.rstrip())
            cur, used, empty, need = rest, columns(rest), True, columns(piece)
        cur += (" " if space and not empty else "") + piece
        used += need
        empty = False
    lines.append(cur.rstrip())
    return lines


def wrap_text(text: str, width: int) -> str:
    """Every line of ``text`` wrapped to ``width`` columns, blank lines kept."""
    return "\n".join("\n".join(wrap(line, width)) if line else "" for line in text.split("\n"))
