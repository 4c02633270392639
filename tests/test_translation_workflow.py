"""Translations as language versions of a release, end to end with the real Apertium:
target_languages → approval queues jobs → the worker translates → each version has its own URL,
hreflang both ways, feed entries, ninjs (?lang=), deliveries to subscribers of that language;
embargoes hold every path; kill notices per language (the desk: tests/test_translation_desk.py)."""

from __future__ import annotations

import datetime as dt
import json

import feedparser

from conftest import auth
from helpers import assert_problem, headline, internal_id, snapshot
from newswire.domain.subscriptions import Preferences
from newswire.storage import stream
from test_format_ninjs import assert_valid
from webhook_receiver import add_webhook, rows, run_worker, verified

LINK = "https://acme.example/skate"


from translation_flow import create, page, settings, submit_and_approve, translate_all, wire  # noqa: F401



def test_approved_release_becomes_language_versions_everywhere(client, wire, keys, sample, receiver):
    es_eid, es_secret = add_webhook(wire, receiver.url("/es"), Preferences(languages=("es",)))
    _, any_secret = add_webhook(wire, receiver.url("/any"), Preferences())
    rid = create(client, keys, sample)
    row_id = internal_id(wire, rid)  # the delivery ledger names it by its row
    submit_and_approve(client, keys, rid)

    queued = client.get(f"/api/v1/releases/{rid}/translations", headers=auth(keys["acme"])).json()
    assert [(t["language"], t["status"]) for t in queued["items"]] == [("es", "queued"), ("pt", "queued")]
    assert len(translate_all(wire)) == 2
    progress = client.get(f"/api/v1/releases/{rid}/translations", headers=auth(keys["acme"])).json()["items"]
    for t in progress:
        assert t["status"] == "ready" and t["engines"] == ["apertium"] and t["flagged"] == 0, t
        assert t["progress"]["done"] == t["progress"]["total"] > 0
        assert t["label"]["machine"] is True and t["label"]["from"] == "en"
        assert t["url"] is None  # not public yet

    # before publication: nothing of it anywhere public
    assert_problem(client.get(f"/api/v1/releases/{rid}?lang=es"), 404)
    assert client.get("/feeds/es.rss").text.count("<item>") == 0
    desk = client.get(f"/api/v1/releases/{rid}?lang=es", headers=auth(keys["acme"]))
    assert desk.status_code == 200 and desk.json()["language"] == "es"

    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200
    summary = client.get(f"/api/v1/releases/{rid}/status", headers=auth(keys["acme"])).json()
    assert summary["languages"] == ["en", "es", "pt"] and summary["target_languages"] == ["es", "pt"]

    # the API: Spanish ninjs, valid 2.1, pointing at its original
    doc = assert_valid(client.get(f"/api/v1/releases/{rid}?lang=es").json())
    assert doc["language"] == "es" and doc["uri"].endswith(f"/releases/{rid}?lang=es")
    # the issuer's name is a brand: kept as it is without any glossary entry (Apertium alone says "El acmé")
    assert headline(doc) == "Acme descubre el Cohete Patina 3000"
    [original] = doc["associations"]
    assert original["name"] == "original" and original["language"] == "en"
    assert original["uri"].endswith(f"/releases/{rid}")
    assert "Machine translation from English (apertium)" in doc["ednote"]
    assert f'href="{LINK}"' in next(b["value"] for b in doc["bodies"] if b["role"] == "main")
    en = assert_valid(client.get(f"/api/v1/releases/{rid}").json())
    assert [(a["name"], a["language"]) for a in en["associations"]] == [("translation-es", "es"), ("translation-pt", "pt")]
    assert en["associations"][0]["uri"] == doc["uri"]
    assert client.get(f"/api/v1/releases/{rid}.xml?lang=pt").text.count('xml:lang="pt"') >= 1
    assert_problem(client.get(f"/api/v1/releases/{rid}?lang=fr"), 404)

    # pages: each version has its own URL, labelled, and every version links to every other
    slug = summary["url"].rsplit("/", 1)[1]
    for lang in ("en", "es", "pt"):
        r, tree = page(client, f"/{lang}/releases/{rid}/{slug}")
        assert r.status_code == 200 and tree.get("lang") == lang
        links = {x.get("hreflang"): x.get("href") for x in tree.xpath('//link[@rel="alternate"][@hreflang]')}
        assert set(links) == {"en", "es", "pt", "x-default"}
        assert links["x-default"] == links["en"] and links[lang].endswith(f"/{lang}/releases/{rid}/{slug}")
        notice = tree.xpath('//aside[contains(@class, "translation")]')
        assert bool(notice) == (lang != "en")
        assert tree.xpath('//nav[@class="versions"]//a[@aria-current="page"]/@hreflang') == [lang]
        ld = json.loads(tree.xpath('//script[@type="application/ld+json"]')[0].text)
        assert ld["inLanguage"] == lang and ("translationOfWork" in ld) == (lang != "en")
    _, es_page = page(client, f"/es/releases/{rid}/{slug}")
    notice = " ".join(es_page.xpath('//aside[contains(@class, "translation")]')[0].text_content().split())
    assert notice == "Traducción automática (apertium). Prevalece el texto original en inglés."  # in the page's language
    assert es_page.xpath('//aside[contains(@class, "translation")]//a/@href')[0].endswith(f"/en/releases/{rid}/{slug}")
    assert es_page.xpath(f'//article//a[@href="{LINK}"]')  # the link survived, with text
    assert es_page.xpath(f'//article//a[@href="{LINK}"]')[0].text_content().strip()
    assert client.get(f"/releases/{rid}?lang=es", follow_redirects=False).headers["location"] == \
        f"/es/releases/{rid}/{slug}"

    # feeds: each language's feed has its version; the sitemap lists all three
    es_feed = feedparser.parse(client.get("/feeds/es.rss").content)
    [entry] = es_feed.entries
    assert entry.title == headline(doc) and entry.link.endswith(f"/es/releases/{rid}/{slug}")
    assert entry.id.endswith("?lang=es")
    assert len(feedparser.parse(client.get("/feeds/en.atom").content).entries) == 1
    assert f"/es/releases/{rid}/{slug}" in client.get("/es/").text
    assert [headline(x) for x in client.get("/api/v1/releases?language=pt").json()["items"]] == \
        [headline(client.get(f"/api/v1/releases/{rid}?lang=pt").json())]
    sitemap = client.get("/sitemap-news.xml").text
    assert all(f"/{lang}/releases/{rid}/{slug}</loc>" in sitemap for lang in ("en", "es", "pt"))

    # deliveries: the Spanish subscriber gets the Spanish version; no preference means the original
    run_worker(wire, lambda: all(r.status == "delivered" for r in rows(wire, release_id=row_id)))
    got = {(r.endpoint_id == es_eid, r.language) for r in rows(wire, release_id=row_id)}
    assert got == {(True, "es"), (False, "en")}
    [es_hit] = receiver.at("/es")
    es = verified(es_hit, es_secret)  # the language version's envelope: valid, its data valid ninjs
    assert es["data"]["language"] == es["release"]["language"] == "es"
    assert es["release"]["original_language"] == "en" and es["release"]["machine_translated"] is True
    assert f"/es/releases/{rid}/" in es["release"]["url"]
    [any_hit] = receiver.at("/any")
    assert verified(any_hit, any_secret)["data"]["language"] == "en"


