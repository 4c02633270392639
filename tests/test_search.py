"""Search (issue 10): every wire language, on SQLite (FTS5) and PostgreSQL (tsvector), and only
what is public at the query's instant."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from lxml import html as lhtml
from typer.testing import CliRunner

from helpers import WRITTEN_IN, written_in
from newswire.cli import app
from newswire.domain.search import highlight, phrases, terms
from newswire.storage import translations as tr
from newswire.storage.tables import search_documents
from newswire.translation.check import Counts
from newswire.translation.pipeline import Result

# language → (headline, lead, a query inside the text, a query that is not there)
TEXTS = {
    "en": ("Acme unveils the Rocket Skate 3000", "Acme today announced its new skate.", "rocket SKATE", "bicycle"),
    "de": (*WRITTEN_IN["de"][:2], "vorgestellt", "Fahrrad"),
    "ar": (*WRITTEN_IN["ar"][:2], "الجَديد", "دراجة"),  # short vowels in the query do not matter
    "ru": ("Компания Acme представила ракетный скейт 3000",
           "Компания Acme сегодня представила свой новый скейт, который легче и быстрее прежних моделей.",
           "КОМПАНИЯ скейт", "велосипед"),
    "ja": (*WRITTEN_IN["ja"][:2], "スケート", "自転車"),  # inside ロケットスケート3000
    "zh-Hans": (*WRITTEN_IN["zh-Hans"][:2], "滑板", "自行车"),  # inside 火箭滑板
    "zh-Hant": (*WRITTEN_IN["zh-Hant"][:2], "發表", "自行車"),
    "ko": (*WRITTEN_IN["ko"][:2], "발표", "자전거"),  # inside 발표했습니다
    "th": ("แอคมีเปิดตัวสเก็ตบอร์ดจรวดรุ่น 3000", "วันนี้บริษัทแอคมีได้ประกาศเปิดตัวสเก็ตบอร์ดรุ่นใหม่ที่เบาและเร็วกว่าเดิม",
           "สเก็ตบอร์ด", "จักรยาน"),
    "vi": ("Acme ra mắt ván trượt tên lửa 3000", "Hôm nay Acme đã công bố mẫu ván trượt mới nhẹ hơn và nhanh hơn.",
           "ván trượt", "xe đạp"),
}
BODIES = {  # bodies in the language, so the declared language reads as it (the pre-checks)
    "ru": "Новый **скейт** легче, быстрее и безопаснее всех прежних моделей компании.",
    "th": "สเก็ตบอร์ดรุ่นใหม่นี้เบากว่า เร็วกว่า และปลอดภัยกว่ารุ่นก่อนหน้าทั้งหมดของบริษัท",
    "vi": "Mẫu **ván trượt** mới nhẹ hơn, nhanh hơn và an toàn hơn mọi mẫu trước đây của công ty.",
}


def fields_in(language: str, headline: str | None = None) -> dict:
    if language in WRITTEN_IN:
        return written_in(language, headline)
    title, lead, *_ = TEXTS[language]
    body = BODIES.get(language, "The **Rocket Skate 3000** is lighter, faster and safer than every earlier model.")
    return {"language": language, "headline": headline or title, "lead": lead, "body": body}


def found(wire, q, lang="en", **filters) -> list[int]:
    return [r.id for r in wire.browse.search(lang, q, **filters).releases]


# --- the one term rule ---------------------------------------------------------------------------

def test_terms_are_words_and_character_pairs():
    assert terms("Acme's ROCKET-Skate, 3000!") == ["acme", "s", "rocket", "skate", "3000"]
    assert terms("火箭滑板") == ["火箭", "箭滑", "滑板"]
    assert terms("스케이트를") == ["스케", "케이", "이트", "트를"]
    assert terms("ｶﾀｶﾅ") == terms("カタカナ")  # NFKC: half-width katakana is katakana
    assert terms("Straße") == terms("STRASSE")  # case folding
    assert terms("الجَديد") == terms("الجديد")  # Arabic short vowels dropped
    assert terms("สเก็ต") == ["สเ", "เก็", "ก็ต"]  # Thai marks stay with their letter
    assert [p.terms for p in phrases("滑板 acme 滑板")] == [("滑板",), ("acme",)]
    assert phrases("快")[0].prefix and not phrases("acme")[0].prefix


def test_highlight_marks_whole_words_and_runs_and_keeps_the_text():
    pieces = highlight("Acme's skate: ACME <b>", phrases("acme"))
    assert "".join(p for p, _ in pieces) == "Acme's skate: ACME <b>"
    assert [p for p, hit in pieces if hit] == ["Acme", "ACME"]
    assert [p for p, hit in highlight("Acmeish", phrases("acme")) if hit] == []
    assert [p for p, hit in highlight("发布火箭滑板。", phrases("滑板")) if hit] == ["滑板"]


# --- every language, both databases ----------------------------------------------------------------

@pytest.mark.parametrize("language", list(TEXTS))
def test_search_finds_a_release_in_every_language(wire, publish, language):
    other = publish()  # an English one, which must not be found by the other language's words
    r = publish(**fields_in(language)) if language != "en" else other
    *_, query, absent = TEXTS[language]
    assert found(wire, query) == [r.id]
    assert found(wire, query, language=language) == [r.id]
    assert found(wire, absent) == []
    result = wire.browse.search("en", query)
    assert result.total == 1 and result.releases[0].language == language
    if language != "en":
        assert found(wire, "Rocket Skate 3000 unveils") == [other.id]


def test_only_public_releases_are_found_at_their_second(wire, editor, sample, clock, publish):
    clock.set(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc))
    when = clock() + dt.timedelta(hours=1)
    scheduled = wire.releases.publish(editor, wire.releases.create(editor, {
        **sample, "issuer": "acme", "headline": "Embargoed zeppelin news", "embargo_until": when.isoformat()}).id)
    draft = wire.releases.create(editor, {**sample, "issuer": "acme", "headline": "Draft zeppelin news"})
    assert found(wire, "zeppelin") == []
    clock.set(when - dt.timedelta(seconds=1))
    assert wire.releases.release_due() == [] and found(wire, "zeppelin") == []
    clock.set(when)
    assert wire.releases.release_due() == [scheduled.id]
    assert found(wire, "zeppelin") == [scheduled.id]
    assert draft.id not in found(wire, "draft zeppelin")
    wire.releases.withdraw(editor, scheduled.id, "Issued in error.")
    assert found(wire, "zeppelin") == []


def test_a_correction_is_searched_as_it_now_reads(wire, editor, publish):
    r = publish(headline="Acme opens a factory in Lyon")
    wire.releases.correct(editor, r.id, {"correction_note": "The city.", "headline": "Acme opens a factory in Lille"})
    assert found(wire, "lille") == [r.id] and found(wire, "lyon") == []


def _translate(wire, release, language: str, fields: dict):
    """A ready translation into ``language`` with these fields, filed through the service as the worker would."""
    with wire.db.transaction() as conn:
        tr.queue(conn, release.id, [language], release.current.number, wire.clock())
    row = wire.translations.claim("test-translator", 60)
    base = {"headline": release.content.headline, "subheadline": "", "lead": "", "body_html": "<p>x</p>",
            "boilerplate": ""}
    return wire.translations.complete(row, "test-translator", Result("en", language, {**base, **fields}, [], [], Counts()))


def test_a_ready_translation_is_found_in_its_language_until_the_release_is_corrected(wire, editor, publish, client):
    r = publish()
    _translate(wire, r, "de", {"headline": "Acme stellt das Raketenbrett vor", "lead": "Ein neues Raketenbrett."})
    result = wire.browse.search("de", "raketenbrett")
    assert [(x.id, x.language) for x in result.releases] == [(r.id, "de")]
    assert found(wire, "raketenbrett", language="en") == []
    # one hit per release: the page language's version when both match
    assert [(x.id, x.language) for x in wire.browse.search("de", "acme").releases] == [(r.id, "de")]
    assert [(x.id, x.language) for x in wire.browse.search("en", "acme").releases] == [(r.id, "en")]
    wire.releases.correct(editor, r.id, {"correction_note": "Range.", "lead": "Acme announced it."})
    assert found(wire, "raketenbrett") == []  # the stale translation is not public any more


def test_ranked_by_relevance_then_recency_and_paged(wire, publish, clock, client):
    clock.set(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc))
    ids = []
    for i in range(23):
        ids.append(publish(headline=f"Acme turbine update {i}").id)
        clock.advance(minutes=1)
    best = publish(headline="Turbine turbine turbine: the turbine report", lead="Turbines and a turbine.").id
    first = wire.browse.search("en", "turbine")
    assert first.total == 24 and first.pages == 2 and len(first.releases) == 20
    assert first.releases[0].id == best
    assert [r.id for r in first.releases[1:]] == ids[::-1][:19]  # equal relevance: the newest first
    second = wire.browse.search("en", "turbine", page="2")
    assert [r.id for r in second.releases] == ids[::-1][19:]
    page = lhtml.fromstring(client.get("/en/search?q=turbine").text)
    assert page.xpath('//a[@rel="next"]/@href') == ["/en/search?q=turbine&page=2"]
    assert page.xpath('//link[@rel="next"]/@href') == ["/en/search?q=turbine&page=2"]
    assert not page.xpath('//a[@rel="prev"]')
    page2 = lhtml.fromstring(client.get("/en/search?q=turbine&page=2").text)
    assert page2.xpath('//a[@rel="prev"]/@href') == ["/en/search?q=turbine"] and not page2.xpath('//a[@rel="next"]')


def test_filters(wire, publish, clock):
    clock.set(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc))
    a = publish(headline="Acme gadget news", regions=["FR"], industries=["medtop:04000000"])
    clock.advance(days=2)
    b = publish(issuer="globex", headline="Globex gadget news", regions=["DE"], industries=["medtop:01000000"])
    assert set(found(wire, "gadget")) == {a.id, b.id}
    assert found(wire, "gadget", region="fr") == [a.id]
    assert found(wire, "gadget", issuer="globex") == [b.id]
    assert found(wire, "gadget", industry="medtop:04000000") == [a.id]  # (and its narrower topics)
    assert found(wire, "gadget", date_from="2026-11-21") == [b.id]
    assert found(wire, "gadget", date_to="2026-11-20") == [a.id]
    assert found(wire, "gadget", language="de") == []


def test_the_search_page_marks_the_words_and_escapes_everything(client, publish):
    r = publish(headline="Acme & Co. ship the skate: 3 < 4 > 2", lead="The skate & more, \"quoted\".")
    resp = client.get("/en/search?q=skate")
    assert resp.status_code == 200
    assert "Acme &amp; Co. ship the <mark>skate</mark>: 3 &lt; 4 &gt; 2" in resp.text
    assert "The <mark>skate</mark> &amp; more, &#34;quoted&#34;." in resp.text
    assert resp.text.count("<mark>") == 2
    other = client.get("/en/search?q=%3Cmark%3Eskate")  # the query, re-shown, escaped
    assert "<mark>skate" not in other.text and 'value="&lt;mark&gt;skate"' in other.text
    page = lhtml.fromstring(resp.text)
    assert page.xpath("//ol[contains(@class, 'results')]//h3/a/@href") == [f"/en/releases/{r.public_id}/{r.slug}"]
    assert page.xpath("//input[@id='search-q']/@value") == ["skate"]
    assert page.xpath('//meta[@name="robots"]/@content') == ["noindex, follow"]


def test_every_page_has_the_search_form(client, publish):
    r = publish()
    for path in ("/en/", f"/en/releases/{r.public_id}/{r.slug}", "/en/regions", "/de/issuers", "/ja/industries"):
        page = lhtml.fromstring(client.get(path).text)
        [form] = page.xpath("//form[@role='search']")
        assert form.get("action") == f"/{path.split('/')[1]}/search" and form.xpath(".//label[@for='masthead-q']")


def test_bad_filters_are_shown_beside_their_fields_and_change_nothing(client, publish):
    publish()
    resp = client.get("/en/search?q=skate&region=ZZ&from=yesterday&industry=medtop:1&page=x")
    assert resp.status_code == 400
    page = lhtml.fromstring(resp.text)
    assert page.xpath("//p[@id='error-region']/text()") == ["Choose a region from the list."]
    assert page.xpath("//p[@id='error-from']/text()") == ["Enter a date as YYYY-MM-DD."]
    assert page.xpath("//select[@id='search-region']/@aria-describedby") == ["error-region"]
    assert page.xpath("//p[@id='error-industry']") and page.xpath("//p[@id='error-page']")
    assert page.xpath("//input[@id='search-from']/@value") == ["yesterday"]  # what was typed, re-shown
    assert page.xpath("//select[@id='search-region']/option[@selected]/@value") == ["ZZ"]
    assert not page.xpath("//ol[contains(@class, 'results')]")
    assert client.get("/en/search?q=skate&from=2026-11-21&to=2026-11-20").status_code == 400


def test_reindex_rebuilds_the_index(wire, publish, settings):
    r = publish()
    with wire.db.transaction() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(sa.text("DELETE FROM search_fts"))
        conn.execute(sa.delete(search_documents))
    assert found(wire, "skate") == []
    out = CliRunner().invoke(app, ["search", "reindex", "--data-dir", str(settings.data_dir),
                                   "--database-url", settings.sqlalchemy_url])
    assert out.exit_code == 0, out.output
    assert "indexed 1 releases" in out.output
    assert found(wire, "skate") == [r.id]
