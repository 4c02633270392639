"""Hypothesis properties of what takes input apart: the importers (Markdown, HTML, wire copy) never
let an exception other than the documented refusal escape; sanitizing is idempotent and leaves
nothing executable; the translation pipeline's markup protection round-trips whatever the
sanitizer lets through."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inert import executable
from newswire.domain.errors import InvalidInput
from newswire.intake import html as intake_html
from newswire.intake import importers
from newswire.translation import segments

TAGS = ["p", "a", "b", "i", "em", "strong", "script", "style", "img", "svg", "iframe", "ul", "li", "table", "td",
        "h1", "h2", "blockquote", "br", "span", "div", "object", "math", "template", "form", "input", "code"]
ATTRS = ["href", "src", "onclick", "onerror", "style", "srcdoc", "title", "alt", "class", "xlink:href", "formaction"]
VALUES = ["javascript:alert(1)", "https://acme.example/x", "jav&#x09;ascript:alert(1)", "x\" onmouseover=\"alert(1)",
          "expression(alert(1))", "data:text/html,<script>alert(1)</script>", "#", "1"]
WORDS = st.sampled_from(["Acme", "&amp;", "&lt;", "<", ">", "\"", "'", "&", "1.5", "–", "日本語", "العربية", " ", "\n",
                         "&#0;", "&#x202e;", "\u202e", "ü", "🙂", "`", "=", "--", "<!--", "-->", "]]>"])
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def markup(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.integers(0, 3 if depth < 3 else 1))
        if kind <= 1:
            parts.append(draw(WORDS) + draw(st.text(max_size=8)))
        else:
            tag = draw(st.sampled_from(TAGS))
            attrs = "".join(f' {draw(st.sampled_from(ATTRS))}="{draw(st.sampled_from(VALUES))}"'
                            for _ in range(draw(st.integers(0, 2))))
            close = draw(st.booleans())
            parts.append(f"<{tag}{attrs}>{draw(markup(depth + 1))}" + (f"</{tag}>" if close else ""))
    return "".join(parts)


@SETTINGS
@given(markup())
def test_sanitizing_is_idempotent_and_leaves_nothing_executable(html):
    once = intake_html.sanitize(html)
    assert intake_html.sanitize(once) == once
    assert executable(once) == [], once


@SETTINGS
@given(st.text(max_size=400))
def test_sanitizing_any_text_is_idempotent(text):
    once = intake_html.sanitize(text)
    assert intake_html.sanitize(once) == once


@SETTINGS
@given(markup())
def test_markup_protection_round_trips_what_the_sanitizer_lets_through(html):
    clean = intake_html.sanitize(html)
    skeleton = segments.split_blocks(clean)
    assert skeleton.join(skeleton.segments) == clean
    for segment in skeleton.segments:
        masked = segments.mask(segment)
        restored, problems = segments.unmask(masked.text, masked)
        assert problems == []
        assert segments.text_of(restored) == segments.text_of(segment)


def _imports(name: str, text: str) -> None:
    try:
        item = importers.parse_text(name, text, language="en")
    except InvalidInput:
        return  # the documented refusal, naming the file and the fix
    assert item.fields["headline"].strip()
    assert executable(intake_html.sanitize(str(item.fields.get("body") or ""))) == []


@SETTINGS
@given(markup(), st.text(max_size=60))
def test_the_html_importer_refuses_or_imports(body, title):
    _imports("release.html", f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>")


@SETTINGS
@given(st.text(max_size=300), st.text(max_size=300))
def test_the_markdown_importer_refuses_or_imports(front, body):
    _imports("release.md", f"---\n{front}\n---\n# {body[:40]}\n\n{body}")
    _imports("release.md", body)


@SETTINGS
@given(st.lists(st.one_of(st.text(max_size=80), WORDS,
                          st.sampled_from(["BERLIN, Nov. 20, 2026 /PRNewswire/ --", "###", "About Acme", "Contact:",
                                           "SOURCE Acme", "(NYSE: ACME)", "-- 30 --", "www.acme.example"])),
                max_size=20))
def test_the_wire_copy_importer_refuses_or_imports(lines):
    _imports("release.txt", "\n".join(lines))
