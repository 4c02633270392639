"""Body HTML: rendering Markdown, refusing dangerous or broken markup, sanitizing.

nh3 does the sanitizing. It silently repairs and strips, which is right for
what reaches a page, but an issuer who sent a ``<script>`` or an unclosed
``<strong>`` deserves to be told rather than see their text changed; so
``problems()`` reports those first. A structural checker on top of the
stdlib's tokenizer is hand-written because no library reports *where* HTML
nesting breaks in a message a person can act on.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

from ..domain.text import text_problem

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "a", "strong", "em", "b", "i", "u",
    "blockquote", "q", "cite", "code", "pre", "sub", "sup", "small", "abbr",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "dl", "dt", "dd", "span",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang", "lang"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "span": {"lang", "translate"},
    "*": {"lang", "dir"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

FORBIDDEN_ELEMENTS = {"script", "style", "iframe", "object", "embed", "form", "input", "button", "textarea",
                      "select", "frame", "frameset", "applet", "base", "link", "meta", "svg", "math"}
VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr", "param"}
# Elements whose end tag HTML lets you omit: an open one may be closed implicitly.
OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "colgroup", "caption"}
_BAD_URL = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.I)

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")


def markdown_to_html(text: str) -> str:
    return _md.render(text)


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple[int, int]]] = []
        self.problems: list[str] = []

    def _where(self) -> str:
        line, col = self.getpos()
        return f"line {line}, column {col + 1}"

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}> at {self._where()} is not allowed in a release; remove it")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(
                    f"the event handler attribute {name}= on <{tag}> at {self._where()} is not allowed; remove it")
            elif name in ("href", "src", "action", "formaction", "xlink:href") and value and _BAD_URL.match(value):
                scheme = value.split(":", 1)[0].strip().lower()
                self.problems.append(
                    f"the {scheme}: URL in {name}= on <{tag}> at {self._where()} is not allowed; use an http(s) link")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        open_tags = [t for t, _ in self.stack]
        if tag not in open_tags:
            self.problems.append(f"</{tag}> at {self._where()} closes an element that is not open; remove it")
            return
        while self.stack and self.stack[-1][0] != tag:
            inner, (line, col) = self.stack.pop()
            if inner not in OPTIONAL_END:
                self.problems.append(
                    f"</{tag}> at {self._where()} closes <{tag}> while <{inner}> (line {line}, column {col + 1}) "
                    f"is still open; close <{inner}> first")
        self.stack.pop()

    def close(self):
        super().close()
        for tag, (line, col) in self.stack:
            if tag not in OPTIONAL_END:
                self.problems.append(f"<{tag}> opened at line {line}, column {col + 1} is never closed; add </{tag}>")


def problems(html: str) -> list[str]:
    """What is dangerous or broken in submitted HTML, each as an instruction to fix it."""
    problem = text_problem(html)
    found = [problem] if problem else []
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return found + checker.problems


_H1 = re.compile(r"<(/?)h1\b", re.I)


def sanitize(html: str) -> str:
    """What may reach a page, a feed or an API response: nh3 with the wire's allow-list.
    A body's top-level heading becomes <h2>: on the page, <h1> is the headline."""
    return nh3.clean(
        _H1.sub(r"<\1h2", html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
        strip_comments=True,
    ).strip()


_TAG = re.compile(r"</?[a-zA-Z!]")


def has_markup(text: str) -> bool:
    return bool(_TAG.search(text))