def test_a_translation_finished_after_release_goes_out_then(client, wire, keys, sample, receiver):
    add_webhook(wire, receiver.url("/pt"), Preferences(languages=("pt",)))
    rid = create(client, keys, sample, target_languages=["pt"])
    row_id = internal_id(wire, rid)  # the delivery ledger names it by its row
    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200
    assert rows(wire, release_id=row_id) == []  # no Portuguese yet: nothing for that subscriber
    assert client.get(f"/api/v1/releases/{rid}?lang=pt").status_code == 404
    translate_all(wire)
    [row] = rows(wire, release_id=row_id)
    assert (row.language, row.event) == ("pt", "release.published")
    with wire.engine.connect() as conn:
        events = stream.since(conn, 0, 100)
    assert [(e.event, e.language) for e in events] == [("release.published", "en"), ("release.published", "pt")]
    assert client.get(f"/api/v1/releases/{rid}?lang=pt").json()["language"] == "pt"


def test_an_embargo_holds_every_language_version(client, wire, keys, sample, clock):
    embargo = (clock() + dt.timedelta(hours=2)).isoformat()
    rid = create(client, keys, sample, embargo_until=embargo)
    submit_and_approve(client, keys, rid)
    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).json()["status"] == \
        "scheduled"
    translate_all(wire)
    slug = client.get(f"/api/v1/releases/{rid}/status", headers=auth(keys["acme"])).json()["url"].rsplit("/", 1)[1]
    hidden = [f"/api/v1/releases/{rid}?lang=es", f"/es/releases/{rid}/{slug}", f"/releases/{rid}?lang=es",
              f"/api/v1/releases/{rid}.xml?lang=pt"]
    for path in hidden:
        assert client.get(path, follow_redirects=False).status_code == 404, path
    for path in ("/feeds/es.rss", "/feeds/pt.json", "/sitemap-news.xml", "/es/", "/api/v1/releases?language=es"):
        text = client.get(path).text
        assert "3000" not in text and f"/releases/{rid}" not in text, path
    assert client.get(f"/api/v1/releases/{rid}/translations", headers=auth(keys["subscriber"])).status_code == 404

    clock.advance(hours=2, seconds=1)
    wire.releases.release_due()
    for path in hidden:
        assert client.get(path, follow_redirects=False).status_code in (200, 301), path
    assert len(feedparser.parse(client.get("/feeds/es.rss").content).entries) == 1


