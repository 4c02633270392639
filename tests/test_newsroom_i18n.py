"""The newsroom's interface labels in the page's language: the gettext catalogs are complete
and well-formed, pages show them, and user data put into a translated sentence stays escaped."""

from __future__ import annotations

import datetime as dt
import re

import lxml.html
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from markupsafe import Markup

from newswire.domain import languages
from newswire.web import i18n
from newswire.web.newsroom.pages import TEMPLATES

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
OTHERS = [tag for tag in languages.SUPPORTED if tag != "en"]

SPANISH = {"headline": "Acme presenta el Rocket Skate 3000", "lead": "Acme anunció hoy su nuevo patín.",
           "body": "El patín es **más rápido**.", "language": "es", "dateline": {"city": "Madrid", "date": "2026-11-20"}}
JAPANESE = {"headline": "アクメ、ロケットスケート3000を発表", "lead": "アクメは本日、新しいスケートを発表しました。",
            "body": "新製品は**より速く**なりました。", "language": "ja", "dateline": {"city": "東京", "date": "2026-11-20"}}


@pytest.fixture(autouse=True)
def frozen(clock):
    clock.set(NOW)


def template_messages(area: str = i18n.DOMAIN) -> dict[str, list[str]]:
    """Every msgid an area's templates use, as Babel's Jinja extractor finds them, with where:
    the templates directly in templates/ for ``messages``, those in templates/{area}/ otherwise."""
    top = area == i18n.DOMAIN
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(TEMPLATES if top else TEMPLATES / area), method_map=[("*.html" if top else "**.html", "jinja2")],
            keywords={"_": None}):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


AREAS = i18n.areas()


def text(response) -> str:
    return " ".join(lxml.html.fromstring(response.text).text_content().split())


def page(response):
    assert response.status_code in (200, 404, 410), response.text
    return lxml.html.fromstring(response.text)


def test_the_newsroom_area_is_found():
    used = template_messages()
    assert len(used) > 30 and "Latest press releases" in used and "Published %(date)s" in used
    assert AREAS[0] == i18n.DOMAIN


@pytest.mark.parametrize("area", AREAS)
def test_every_template_message_is_translated_in_every_language(area):
    used = template_messages(area)
    for tag in OTHERS:
        catalog = i18n.read_catalog(tag, area)
        assert catalog is not None, f"no catalog for {tag} at {i18n.catalog_path(tag, area)}"
        for msgid, where in used.items():
            message = catalog.get(msgid)
            assert message is not None and message.string.strip(), f"{tag}: {msgid!r} ({where}) is not translated"
            assert not message.fuzzy, f"{tag}: {msgid!r} is fuzzy"
            assert sorted(PLACEHOLDER.findall(message.string)) == sorted(PLACEHOLDER.findall(msgid)), \
                f"{tag}: placeholders differ in {message.string!r} for {msgid!r}"
            assert "<" not in message.string and ">" not in message.string, f"{tag}: markup in {msgid!r}"
        stale = {m.id for m in catalog if m.id} - set(used)
        assert not stale, f"{tag}: catalog has messages no template uses: {stale}"
        assert [errors for _, errors in catalog.check() if errors] == []  # Babel's own format checks


@pytest.mark.parametrize("area", AREAS)
def test_the_catalog_template_matches_the_templates(area):
    """``{area}.pot`` is what a new language starts from (``pybabel init``): it must be current."""
    with i18n.template_path(area).open("rb") as f:
        pot = read_po(f)
    assert {m.id for m in pot if m.id} == set(template_messages(area)), \
        f"re-extract: scripts/catalogs {area}"


def test_gettext_escapes_values_and_keeps_template_markup():
    link = Markup('<a href="/x">inglés</a>')
    out = i18n.gettext("Machine translation (%(engines)s). The original in %(language)s is authoritative.",
                       "es", engines="<b>x</b>", language=link)
    assert out == ('Traducción automática (&lt;b&gt;x&lt;/b&gt;). '
                   'Prevalece el texto original en <a href="/x">inglés</a>.')
    assert i18n.gettext("About %(issuer)s", "en", issuer="A & B") == "About A &amp; B"
    assert i18n.gettext("Not a catalogued message", "de") == "Not a catalogued message"
    assert i18n.translations("de") is i18n.translations("de")  # read once, then cached
    assert i18n.language_name("en", "es") == "inglés" and i18n.language_name("zh-Hant", "en") == "Traditional Chinese"


