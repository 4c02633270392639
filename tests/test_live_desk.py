"""The live desk page (/{lang}/live), on SQLite and PostgreSQL: what it lists when it opens,
its filters (and their errors), where its stream starts, and embargoes. In Chromium, with the
stream running: test_live_desk_browser.py."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest

from helpers import written_in
from newswire.formats.timestamps import machine_time
from newswire.domain.vocab import media_topics

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)
ROLES = ["anonymous", "subscriber", "globex", "acme", "editor", "admin"]


@pytest.fixture(autouse=True)
def frozen(clock):
    clock.set(NOW)


def doc(response):
    return lxml.html.fromstring(response.text)


def listed(response) -> list[tuple[str, str]]:
    """(public release id, language) of each item on the page, top first."""
    return [(li.get("data-release-id"), li.get("data-language"))
            for li in doc(response).xpath('//ol[@id="live-list"]/li')]


def desk(response):
    return doc(response).xpath('//div[@id="live-desk"]')[0]


def selected(response, name: str) -> list[str]:
    return doc(response).xpath(f'//select[@name="{name}"]//option[@selected]/@value')


def stream_ids(wire) -> list[int]:
    return [row.id for row, _ in wire.listings.stream_events(after=0)]


def test_the_page_lists_the_latest_public_releases_in_its_language(client, wire, publish, clock):
    english = [publish(headline=f"Acme news {i}") for i in range(3)]
    clock.advance(minutes=1)
    german = publish(**written_in("de"))
    clock.advance(minutes=1)
    newest = publish(headline="Acme newest")
    r = client.get("/en/live")
    assert r.status_code == 200 and r.headers["content-language"] == "en"
    assert r.headers["cache-control"] == "no-cache"
    ids = [rid for rid, _ in listed(r)]
    assert ids[0] == newest.public_id and set(ids) == {newest.public_id, *(e.public_id for e in english)}
    assert german.public_id not in ids
    tree = doc(r)
    assert tree.xpath("//h1")[0].text == "Live desk"
    first = tree.xpath('//ol[@id="live-list"]/li')[0]
    assert first.xpath(".//h2/a/@href") == [f"/en/releases/{newest.public_id}/{newest.slug}"]
    assert first.xpath(".//time/@datetime") == [machine_time(newest.published_at)]
    assert first.xpath(".//time")[0].text.endswith(" UTC")  # the fallback; the script shows the reader's zone
    # The stream starts after the newest event at the time of the listing, in the page's language.
    assert desk(r).get("data-stream") == "/live?lang=en"
    assert desk(r).get("data-last-event-id") == str(stream_ids(wire)[-1])
    assert tree.xpath('//script[@src="/static/live-desk.js"]') and tree.xpath('//p[@id="live-status"][@role="status"]')
    assert tree.xpath('//*[@id="live-announce"]/@aria-live') == ["polite"]
    assert tree.xpath('//link[@rel="canonical"]/@href') == ["http://testserver/en/live"]
    assert selected(r, "language") == ["en"] and selected(r, "industry") == [""]
    # The newsroom's footer links to it.
    assert doc(client.get("/en/")).xpath('//footer//a[@href="/en/live"]')


def test_filters_by_language_and_industry_narrower_topics_included(client, publish, clock):
    economy = publish(industries=["medtop:04000000"])
    clock.advance(minutes=1)
    farming = publish(industries=["medtop:20000210"])  # agriculture: under economy, two levels down
    clock.advance(minutes=1)
    sport = publish(industries=["medtop:15000000"])
    clock.advance(minutes=1)
    german = publish(**written_in("de"), industries=["medtop:04000000"])
    r = client.get("/en/live?language=&industry=medtop:04000000")
    assert r.status_code == 200
    assert listed(r) == [(german.public_id, "de"), (farming.public_id, "en"), (economy.public_id, "en")]
    assert desk(r).get("data-stream") == "/live?industry=medtop%3A04000000"
    assert selected(r, "language") == [""] and selected(r, "industry") == ["medtop:04000000"]
    assert doc(r).xpath('//meta[@name="robots"]/@content') == ["noindex, follow"]
    r = client.get("/fr/live?language=en&industry=medtop:15000000")
    assert listed(r) == [(sport.public_id, "en")]
    assert desk(r).get("data-stream") == "/live?lang=en&industry=medtop%3A15000000"
    r = client.get("/en/live?language=de")
    assert listed(r) == [(german.public_id, "de")]


def test_industries_are_offered_with_their_iptc_labels_in_the_page_language(client):
    topics = media_topics()
    german = doc(client.get("/de/live"))
    groups = german.xpath('//select[@name="industry"]/optgroup/@label')
    assert topics.get("medtop:04000000").label("de") in groups and len(groups) == 17
    options = german.xpath('//select[@name="industry"]//option')
    assert options[0].get("value") == "" and options[0].text == "Alle Branchen"
    products = next(o for o in options if o.get("value") == "medtop:20000209")
    assert products.text == topics.get("medtop:20000209").label("de")
    assert german.xpath('//label[@for="live-industry"]')[0].text == "Branche"
    names = german.xpath('//select[@name="language"]/option/text()')
    assert "Englisch" in names and "Japanisch" in names
    # A narrower topic than the list offers (from a link) is kept and shown selected.
    deep = doc(client.get("/en/live?industry=medtop:20000210"))
    assert deep.xpath('//select[@name="industry"]//option[@selected]/@value') == ["medtop:20000210"]


def test_bad_filters_reshow_the_form_with_the_error_beside_each_field(client, wire, publish):
    publish()
    before = stream_ids(wire)
    r = client.get("/es/live?language=xx&industry=medtop:99999999")
    assert r.status_code == 422 and r.headers["cache-control"] == "no-store"
    tree = doc(r)
    assert tree.xpath('//p[@class="form-error"][@role="alert"]')
    assert selected(r, "language") == ["xx"] and selected(r, "industry") == ["medtop:99999999"]
    lang_select = tree.xpath('//select[@name="language"]')[0]
    assert lang_select.get("aria-invalid") == "true" and lang_select.get("aria-describedby") == "live-language-error"
    assert "«xx»" in tree.xpath('//p[@id="live-language-error"]')[0].text
    assert "medtop:99999999" in tree.xpath('//p[@id="live-industry-error"]')[0].text
    assert tree.xpath('//select[@name="industry"]/@aria-describedby') == ["live-industry-error"]
    # Nothing is listed and nothing streams until the filters are right; nothing changed.
    assert listed(r) == [] and desk(r).get("data-stream") is None and not tree.xpath("//script[@src]")
    assert stream_ids(wire) == before
    one = client.get("/en/live?industry=economy")
    assert one.status_code == 422 and not doc(one).xpath('//p[@id="live-language-error"]')
    assert selected(one, "language") == ["en"]
    assert client.get("/xx/live").status_code == 404


def test_embargoed_releases_appear_only_from_their_second(client, wire, publish, editor, sample, clock):
    when = NOW + dt.timedelta(hours=1)
    embargoed = wire.releases.create(editor, {**sample, "issuer": "acme", "headline": "Embargoed news",
                                              "embargo_until": when.isoformat()})
    embargoed = wire.releases.publish(editor, embargoed.id)
    assert embargoed.status.value == "scheduled"
    out = publish(headline="Out now")

    def page_text():
        r = client.get("/en/live?language=")
        return r, r.text

    r, html = page_text()
    assert listed(r) == [(out.public_id, "en")] and "Embargoed news" not in html
    clock.set(when - dt.timedelta(seconds=1))
    assert wire.releases.release_due() == []
    r, html = page_text()
    assert "Embargoed news" not in html and embargoed.public_id not in desk(r).xpath("//li/@data-release-id")
    clock.set(when)
    assert wire.releases.release_due() == [embargoed.id]
    r, html = page_text()
    assert listed(r)[0] == (embargoed.public_id, "en") and "Embargoed news" in html
    assert desk(r).get("data-last-event-id") == str(stream_ids(wire)[-1])


def test_corrected_translated_and_withdrawn_releases(client, wire, publish, editor):
    r = publish()
    wire.releases.correct(editor, r.id, {"headline": "Acme unveils the Rocket Skate 3001", "correction_note": "Model"})
    gone = publish(headline="Soon withdrawn")
    wire.releases.withdraw(editor, gone.id, "Issued in error")
    page = client.get("/en/live")
    assert listed(page) == [(r.public_id, "en")] and "Soon withdrawn" not in page.text
    item = doc(page).xpath('//ol[@id="live-list"]/li')[0]
    assert "is-corrected" in item.get("class") and item.xpath(".//h2/a")[0].text == "Acme unveils the Rocket Skate 3001"


@pytest.mark.parametrize("who", ROLES)
def test_the_live_desk_is_public_for_everyone(client, keys, publish, who):
    """Authorization: a public page, the same for every caller (keys change nothing)."""
    r = publish()
    headers = {} if who == "anonymous" else {"Authorization": f"Bearer {keys[who]}"}
    page = client.get("/en/live", headers=headers)
    assert page.status_code == 200 and listed(page) == [(r.public_id, "en")]
