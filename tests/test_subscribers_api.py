"""/api/v1/subscribers: who may manage whom, validation, webhook secrets and their rotation."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from conftest import auth
from fastapi.testclient import TestClient
from helpers import assert_problem, rewire, snapshot
from newswire.web.app import create_app
from newswire.distribution.secrets import decrypt
from newswire.storage.tables import endpoints
from ssrf_cases import ALLOWED, REFUSED

# "own" is a key bound to the subscriber under test, "other" one bound to another subscriber,
# "subscriber" a subscriber key bound to none.
ROLES = ["anonymous", "subscriber", "other", "globex", "acme", "editor", "own", "admin"]
PUBLIC_URL = "https://93.184.216.34/hook"  # a public address literal: no DNS lookup in tests
SUBSCRIBER = {"kind": "outlet", "name": "Daily Planet", "email": "desk@planet.example", "languages": ["en"],
              "regions": ["us"], "industries": ["medtop:04000000"], "issuers": ["acme"], "timezone": "America/New_York"}


@pytest.fixture
def subs(wire, keys, reference):
    """Two subscribers, each with a key bound to it; ids under 'own_id' and 'other_id'."""
    from newswire.domain.models import SYSTEM

    s = wire.subscriptions
    own = s.create(SYSTEM, SUBSCRIBER).id
    other = s.create(SYSTEM, {"kind": "journalist", "name": "Bugle", "email": "jj@bugle.example"}).id
    with reference.tokens_from_spares():
        keys["own"] = wire.accounts.create_api_key("subscriber", "Planet key", subscriber_id=own)
        keys["other"] = wire.accounts.create_api_key("subscriber", "Bugle key", subscriber_id=other)
    return {"own_id": own, "other_id": other, "service": s}


@pytest.fixture
def webhook(client, keys, subs):
    r = client.post(f"/api/v1/subscribers/{subs['own_id']}/endpoints", headers=auth(keys["admin"]),
                    json={"channel": "webhook", "url": PUBLIC_URL})
    assert r.status_code == 201, r.text
    return r.json()


def token(keys, who):
    return None if who == "anonymous" else keys[who]


OWN_OR_ADMIN = {"anonymous": 401, "subscriber": 404, "other": 404, "globex": 404, "acme": 404, "editor": 404,
                "own": 200, "admin": 200}


def expect(ok: int) -> dict:
    return {**OWN_OR_ADMIN, "own": ok, "admin": ok}


@pytest.mark.parametrize("who", ROLES)
def test_create_subscriber_is_for_admins(client, keys, subs, who):
    r = client.post("/api/v1/subscribers", json=SUBSCRIBER, headers=auth(token(keys, who)))
    want = {"anonymous": 401, "admin": 201}.get(who, 403)
    assert r.status_code == want, r.text
    if want == 201:
        body = r.json()
        assert body["regions"] == ["US"] and body["issuers"] == ["acme"] and body["timezone"] == "America/New_York"
        assert r.headers["location"].endswith(f"/api/v1/subscribers/{body['id']}")


LIST = {"anonymous": 401, "subscriber": 200, "other": 200, "globex": 403, "acme": 403, "editor": 403,
        "own": 200, "admin": 200}


@pytest.mark.parametrize("who", ROLES)
def test_list_subscribers(client, keys, subs, who):
    r = client.get("/api/v1/subscribers", headers=auth(token(keys, who)))
    assert r.status_code == LIST[who], r.text
    if r.status_code == 200:
        ids = [x["id"] for x in r.json()["items"]]
        want = {"admin": [subs["own_id"], subs["other_id"]], "own": [subs["own_id"]],
                "other": [subs["other_id"]], "subscriber": []}[who]
        assert ids == want


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("method,suffix,body,ok", [
    ("get", "", None, 200),
    ("patch", "", {"languages": ["de", "en"]}, 200),
    ("delete", "", None, 204),
    ("get", "/endpoints", None, 200),
    ("post", "/endpoints", {"channel": "email", "address": "news@planet.example"}, 201),
    ("get", "/deliveries", None, 200),
])
def test_subscriber_resources(client, keys, subs, who, method, suffix, body, ok):
    r = client.request(method, f"/api/v1/subscribers/{subs['own_id']}{suffix}", headers=auth(token(keys, who)),
                       json=body)
    assert r.status_code == expect(ok)[who], r.text


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("method,suffix,ok", [
    ("delete", "", 204), ("post", "/rotate-secret", 200), ("post", "/enable", 200)])
def test_endpoint_actions(client, keys, subs, webhook, who, method, suffix, ok):
    path = f"/api/v1/subscribers/{subs['own_id']}/endpoints/{webhook['id']}{suffix}"
    r = client.request(method, path, headers=auth(token(keys, who)))
    assert r.status_code == expect(ok)[who], r.text


def test_endpoint_of_another_subscriber_is_not_found(client, keys, subs, webhook):
    r = client.delete(f"/api/v1/subscribers/{subs['other_id']}/endpoints/{webhook['id']}", headers=auth(keys["admin"]))
    assert_problem(r, 404)
    r = client.get(f"/api/v1/subscribers/{subs['own_id'] + 100}", headers=auth(keys["admin"]))
    assert_problem(r, 404)


@pytest.mark.parametrize("who", ROLES)
def test_mint_subscriber_key(client, keys, subs, who):
    r = client.post(f"/api/v1/subscribers/{subs['own_id']}/keys", headers=auth(token(keys, who)))
    assert r.status_code == {"anonymous": 401, "admin": 201}.get(who, 403), r.text
    if r.status_code == 201:
        key = r.json()["key"]
        assert client.get(f"/api/v1/subscribers/{subs['own_id']}", headers=auth(key)).status_code == 200
        assert client.get(f"/api/v1/subscribers/{subs['other_id']}", headers=auth(key)).status_code == 404


BAD_SUBSCRIBERS = [
    ({"kind": "blogger"}, "kind"),
    ({"kind": None}, "kind"),
    ({"name": ""}, "name"),
    ({"email": "not-an-address"}, "email"),
    ({"languages": ["en", "xx"]}, "languages[1]"),
    ({"languages": "en"}, "languages"),
    ({"regions": ["ZZ"]}, "regions[0]"),
    ({"industries": ["medtop:99999999"]}, "industries[0]"),
    ({"industries": ["medtop:20000030"]}, "industries[0]"),  # retired by IPTC
    ({"issuers": ["nobody"]}, "issuers[0]"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"colour": "blue"}, "colour"),
]


@pytest.mark.parametrize("change,field", BAD_SUBSCRIBERS)
def test_invalid_subscriber_is_refused_and_changes_nothing(client, wire, keys, subs, change, field):
    before = snapshot(wire.engine)
    r = client.post("/api/v1/subscribers", json={**SUBSCRIBER, **change}, headers=auth(keys["admin"]))
    body = assert_problem(r, 422, field)
    assert body["errors"][0]["message"]
    r = client.patch(f"/api/v1/subscribers/{subs['own_id']}", json=change, headers=auth(keys["own"]))
    if field != "kind":  # a subscriber may not change its kind at all
        assert_problem(r, 422, field)
    assert snapshot(wire.engine) == before


def test_all_mistakes_are_reported_at_once(client, keys, subs):
    r = client.post("/api/v1/subscribers", headers=auth(keys["admin"]),
                    json={"kind": "x", "name": "", "timezone": "Nowhere", "regions": ["ZZ"]})
    fields = {e["field"] for e in assert_problem(r, 422)["errors"]}
    assert fields == {"kind", "name", "timezone", "regions[0]"}


def test_subscriber_key_manages_its_own_preferences(client, keys, subs):
    path = f"/api/v1/subscribers/{subs['own_id']}"
    r = client.patch(path, json={"industries": ["medtop:20000209"], "timezone": "Asia/Seoul"},
                     headers=auth(keys["own"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["industries"] == ["medtop:20000209"] and body["timezone"] == "Asia/Seoul"
    assert body["languages"] == ["en"] and body["issuers"] == ["acme"]  # untouched preferences stay
    assert_problem(client.patch(path, json={"kind": "desktop"}, headers=auth(keys["own"])), 403)
    assert client.patch(path, json={"kind": "desktop"}, headers=auth(keys["admin"])).json()["kind"] == "desktop"


def test_deleting_a_subscriber_revokes_its_keys(client, keys, subs):
    path = f"/api/v1/subscribers/{subs['own_id']}"
    assert client.get(path, headers=auth(keys["own"])).status_code == 200
    assert client.delete(path, headers=auth(keys["own"])).status_code == 204
    assert_problem(client.get(path, headers=auth(keys["own"])), 401)
    assert_problem(client.get(path, headers=auth(keys["admin"])), 404)


def test_list_pages_with_a_cursor(client, keys, subs):
    client.post("/api/v1/subscribers", json=SUBSCRIBER, headers=auth(keys["admin"]))
    first = client.get("/api/v1/subscribers?limit=2", headers=auth(keys["admin"])).json()
    assert len(first["items"]) == 2 and first["next"]
    second = client.get(first["next"], headers=auth(keys["admin"])).json()
    assert len(second["items"]) == 1 and second["next"] is None
    assert_problem(client.get("/api/v1/subscribers?cursor=abc", headers=auth(keys["admin"])), 422, "cursor")


def _row(wire, endpoint_id):
    with wire.engine.connect() as conn:
        return conn.execute(sa.select(endpoints).where(endpoints.c.id == endpoint_id)).one()


def test_webhook_secret_is_shown_once_and_stored_encrypted(client, wire, keys, subs, webhook):
    secret = webhook["secret"]
    assert secret.startswith("whsec_") and len(secret) > 30
    assert webhook["url"] == PUBLIC_URL and webhook["format"] == "ninjs" and webhook["status"] == "active"
    listed = client.get(f"/api/v1/subscribers/{subs['own_id']}/endpoints", headers=auth(keys["own"]))
    assert secret not in listed.text and "secret" not in listed.json()["items"][0]
    everything = repr(snapshot(wire.engine))
    assert secret not in everything and secret.removeprefix("whsec_") not in everything
    assert decrypt(wire.settings, _row(wire, webhook["id"]).secret_enc) == secret


def test_rotation_keeps_the_previous_secret_valid_for_the_overlap(client, wire, clock, keys, subs, webhook):
    clock.set(dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.timezone.utc))
    path = f"/api/v1/subscribers/{subs['own_id']}/endpoints/{webhook['id']}/rotate-secret"
    r = client.post(path, headers=auth(keys["own"]))
    assert r.status_code == 200, r.text
    new = r.json()["secret"]
    assert new.startswith("whsec_") and new != webhook["secret"]
    assert r.json()["previous_secret_expires_at"] == "2026-05-02T12:00:00+00:00"
    row = _row(wire, webhook["id"])
    assert decrypt(wire.settings, row.secret_enc) == new
    assert decrypt(wire.settings, row.previous_secret_enc) == webhook["secret"]
    assert row.previous_secret_expires_at == dt.datetime(2026, 5, 2, 12, 0, tzinfo=dt.timezone.utc)
    assert new not in repr(snapshot(wire.engine))


def test_email_endpoints(client, wire, keys, subs):
    path = f"/api/v1/subscribers/{subs['own_id']}/endpoints"
    r = client.post(path, json={"channel": "email", "digest_hour": 7}, headers=auth(keys["own"]))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["address"] == "desk@planet.example" and body["digest_hour"] == 7 and "secret" not in body
    assert len(_row(wire, body["id"]).unsubscribe_token) >= 24
    assert_problem(client.post(f"{path}/{body['id']}/rotate-secret", headers=auth(keys["own"])), 409)
    again = client.post(path, json={"channel": "email", "address": "desk@planet.example"}, headers=auth(keys["own"]))
    assert_problem(again, 409)


BAD_ENDPOINTS = [
    ({"channel": "carrier-pigeon"}, "channel"),
    ({"channel": "websub", "url": PUBLIC_URL}, "channel"),
    ({"channel": "webhook"}, "url"),
    ({"channel": "webhook", "url": "ftp://93.184.216.34/x"}, "url"),
    ({"channel": "webhook", "url": PUBLIC_URL, "format": "rss"}, "format"),
    ({"channel": "webhook", "url": PUBLIC_URL, "max_in_flight": 0}, "max_in_flight"),
    ({"channel": "webhook", "url": PUBLIC_URL, "max_in_flight": 65}, "max_in_flight"),
    ({"channel": "webhook", "url": PUBLIC_URL, "digest_hour": 8}, "digest_hour"),
    ({"channel": "email", "address": "nobody"}, "address"),
    ({"channel": "email", "address": "a@b.example", "digest_hour": 24}, "digest_hour"),
    ({"channel": "email", "url": PUBLIC_URL}, "url"),
    ({"channel": "webhook", "url": "http://127.0.0.1:9/hook"}, "url"),
    ({"channel": "webhook", "url": "http://169.254.169.254/latest/meta-data"}, "url"),
    ({"channel": "webhook", "url": "http://[::1]/hook"}, "url"),
    ({"channel": "webhook", "url": "http://10.1.2.3/hook"}, "url"),
]


@pytest.mark.parametrize("body,field", BAD_ENDPOINTS)
def test_invalid_endpoint_is_refused_and_changes_nothing(client, wire, keys, subs, body, field):
    before = snapshot(wire.engine)
    r = client.post(f"/api/v1/subscribers/{subs['other_id']}/endpoints", json=body, headers=auth(keys["other"]))
    assert_problem(r, 422, field)
    assert snapshot(wire.engine) == before


def test_private_webhook_urls_need_the_operator_to_allow_them(client, wire, keys, subs):
    path = f"/api/v1/subscribers/{subs['own_id']}/endpoints"
    refused = assert_problem(client.post(path, json={"channel": "webhook", "url": "http://127.0.0.1:9/hook"},
                                         headers=auth(keys["own"])), 422, "url")
    assert "127.0.0.1" in refused["detail"] and "NEWSWIRE_WEBHOOK_ALLOW_PRIVATE" in refused["detail"]
    lenient = TestClient(create_app(rewire(wire, webhook_allow_private=True)))  # the operator allows them
    r = lenient.post(path, json={"channel": "webhook", "url": "http://127.0.0.1:9/hook"}, headers=auth(keys["own"]))
    assert r.status_code == 201, r.text
    # Disabled (say, after a 410) and re-enabled once the operator no longer allows private targets: refused.
    eid = r.json()["id"]
    with wire.engine.begin() as conn:
        conn.execute(sa.update(endpoints).where(endpoints.c.id == eid)
                     .values(status="disabled", disabled_reason="410 Gone"))
    assert_problem(client.post(f"{path}/{eid}/enable", headers=auth(keys["own"])), 422, "url")
    assert _row(wire, eid).status == "disabled"
    r = lenient.post(f"{path}/{eid}/enable", headers=auth(keys["own"]))
    assert r.status_code == 200 and r.json()["status"] == "active" and r.json()["disabled_reason"] == ""


def test_webhook_urls_are_judged_by_the_address_they_reach(client, wire, keys, subs):
    """Embedded IPv4 in IPv6 forms, numeric spellings and names resolving to loopback: all refused."""
    path = f"/api/v1/subscribers/{subs['own_id']}/endpoints"
    before = snapshot(wire.engine)
    for url, shown in REFUSED + [("http://localhost/hook", "127.0.0.1")]:
        refused = assert_problem(client.post(path, json={"channel": "webhook", "url": url},
                                             headers=auth(keys["own"])), 422, "url")
        assert shown in refused["detail"], (url, refused["detail"])
    assert snapshot(wire.engine) == before
    for url in ALLOWED:
        r = client.post(path, json={"channel": "webhook", "url": url}, headers=auth(keys["own"]))
        assert r.status_code == 201, (url, r.text)


def test_cli_binds_a_subscriber_key(wire, settings, client, keys):
    from newswire.cli import app

    runner, db = CliRunner(), ["--database-url", settings.sqlalchemy_url]
    res = runner.invoke(app, ["subscriber", "create", "--kind", "journalist", "--name", "Lois", "--language", "en",
                              "--region", "US", *db])
    assert res.exit_code == 0, res.output
    sid = int(res.stdout.rsplit(" ", 1)[1])
    res = runner.invoke(app, ["apikey", "create", "--role", "subscriber", "--name", "Lois", "--subscriber",
                              str(sid), *db])
    assert res.exit_code == 0, res.output
    key = res.stdout.strip().splitlines()[-1]
    body = client.get(f"/api/v1/subscribers/{sid}", headers=auth(key)).json()
    assert body["name"] == "Lois" and body["languages"] == ["en"] and body["regions"] == ["US"]
    bad = runner.invoke(app, ["apikey", "create", "--role", "editor", "--name", "x", "--subscriber", str(sid), *db])
    assert bad.exit_code == 1
    bad = runner.invoke(app, ["subscriber", "create", "--kind", "outlet", "--name", "X", "--timezone", "Moon", *db])
    assert bad.exit_code == 1 and "timezone" in bad.output