def test_a_spanish_page_speaks_spanish(client, publish, editor, wire, clock):
    home = client.get("/es/")
    tree = page(home)
    assert tree.get("lang") == "es" and tree.get("dir") == "ltr"
    assert tree.xpath("//a[@class='skip']")[0].text == "Saltar al contenido"
    assert tree.xpath("//h1")[0].text == "Últimos comunicados de prensa"
    assert tree.xpath("//p[@class='empty']")[0].text == "Todavía no se han publicado comunicados en español."
    assert "Newswire distribuye los comunicados de prensa tal como los recibe de sus emisores" in text(home)
    assert tree.xpath("//footer//nav/@aria-label") == ["Idiomas"]

    r = publish(**SPANISH)
    release = client.get(f"/es/releases/{r.public_id}/{r.slug}")
    tree = page(release)
    meta = " ".join(tree.xpath("//p[@class='meta']")[0].text_content().split())
    assert meta.startswith("Publicado el 20 nov 2026") and tree.xpath("//p[@class='meta']/time")
    assert [dt_.text for dt_ in tree.xpath("//dl[@class='facts']/dt")] == ["Sectores", "Regiones", "Símbolos bursátiles"]
    assert tree.xpath("//section[@class='provider']/h3")[0].text == "Contactos de prensa"
    assert tree.xpath("//section[@class='boilerplate']/h2")[0].text == "Acerca de Acme Corporation"
    body = " ".join(tree.xpath("//body")[0].text_content().split())
    assert "Published" not in body and "Media contacts" not in body and "Skip" not in body

    clock.advance(days=1)
    wire.releases.withdraw(editor, r.id, "Publicado por error.")
    gone = client.get(f"/es/releases/{r.public_id}/{r.slug}")
    assert gone.status_code == 410
    assert page(gone).xpath("//h1")[0].text == "Comunicado retirado"
    notice = " ".join(page(gone).xpath("//div[@class='notice']")[0].text_content().split())
    assert notice.startswith("Este comunicado de Acme Corporation, publicado por primera vez el ")
    assert "fue retirado el 21 nov 2026" in notice and notice.endswith("Motivo: Publicado por error.")
    assert page(gone).xpath("//div[@class='notice']//a/text()") == ["Acme Corporation"]  # the link survived


def test_an_arabic_page_speaks_arabic_right_to_left(client, publish):
    publish()  # in English: the issuer is public, with nothing in Arabic
    home = client.get("/ar/")
    tree = page(home)
    assert tree.get("lang") == "ar" and tree.get("dir") == "rtl"
    assert tree.xpath("//h1")[0].text == "أحدث البيانات الصحفية"
    assert tree.xpath("//p[@class='empty']")[0].text == "لم تُنشر بعدُ أي بيانات صحفية باللغة العربية."
    assert tree.xpath("//span[@class='tagline']")[0].text.startswith("بيانات صحفية")
    issuer = page(client.get("/ar/issuers/acme"))
    assert issuer.xpath("//p[@class='kicker']")[0].text_content() == "الجهة المصدِرة"
    assert issuer.xpath("//h2[@class='section-title']")[0].text == "البيانات الصحفية باللغة العربية"
    assert issuer.xpath("//p[@class='empty']")[0].text == "لا توجد بيانات صحفية باللغة العربية من Acme Corporation."
    missing = client.get("/ar/issuers/nobody")
    assert missing.status_code == 404 and page(missing).xpath("//h1")[0].text == "الصفحة غير موجودة"


def test_a_japanese_page_speaks_japanese(client, publish, wire, editor, clock):
    r = publish(**JAPANESE)
    clock.advance(hours=1)
    wire.releases.correct(editor, r.id, {"correction_note": "見出しを修正しました。"})
    tree = page(client.get(f"/ja/releases/{r.public_id}/{r.slug}"))
    assert tree.get("lang") == "ja"
    meta = " ".join(tree.xpath("//p[@class='meta']")[0].text_content().split())
    assert re.fullmatch(r"2026/11/20 9:00 UTC 公開 · 2026/11/20 10:00 UTC 訂正", meta), meta
    assert tree.xpath("//aside[contains(@class, 'correction')]/h2")[0].text == "訂正"
    assert [x.text for x in tree.xpath("//dl[@class='facts']/dt")] == ["業種", "地域", "ティッカー"]
    assert tree.xpath("//section[@class='provider']/h3")[0].text == "報道関係者のお問い合わせ先"
    assert tree.xpath("//section[@class='boilerplate']/h2")[0].text == "Acme Corporationについて"
    assert tree.xpath("//a[@class='skip']")[0].text == "本文へ移動"
    assert page(client.get("/ja/industries/04000000")).xpath("//p[@class='kicker']/a")[0].text == "業種"
    assert page(client.get("/ja/nothing/here")).xpath("//h1")[0].text == "ページが見つかりません"


def test_user_data_in_a_translated_sentence_stays_escaped(client, wire, editor, sample):
    name = "<script>alert(1)</script> & Sons"
    wire.accounts.create_issuer("evil", name, boilerplate="Bold & proud since 1900.")
    from helpers import publish as publish_release

    r = publish_release(wire, editor, sample, issuer="evil")
    es = client.get("/es/issuers/evil")
    assert es.status_code == 200 and "<script>alert(1)" not in es.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons no tiene comunicados en español." in es.text
    en = client.get(f"/en/releases/{r.public_id}/{r.slug}")
    assert "<script>alert(1)" not in en.text
    assert "<h2>About &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons</h2>" in en.text
    assert page(en).xpath("//section[@class='boilerplate']/h2")[0].text == f"About {name}"


def test_the_pager_speaks_the_page_language(client, publish, clock, monkeypatch):
    from newswire.web.newsroom import pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    for _ in range(2):
        publish(**SPANISH)
        clock.advance(minutes=1)
    first = page(client.get("/es/"))
    [nav] = first.xpath("//nav[@class='pager']")
    assert nav.get("aria-label") == "Páginas" and [a.text for a in nav.xpath("a")] == ["Comunicados anteriores"]
    older = page(client.get("/es/" + nav.xpath("a/@href")[0].removeprefix("/es/")))
    assert [a.text for a in older.xpath("//nav[@class='pager']/a")] == ["Más recientes"]