def test_unsupported_pair_is_a_problem_listing_what_is_available(client, wire, keys, sample):
    before = snapshot(wire.engine)
    r = client.post("/api/v1/releases", json={**sample, "target_languages": ["es", "ko"]}, headers=auth(keys["acme"]))
    body = assert_problem(r, 422, "target_languages")
    assert body["type"].endswith("unsupported-language-pair")
    assert "en→ko" in body["detail"] and "en-es" in body["available_pairs"]
    assert any(hint.startswith("ctranslate2") for hint in body["would_add"]["ko"])
    assert "es" not in body["would_add"]
    bad = client.post("/api/v1/releases", json={**sample, "target_languages": ["xx"]}, headers=auth(keys["acme"]))
    assert "'xx'" in assert_problem(bad, 422, "target_languages")["detail"]
    assert snapshot(wire.engine) == before


def test_a_wrong_source_language_is_asked_for_not_guessed(client, wire, keys, sample):
    german = {**sample, "headline": "Acme stellt heute den neuen Raketenschlittschuh für alle Kunden vor",
              "lead": "Die Firma hat heute in Berlin ihren neuen und sehr schnellen Schlittschuh vorgestellt.",
              "body": "Der neue Schlittschuh ist leichter, schneller und günstiger als alle bisherigen Modelle."}
    body = assert_problem(client.post("/api/v1/releases", json={**german, "target_languages": ["es"]},
                                      headers=auth(keys["acme"])), 422, "language")
    assert "German (de)" in body["detail"]
    # without translations the declared language is the issuer's call
    assert client.post("/api/v1/releases", json=german, headers=auth(keys["acme"])).status_code == 201


def test_withdrawal_sends_kill_notices_in_each_language_received(client, wire, keys, sample, receiver):
    es_eid, es_secret = add_webhook(wire, receiver.url("/es"), Preferences(languages=("es",)))
    rid = create(client, keys, sample, target_languages=["es"])
    row_id = internal_id(wire, rid)  # the delivery ledger names it by its row
    submit_and_approve(client, keys, rid)
    translate_all(wire)
    client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"]))
    run_worker(wire, lambda: all(r.status == "delivered" for r in rows(wire, release_id=row_id)))
    r = client.post(f"/api/v1/releases/{rid}/withdraw", headers=auth(keys["editor"]), json={"reason": "Wrong date"})
    assert r.status_code == 200
    run_worker(wire, lambda: all(r.status == "delivered" for r in rows(wire, release_id=row_id)))
    kills = [x for x in rows(wire, release_id=row_id) if x.event == "release.withdrawn"]
    assert [(k.endpoint_id, k.language) for k in kills] == [(es_eid, "es")]
    notice = verified(receiver.at("/es")[-1], es_secret)
    assert (notice["type"], notice["release"]["language"], notice["release"]["withdraw_reason"]) == \
        ("release.withdrawn", "es", "Wrong date")
    slug = r.json()["url"].rsplit("/", 1)[1]
    assert client.get(f"/es/releases/{rid}/{slug}").status_code == 410
    assert not feedparser.parse(client.get("/feeds/es.rss").content).entries


def test_two_workers_never_take_the_same_job(wire, editor, sample):
    """Several translation workers (threads here, processes or machines in production) share the
    queue: each job is claimed once (SKIP LOCKED on PostgreSQL, a conditional update on SQLite)."""
    import threading

    for i in range(3):
        r = wire.releases.create(editor, {**sample, "issuer": "acme", "headline": f"Release number {i} of the day",
                                 "target_languages": ["es", "pt"]})
        wire.releases.publish(editor, r.id)
    done: dict[str, list] = {"a": [], "b": []}

    def work(name):
        worker = wire.translation_worker(name)
        while (row := worker.run_once()) is not None:
            done[name].append((row.release_id, row.language))

    threads = [threading.Thread(target=work, args=(n,)) for n in done]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    taken = done["a"] + done["b"]
    assert sorted(taken) == sorted({(r, lang) for r in (1, 2, 3) for lang in ("es", "pt")})  # each once
    with wire.engine.connect() as conn:
        from newswire.storage import translations as tr

        assert {(row.status, row.attempts) for rid in (1, 2, 3) for row in tr.for_release(conn, rid)} == {("ready", 1)}
