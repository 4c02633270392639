"""The translation pipeline with real Apertium: markup, numbers and brands survive; broken
segments are repaired or flagged, never silently lost; the memory spares the engine.

The engines that drop link text or crash below are test doubles of a *misbehaving* engine
wrapped around the real Apertium: they exist to exercise the pipeline's repair logic."""

from __future__ import annotations

import re
import shutil

import pytest
import sqlalchemy as sa

from newswire.translation.check import links
from newswire.translation.engines.apertium import ApertiumEngine
from newswire.translation.engines.base import EngineError, Glossary, UnsupportedPair
from newswire.translation.memory import InMemory, SqlMemory
from newswire.translation.pipeline import Pipeline
from newswire.translation.registry import Registry

BRAND = Glossary(version=1, keep=("Rocket Skate", "Acme"))
EN = {
    "headline": "Acme opens a new factory in Madrid",
    "body_html": (
        '<p>The company <a href="https://acme.example/news">announced</a> on <strong>Wednesday</strong> that '
        'revenue grew 12.5% to $1,200,000 in 2024. Rocket Skate is made by Acme.</p>\n'
        '<h2>Key facts</h2>\n'
        '<ul><li>Sales rose in <em>Spain</em> and <a href="https://acme.example/pt">Portugal</a>.</li>\n'
        '<li>The plant will build 10,000 <a href="https://acme.example/rs">Rocket Skate</a> units.</li></ul>'),
}


@pytest.fixture(scope="module")
def apertium():
    if shutil.which("apertium") is None:
        pytest.fail("these tests need Apertium: apt-get install apertium apertium-eng-spa apertium-es-pt "
                    "apertium-ind-zlm")
    return ApertiumEngine()


def pipeline(*engines, memory=None):
    return Pipeline(Registry(list(engines)), memory)


def assert_intact(result, source_html, brand="Rocket Skate"):
    body = result.fields["body_html"]
    assert sorted(h for h, t in links(body) if t) == sorted(h for h, _ in links(source_html))
    for tag in ("<strong>", "<em>", "<li>", "<h2>"):
        assert body.count(tag) == source_html.count(tag), tag
    assert brand in body and not result.flagged
    c = result.counts
    assert (c.links_out, c.numbers_out, c.terms_out) == (c.links_in, c.numbers_in, c.terms_in) and c.lost == 0


def test_en_to_es(apertium):
    r = pipeline(apertium).translate(EN, "en", "es", BRAND)
    assert_intact(r, EN["body_html"])
    assert r.fields["headline"] == "Acme abre una fábrica nueva en Madrid"
    assert '<a href="https://acme.example/news" rel="noopener nofollow">anunció</a>' in r.fields["body_html"]
    assert "<strong>miércoles</strong>" in r.fields["body_html"] and "<em>España</em>" in r.fields["body_html"]
    assert "Rocket Skate está hecho por Acme" in r.fields["body_html"]  # not "Acmé", not "Cohete Patina"
    assert r.engines == ["apertium"] and r.counts.links_in == 3 and r.counts.numbers_in == 4


def test_es_to_pt(apertium):
    es = {"body_html": '<p>La empresa <a href="https://acme.example/n">anunció</a> el <strong>miércoles</strong> '
                       'que Rocket Skate vendió 1.200 unidades.</p><ul><li>Nuevo <em>producto</em>.</li></ul>'}
    r = pipeline(apertium).translate(es, "es", "pt", BRAND)
    assert_intact(r, es["body_html"])
    assert "<strong>quarta-feira</strong>" in r.fields["body_html"] and "1.200" in r.fields["body_html"]


def test_en_to_pt_through_a_pivot(apertium):
    r = pipeline(apertium).translate(EN, "en", "pt", BRAND)
    assert_intact(r, EN["body_html"])
    assert {s.engine for s in r.segments} == {"apertium>es>apertium"}
    assert "anunciou</a>" in r.fields["body_html"] and "<strong>quarta-feira</strong>" in r.fields["body_html"]


def test_id_to_ms(apertium):
    src = {"body_html": '<p>Perusahaan <a href="https://acme.example/id">mengumumkan</a> pada hari '
                        '<em>Rabu</em> bahwa pendapatan Rocket Skate naik 12,5% menjadi Rp 1.200.000.</p>'
                        '<ul><li>Kantor baru di <b>Jakarta</b>.</li></ul>'}
    r = pipeline(apertium).translate(src, "id", "ms", BRAND)
    assert_intact(r, src["body_html"])
    assert "Syarikat" in r.fields["body_html"] and "bahawa" in r.fields["body_html"]


class DropsLinks(ApertiumEngine):
    """Misbehaving engine: deletes every link with its words (the 'Am Mittwoch , dass' failure)."""

    def translate(self, segments, source, target, glossary=None):
        return [re.sub(r"<a [^>]*>.*?</a>", "", s) for s in super().translate(segments, source, target)]


