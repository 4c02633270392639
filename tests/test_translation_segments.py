"""Segmenting, placeholders and the fidelity check (no engine needed)."""

from __future__ import annotations

import html as htmllib

from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.translation.check import check, numbers, readings
from newswire.translation.engines.base import Glossary
from newswire.translation.glossary import protect, unprotect
from newswire.translation.repair import difference, merge_split
from newswire.translation.segments import mask, split_blocks, split_sentences, unmask

WORDS = st.text(alphabet="abc XYZ.,&<>\"'éß123", min_size=0, max_size=12).map(lambda t: htmllib.escape(t, quote=False))
OPEN = st.sampled_from(['<a href="https://x.example/?a=1&amp;b=2">', "<strong>", "<em>", '<span lang="fr">',
                        "<b>", "<code>", '<a href="mailto:p@x.example" title="T">'])


@st.composite
def inline(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "text", "el", "br"] if depth < 3 else ["text", "br"]))
        if kind == "text":
            parts.append(draw(WORDS))
        elif kind == "br":
            parts.append("<br>")
        else:
            tag = draw(OPEN)
            name = tag[1:].split()[0].rstrip(">")
            parts.append(tag + draw(inline(depth + 1)) + f"</{name}>")
    return "".join(parts)


@given(inline())
@settings(max_examples=300, deadline=None)
def test_placeholders_round_trip_is_identity(fragment):
    masked = mask(fragment)
    assert "href" not in masked.text  # attributes never reach the engine
    assert unmask(masked.text, masked) == (fragment, [])


@given(st.lists(inline(), min_size=1, max_size=4), st.sampled_from(["p", "li", "h2", "td"]))
@settings(max_examples=150, deadline=None)
def test_blocks_and_sentences_join_back_exactly(blocks, tag):
    html = "".join(f"<{tag}>{b}</{tag}>\n" for b in blocks)
    sk = split_blocks(html)
    assert sk.join(sk.segments) == html
    for seg in sk.segments:
        assert "".join(s + gap for s, gap in split_sentences(seg)) == seg


def test_blocks_and_sentences():
    sk = split_blocks('<h2>Title</h2><ul><li>One <b>two</b><ul><li>Nested</li></ul></li></ul><pre>x. Y</pre>')
    assert sk.segments == ["Title", "One <b>two</b>", "Nested"]  # <pre> is never translated
    text = ('Mr. Smith met the U.S. president. Revenue grew 12.5%. <a href="u">It rose. Then</a> fell! '
            'Done? yes. 好的。你好！')
    assert [s for s, _ in split_sentences(text)] == [
        "Mr. Smith met the U.S. president.", "Revenue grew 12.5%.", '<a href="u">It rose. Then</a> fell!',
        "Done? yes. 好的。", "你好！"]


def test_engine_damage_to_placeholders_is_reported_and_the_html_stays_well_formed():
    masked = mask('<a href="u">one</a> and <em>two</em>')
    assert masked.text == "<x1>one</x1> and <x2>two</x2>"
    html, problems = unmask("<x2>dos</x2> y <x1>uno", masked)
    assert html == '<em>dos</em> y <a href="u">uno</a>' and problems == ["placeholder <x1> was never closed"]
    html, problems = unmask("uno y dos <x3/>", masked)
    assert html == "uno y dos " and len(problems) == 3


def test_numbers_are_compared_by_value_under_either_convention():
    assert readings("1,000") >= {"1000"} and readings("1.000") >= {"1000"} and readings("1 000") == {"1000"}
    assert readings("12,5") == {"12.5"} == readings("12.5") and readings("1.200.000,50") == {"1200000.5"}
    assert [min(v) for v in numbers("in 2024 300 people on 2024-03-05 at 10:30")] == \
        ["2024", "300", "2024", "3", "5", "10", "30"]
    assert check("<p>It cost 1,200,000 and 12.5%</p>", "<p>Costó 1.200.000 y 12,5 %</p>").ok
    assert check("<p>It cost 1,200,000</p>", "<p>Costó 1 200 000</p>").ok
    assert check("<p>It cost 1,200,000</p>", "<p>Costó 1.200</p>").problems == ["number 1200000 is missing"]


def test_check_reports_links_codes_terms_and_markup():
    src = ('<p>See <a href="https://a.example/r">the report</a> (NASDAQ: ACME, ISIN US0378331005) or mail '
           'ir@acme.example. Rocket Skate is <em>new</em>.</p>')
    good = ('<p>Vea <a href="https://a.example/r">el informe</a> (NASDAQ: ACME, ISIN US0378331005) o escriba a '
            'ir@acme.example. Rocket Skate es <em>nuevo</em>.</p>')
    report = check(src, good, {"Rocket Skate": "Rocket Skate"})
    assert report.ok and report.counts.codes_in == report.counts.codes_out == 3
    bad = '<p>Vea <a href="https://a.example/r"></a> (ACME) o escriba. Cohete Patina es nuevo.</p>'
    assert check(src, bad, {"Rocket Skate": "Rocket Skate"}).problems == [
        "link https://a.example/r has lost its text", "ir@acme.example is missing or changed",
        "US0378331005 is missing or changed", "term “Rocket Skate” is missing or changed", "<em> markup is missing"]


def test_glossary_and_codes_are_protected_and_restored():
    g = Glossary(keep=("Acme",), forced={"Rocket Skate": {"es": "Patín Cohete"}})
    p = protect('Acme sells the Rocket Skate, see https://acme.example/x and <code>Acme</code>.', g, "es")
    assert p.html == ('<span translate="no" data-nw-g="0">Acme</span> sells the <span translate="no" data-nw-g="1">'
                      'Patín Cohete</span>, see <span translate="no" data-nw-g="2">https://acme.example/x</span> '
                      'and <code>Acme</code>.')
    assert p.expected == {"Acme": "Acme", "Rocket Skate": "Patín Cohete"} and p.fingerprint
    out = p.html.replace("sells the", "vende el").replace(">Acme<", ">Acmé<")  # what an engine might do inside
    html, lost = unprotect(out, p)
    assert html.startswith("Acme vende el Patín Cohete, see https://acme.example/x") and lost == []
    assert unprotect("Acmé vende", p)[1][0] == "“Acme” was lost by the engine"
    assert protect("No terms here.", g, "es").fingerprint == ""  # shares memory across glossaries


def test_split_links_are_merged_and_link_text_is_found_by_difference():
    src = '<a href="u">a long link text</a> here'
    assert merge_split('<a href="u">un texto</a> de <a href="u">enlace largo</a> aquí', src) == \
        '<a href="u">un texto de enlace largo</a> aquí'
    two = '<a href="u">a</a> and <a href="u">b</a>'
    assert merge_split('<a href="u">x</a> y <a href="u">z</a>', two) == '<a href="u">x</a> y <a href="u">z</a>'
    full = "La empresa anunció el miércoles que crece."
    span = difference(full, "La empresa el miércoles que crece.")
    assert full[span[0]:span[1]] == "anunció"
