"""Text rules every layer shares, each written once: HTML to plain text, e-mail address syntax,
and the id of a translation segment."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser

# Tags whose end starts a new paragraph when a fragment is flattened to text.
_BLOCKS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr",
           "table", "hr", "figure", "figcaption", "dd", "dt", "section", "article", "header", "footer"}
# Syntax only (a mailbox, one @, a dotted domain, nothing that would break a header); whether it
# exists is for the mail server to say.
EMAIL_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")


class _Text(HTMLParser):
    """The stdlib parser: tolerant of any fragment, and it never executes or fetches anything."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]
        self._skip = 0

    def handle_data(self, data):
        if not self._skip:
            self.blocks[-1].append(data)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        elif tag == "br":
            self.blocks[-1].append("\n")
        elif tag in _BLOCKS:
            self.blocks.append([])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self.blocks.append([])


def html_to_text(html: str) -> str:
    """The plain text of an HTML fragment: one paragraph per block, separated by a blank line;
    runs of whitespace collapsed; a ``<br>`` keeps its line break."""
    if not html:
        return ""
    p = _Text()
    p.feed(html)
    p.close()
    paragraphs = []
    for block in p.blocks:
        lines = (" ".join(line.split()) for line in "".join(block).split("\n"))
        text = "\n".join(line for line in lines if line)
        if text:
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


def is_email(value: str) -> bool:
    return bool(EMAIL_ADDRESS.match(value))


def segment_id(source: str) -> str:
    """A translation segment's id: the sha256 of its source unit. The translation memory keys
    segments by it and an editor names the segment to fix by it, so both compute it here."""
    return hashlib.sha256(source.encode()).hexdigest()