class EmptiesLinks(ApertiumEngine):
    """Misbehaving engine: moves link text out of the link, leaving an empty <a>."""

    def translate(self, segments, source, target, glossary=None):
        return [re.sub(r"(<a [^>]*>)(.*?)</a>", r"\2 \1</a>", s) for s in super().translate(segments, source, target)]


class EatsWord(ApertiumEngine):
    """Misbehaving engine: loses the word 'anunció' whatever it is given."""

    def translate(self, segments, source, target, glossary=None):
        return [re.sub(r"<a [^>]*>anunció</a>|anunció ?", "", s) for s in super().translate(segments, source, target)]


@pytest.mark.parametrize("engine_class, strategies", [
    (DropsLinks, ["plain", "plain", "plain"]),
    # "announced" alone is "anunciado", in the sentence "anunció": found by translating without it
    (EmptiesLinks, ["plain", "rewrap", "rewrap"]),
])
def test_dropped_or_emptied_link_text_is_repaired(apertium, engine_class, strategies):
    r = pipeline(engine_class()).translate(EN, "en", "es", BRAND)
    assert_intact(r, EN["body_html"])
    assert [s.strategy for s in r.segments if s.status == "repaired"] == strategies
    assert '<a href="https://acme.example/news" rel="noopener nofollow">anunció</a>' in r.fields["body_html"]


def test_a_link_that_cannot_be_repaired_is_flagged_with_the_best_output_kept(apertium):
    r = pipeline(EatsWord()).translate(EN, "en", "es", BRAND)
    [bad] = r.flagged
    assert bad.field == "body_html" and (bad.block, bad.sentence) == (0, 0)
    assert bad.problems == ["link https://acme.example/news is missing"]
    assert "miércoles" in bad.output  # the rest of the sentence is still there for the editor
    assert r.counts.links_in - r.counts.links_out == 1  # reported, not hidden
    assert sum(s.status == "ok" for s in r.segments) == len(r.segments) - 1


class CrashesOn(ApertiumEngine):
    """Misbehaving engine: fails on any request containing a given word."""

    def __init__(self, word):
        super().__init__()
        self.word = word

    def translate(self, segments, source, target, glossary=None):
        if any(self.word in s for s in segments):
            raise EngineError(f"engine crashed on '{self.word}'")
        return super().translate(segments, source, target)


def test_an_engine_crash_on_one_segment_flags_that_segment_only(apertium):
    r = pipeline(CrashesOn("Portugal")).translate(EN, "en", "es", BRAND)
    [bad] = r.flagged
    assert "crashed" in bad.problems[0] and "Portugal" in bad.output  # source kept, for the editor
    assert "anunció" in r.fields["body_html"] and r.fields["headline"].startswith("Acme abre")


def test_a_failing_engine_falls_back_to_the_next_one(apertium):
    crashing = CrashesOn("Spain")
    crashing.name = "crashing"
    r = pipeline(crashing, apertium).translate(EN, "en", "es", BRAND)
    assert not r.flagged
    [fell_back] = [s for s in r.segments if s.strategy == "fallback"]
    assert fell_back.engine == "apertium" and "<em>España</em>" in fell_back.output


class Counting(ApertiumEngine):
    def __init__(self):
        super().__init__()
        self.sent: list[str] = []

    def translate(self, segments, source, target, glossary=None):
        self.sent += segments
        return super().translate(segments, source, target)


@pytest.mark.parametrize("store", ["memory", "sql"])
def test_memory_sends_only_changed_segments(apertium, tmp_path, store):
    if store == "sql":
        from newswire.storage.tables import translation_memory

        db = sa.create_engine(f"sqlite:///{tmp_path / 'tm.db'}")
        translation_memory.create(db)
        memory = SqlMemory(db)
    else:
        memory = InMemory()
    counting = Counting()
    p = pipeline(counting, memory=memory)
    first = p.translate(EN, "en", "es", BRAND)
    assert len(counting.sent) == len(first.segments)
    counting.sent.clear()
    again = p.translate(EN, "en", "es", BRAND)
    assert counting.sent == [] and again.fields == first.fields
    assert {s.strategy for s in again.segments} == {"memory"}
    corrected = dict(EN, body_html=EN["body_html"].replace("12.5%", "13.5%"))
    fixed = p.translate(corrected, "en", "es", BRAND)
    assert len(counting.sent) == 1 and "13.5%" in counting.sent[0]
    assert "13.5%" in fixed.fields["body_html"]
    counting.sent.clear()  # another glossary changes only the segments that contain its terms
    p.translate(EN, "en", "es", Glossary(version=2, keep=("Rocket Skate",)))
    assert len(counting.sent) == 2 and all("Acme" in s for s in counting.sent)


