"""Unguessable public ids (issue 13): a release is named in public by a random id, never by its row
number. Public ids are random and unrelated to each other or to the order of creation; a numeric
reference from anyone who may not manage the release is answered exactly as a missing id; the
numeric URLs of releases public before migration 0015 redirect, those of later releases do not
exist; and no public output (pages, JSON-LD, feeds, sitemap, ninjs, NewsML, webhooks, e-mail, the
live stream) carries the internal number. (Beside tests/test_embargo_probe.py, which runs every
path with the embargoed release's public id, its numeric id and a missing one.)
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from alembic import command
from conftest import auth
from smtp_sink import add_journalist
from sse_client import Stream, running
from test_embargo_probe import _diff, _same, deliver
from webhook_receiver import add_webhook

import media_files

from newswire.domain import ids
from newswire.services.media import Upload
from newswire.storage.db import alembic_config, upgrade
from newswire.storage.tables import releases

pytestmark = pytest.mark.timeout(300)


def test_public_ids_are_random_distinct_and_carry_no_order():
    made = [ids.new_public_id() for _ in range(2000)]
    assert len(set(made)) == len(made)
    assert all(ids.PUBLIC_ID.match(x) and not x.isdigit() for x in made)
    assert made != sorted(made)
    for position in range(ids.LENGTH):  # every position varies over (nearly) its whole alphabet
        assert len({x[position] for x in made}) >= (26 if position == 0 else 32)
    assert ids.parse_ref(made[0]) == made[0] and ids.parse_ref("42") == 42
    assert ids.parse_ref("4" * 11) is None and ids.parse_ref(str(2**31)) is None and ids.parse_ref("x.y") is None


def test_releases_get_public_ids_unrelated_to_their_numbers(client, wire, keys, sample, editor):
    made = [wire.releases.create(editor, {**sample, "issuer": "acme"}) for _ in range(12)]
    public = [r.public_id for r in made]
    assert len(set(public)) == len(public) and all(ids.PUBLIC_ID.match(p) for p in public)
    assert public != sorted(public) or public != sorted(public, reverse=True)  # (neither order, or a 1/12! fluke)
    assert not any(str(r.id) == p for r, p in zip(made, public))
    body = client.post("/api/v1/releases", json={**sample, "issuer": "acme"}, headers=auth(keys["editor"])).json()
    assert ids.PUBLIC_ID.match(body["id"]) and body["api_url"].endswith(f"/api/v1/releases/{body['id']}")


@pytest.fixture
def pair(wire, editor, sample):
    """A public release and an embargoed one, made as the desk makes them (numbers, public ids)."""
    a = wire.releases.create(editor, {**sample, "issuer": "acme"})
    a = wire.releases.publish(editor, a.id)
    b = wire.releases.create(editor, {**sample, "issuer": "acme", "headline": "Acme plans a secret merger"})
    return a, b


ITEM_PATHS = ("/api/v1/releases/{}", "/api/v1/releases/{}.xml", "/api/v1/releases/{}/status",
              "/api/v1/releases/{}/checks", "/api/v1/releases/{}/translations", "/api/v1/releases/{}/media",
              "/api/v1/releases/{}/deliveries", "/api/v1/releases/{}/report", "/releases/{}",
              "/en/releases/{}/acme-unveils-the-rocket-skate-3000", "/portal/releases/{}",
              "/portal/releases/{}/report")


def test_a_number_is_a_missing_id_to_whoever_may_not_manage_the_release(client, keys, signed_in, pair, wire):
    a, _ = pair
    missing = 2**31 - 1  # a number no release has
    actors = {"outsider": (client, {}), "subscriber": (client, auth(keys["subscriber"])),
              "other issuer": (client, auth(keys["globex"])),
              "other issuer's person": (signed_in("issuer", issuer="globex"), {}),
              "subscriber's account": (signed_in("subscriber"), {})}
    number = re.compile(rf"(?<![0-9])({a.id}|{missing})(?![0-9])")
    for who, (c, headers) in actors.items():
        for path in ITEM_PATHS:
            x, y = (c.get(path.format(n), headers=headers, follow_redirects=True) for n in (a.id, missing))
            assert (x.status_code, x.headers.get("content-type"), _same(number, x.text)) == \
                (y.status_code, y.headers.get("content-type"), _same(number, y.text)), (who, path, _diff(x.text, y.text))
            assert x.status_code in (401, 403, 404) or not path.startswith("/api/"), (who, path, x.status_code)
        # by its public id the public release is there for all of them
        r = c.get(f"/api/v1/releases/{a.public_id}", headers=headers)
        assert r.status_code == 200 and r.json()["uri"].endswith(f"/releases/{a.public_id}"), (who, r.text)
    for who in ("acme", "editor", "admin"):  # who manages it may use the number the desk shows
        r = client.get(f"/api/v1/releases/{a.id}/status", headers=auth(keys[who]))
        assert r.status_code == 200 and r.json()["id"] == a.public_id, who


def test_numbers_of_releases_made_after_the_migration_never_resolve_in_public(client, pair):
    a, _ = pair
    for path in (f"/releases/{a.id}", f"/en/releases/{a.id}/{a.slug}", f"/api/v1/releases/{a.id}"):
        assert client.get(path, follow_redirects=False).status_code == 404, path
    page = client.get(f"/releases/{a.public_id}", follow_redirects=False)
    assert page.status_code == 301 and page.headers["location"] == f"/en/releases/{a.public_id}/{a.slug}"


def test_0015_gives_every_release_a_public_id_and_keeps_old_public_urls_as_redirects(
        client, wire, editor, sample, database_url):
    """A database at 0014 with a published release and a draft: after the upgrade both have public
    ids; the published one's numeric URLs redirect to the new ones, the draft (published later)
    has none."""
    live = wire.releases.publish(editor, wire.releases.create(editor, {**sample, "issuer": "acme"}).id)
    draft = wire.releases.create(editor, {**sample, "issuer": "acme", "headline": "Acme opens a plant"})
    wire.engine.dispose()
    command.downgrade(alembic_config(database_url), "0014")
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        assert "public_id" not in {c["name"] for c in sa.inspect(conn).get_columns("releases")}
    upgrade(database_url)
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(sa.select(releases.c.id, releases.c.public_id, releases.c.numeric_url))}
    engine.dispose()
    assert {rows[live.id].numeric_url, rows[draft.id].numeric_url} == {True, False} and rows[live.id].numeric_url
    assert all(ids.PUBLIC_ID.match(r.public_id) for r in rows.values())
    assert rows[live.id].public_id != live.public_id  # (a fresh one: the upgrade made it)
    new = rows[live.id].public_id
    for old in (f"/releases/{live.id}", f"/en/releases/{live.id}/{live.slug}", f"/en/releases/{live.id}/old-slug"):
        r = client.get(old, follow_redirects=False)
        assert r.status_code == 301 and r.headers["location"] == f"/en/releases/{new}/{live.slug}", (old, r.headers)
    assert client.get(f"/en/releases/{new}/{live.slug}").status_code == 200
    # its permanent identifiers (feed GUIDs, ninjs uri) stay what readers already hold
    assert client.get(f"/api/v1/releases/{new}").json()["uri"] == f"http://testserver/releases/{live.id}"
    later = wire.releases.publish(editor, draft.id)  # public only after the migration: no numeric URL
    for path in (f"/releases/{later.id}", f"/en/releases/{later.id}/{later.slug}"):
        assert client.get(path, follow_redirects=False).status_code == 404, path
    assert client.get(f"/releases/{rows[draft.id].public_id}", follow_redirects=False).status_code == 301


@pytest.fixture
def settings(settings, smtp):
    return settings.with_overrides(webhook_allow_private=True, smtp_url=f"smtp://127.0.0.1:{smtp.port}",
                                   mail_from="Wire <wire@newswire.test>")


def test_no_public_output_carries_the_internal_number(client, app, wire, editor, sample, receiver, smtp):
    add_webhook(wire, receiver.url("/all"))
    add_journalist(wire, "ada@paper.test")
    for _ in range(6):  # a number with some digits to look for, not the 1 found everywhere
        wire.releases.create(editor, {**sample, "issuer": "acme"})
    r = wire.releases.publish(editor, wire.releases.create(editor, {**sample, "issuer": "acme"}).id)
    assert r.id == 7
    n = str(r.id)
    forms = re.compile(rf"releases/{n}(?![0-9])|release-{n}(?![0-9])|\"id\": ?{n}(?![0-9])|"
                       rf"data-release-id=\"{n}\"|\.{n}\.[0-9]+@")
    outputs = {path: client.get(path).text for path in (
        f"/en/releases/{r.public_id}/{r.slug}", "/en/", "/en/issuers/acme", "/en/search?q=rocket", "/en/live",
        "/feeds/en.rss", "/feeds/en.atom", "/feeds/en.json", "/sitemap-news.xml", "/api/v1/releases",
        f"/api/v1/releases/{r.public_id}", f"/api/v1/releases/{r.public_id}.xml")}
    assert r.public_id in outputs[f"/en/releases/{r.public_id}/{r.slug}"]
    assert "application/ld+json" in outputs[f"/en/releases/{r.public_id}/{r.slug}"]  # (JSON-LD is in the page)
    deliver(wire)
    assert receiver.hits and smtp.received
    outputs["webhook"] = "\n".join(h.body.decode() for h in receiver.hits)
    outputs["e-mail"] = "\n".join(raw.decode("utf-8", "replace") for _, raw, _ in smtp.received)
    with running(app) as base:
        stream = Stream(f"{base}/live", headers={"Last-Event-ID": "0"})
        outputs["live stream"] = str(stream.events(1))
        stream.close()
    assert r.public_id in outputs["webhook"] and r.public_id in outputs["live stream"]
    found = {name: forms.findall(text) for name, text in outputs.items() if forms.search(text)}
    assert found == {}


def test_media_numbers_are_only_for_who_manages_the_release(client, wire, keys, editor, sample):
    """Media item numbers count pictures across the wire (embargoed ones too): the public media list
    gives each item without its number (the renditions' URLs carry the random token); the issuer
    and the desk, who replace, delete and order items by number, get it."""
    release = wire.releases.create(editor, {**sample, "issuer": "acme"})
    item = wire.media.upload(editor, release.id, Upload(media_files.image(), "photo.png", "A photo", "", ""))
    release = wire.releases.publish(editor, release.id)
    path = f"/api/v1/releases/{release.public_id}/media"
    (public,) = client.get(path).json()["items"]
    assert public["id"] is None and item.token in public["renditions"][0]["href"]
    assert not re.search(rf"/{item.id}\b", str(public))
    for role in ("acme", "editor"):
        (own,) = client.get(path, headers=auth(keys[role])).json()["items"]
        assert own["id"] == item.id
    (subscribed,) = client.get(path, headers=auth(keys["subscriber"])).json()["items"]
    assert subscribed["id"] is None