def test_human_edits_are_kept(apertium):
    from newswire.translation.memory import key

    # the unit is a block for an HTML engine like Apertium (a sentence for placeholder engines)
    item = 'Sales rose in <em>Spain</em> and <a href="https://acme.example/pt">Portugal</a>.'
    edit = 'Las ventas subieron en <em>España</em> y <a href="https://acme.example/pt">Portugal</a>.'
    r = pipeline(apertium).translate(EN, "en", "es", BRAND, human={key(item, "en", "es", "").source_hash: edit})
    [edited] = [s for s in r.segments if s.status == "human"]
    assert edited.output == edit and "Las ventas subieron en" in r.fields["body_html"]


def test_unsupported_pair_lists_pairs_and_engines_that_would_add_it(apertium):
    with pytest.raises(UnsupportedPair) as caught:
        pipeline(apertium).translate(EN, "en", "th")
    message = str(caught.value)
    assert "en→es" in message and "en→pt" in message and "ctranslate2" in message
    assert ("en", "pt") in caught.value.available


class PlaceholderApertium(ApertiumEngine):
    """Apertium seen as a placeholder engine (html = False), like the neural and chat engines: it gets
    sentences with <x1>…</x1> placeholders, which this adapter carries through Apertium's HTML mode."""

    name, html = "apertium-placeholders", False

    def translate(self, segments, source, target, glossary=None):
        import html as h

        def to_html(text):
            parts = re.split(r"(<(/?)x(\d+)(/?)>)", text)
            out = []
            for i in range(0, len(parts), 5):
                out.append(h.escape(parts[i], quote=False))
                if i + 1 < len(parts):
                    closing, n, lone = parts[i + 2], parts[i + 3], parts[i + 4]
                    out.append(f'<br data-x="{n}">' if lone else "</span>" if closing else f'<span data-x="{n}">')
            return "".join(out)

        def from_html(text):
            out, stack = [], []
            for tok in re.findall(r"<[^>]*>|[^<]+", text):
                if m := re.match(r'<br data-x="(\d+)">', tok):
                    out.append(f"<x{m.group(1)}/>")
                elif m := re.match(r'<span data-x="(\d+)">', tok):
                    stack.append(m.group(1))
                    out.append(f"<x{m.group(1)}>")
                elif tok == "</span>" and stack:
                    out.append(f"</x{stack.pop()}>")
                else:
                    out.append(h.unescape(tok))
            return "".join(out)

        return [from_html(t) for t in super().translate([to_html(s) for s in segments], source, target)]


def test_a_placeholder_engine_gets_sentences_and_its_placeholders_become_markup_again(apertium):
    engine = PlaceholderApertium()
    r = pipeline(engine).translate(EN, "en", "es", BRAND)
    assert_intact(r, EN["body_html"])
    first = [s for s in r.segments if s.field == "body_html" and s.block == 0]
    assert [s.sentence for s in first] == [0, 1]  # sentences, not blocks
    assert '<a href="https://acme.example/news" rel="noopener nofollow">anunció</a>' in r.fields["body_html"]


def test_a_content_is_translated_field_by_field(apertium):
    from newswire.domain.models import Content

    content = Content(headline="Acme opens a factory", body_html="<p>The new factory opened.</p>", language="en",
                      body_source="The new factory opened.", body_format="markdown",
                      boilerplate="Acme makes skates.\n\nVisit https://acme.example/about today.")
    r = pipeline(apertium).translate({k: getattr(content, k) for k in ("headline", "body_html", "boilerplate")},
                                     "en", "es", BRAND)
    es = r.content(content)
    assert (es.language, es.body_format, es.body_source) == ("es", "html", "")
    assert es.boilerplate == "Acme las marcas patina.\n\nVisita https://acme.example/about hoy."  # Apertium, verbatim
    assert es.body_html == "<p>La fábrica nueva abrió.</p>" and es.headline == "Acme abre una fábrica"


class Down(Counting):
    """Misbehaving engine: down altogether (every call fails)."""

    calls = 0

    def translate(self, segments, source, target, glossary=None):
        self.calls += 1
        raise EngineError("connection refused")


def test_an_engine_that_is_down_flags_everything_without_a_call_per_segment(apertium):
    down = Down()
    body = "".join(f"<p>Paragraph {i} of the <em>report</em>.</p>" for i in range(200))
    r = pipeline(down).translate({"body_html": body}, "en", "es")
    assert len(r.flagged) == 200 and all("connection refused" in s.problems[0] for s in r.flagged)
    assert r.fields["body_html"].count("<p>") == 200  # the source stays, flagged, for the editor
    assert down.calls == 3  # the batch, then both halves: down, so no call per segment
