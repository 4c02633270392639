"""The operator view of the delivery ledger, and replaying dead deliveries (API and CLI)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from conftest import auth
from helpers import assert_problem, snapshot
from newswire.domain.models import SYSTEM
from newswire.storage.tables import deliveries

ROLES = ["anonymous", "subscriber", "other", "globex", "acme", "editor", "own", "admin"]
PUBLIC_URL = "https://93.184.216.34/hook"


def token(keys, who):
    return None if who == "anonymous" else keys[who]


@pytest.fixture
def sent(wire, keys, reference, sample):
    """Planet (English, webhook + e-mail) matches acme's release; Bugle (German only) does not."""
    s = wire.subscriptions
    planet = s.create(SYSTEM, {"kind": "outlet", "name": "Daily Planet", "languages": ["en"]}).id
    bugle = s.create(SYSTEM, {"kind": "outlet", "name": "Bugle", "languages": ["de"]}).id
    hook = s.add_endpoint(SYSTEM, planet, {"channel": "webhook", "url": PUBLIC_URL}).endpoint.id
    mail = s.add_endpoint(SYSTEM, planet, {"channel": "email", "address": "desk@planet.example"}).endpoint.id
    s.add_endpoint(SYSTEM, bugle, {"channel": "webhook", "url": PUBLIC_URL + "/bugle"})
    with reference.tokens_from_spares():
        keys["own"] = wire.accounts.create_api_key("subscriber", "Planet key", subscriber_id=planet)
        keys["other"] = wire.accounts.create_api_key("subscriber", "Bugle key", subscriber_id=bugle)
    editor = wire.accounts.authenticate(keys["editor"])
    created = wire.releases.create(editor, {**sample, "issuer": "acme"})
    release = created.id
    wire.releases.publish(editor, release)
    with wire.engine.connect() as conn:
        ids = conn.execute(sa.select(deliveries.c.id).order_by(deliveries.c.id)).scalars().all()
    return {"planet": planet, "bugle": bugle, "hook": hook, "mail": mail, "release": release,
            "public": created.public_id, "deliveries": ids}


def kill(wire, delivery_id, error="HTTP 500 after 8 attempts"):
    with wire.engine.begin() as conn:
        conn.execute(sa.update(deliveries).where(deliveries.c.id == delivery_id)
                     .values(status="dead", attempts=8, last_status_code=500, last_error=error))


def row(wire, delivery_id):
    with wire.engine.connect() as conn:
        return conn.execute(sa.select(deliveries).where(deliveries.c.id == delivery_id)).one()


# by its public id (by its internal number: the same 200s, and the missing-id 404 for all the rest)
RELEASE_REPORT = {"anonymous": 401, "subscriber": 404, "other": 404, "own": 404, "globex": 404, "acme": 200,
                  "editor": 200, "admin": 200}


@pytest.mark.parametrize("who", ROLES)
def test_release_report_is_for_its_issuer_and_the_desk(client, keys, sent, who):
    r = client.get(f"/api/v1/releases/{sent['public']}/deliveries", headers=auth(token(keys, who)))
    assert r.status_code == RELEASE_REPORT[who], r.text
    # by its internal number: for who may manage it; for anyone else (anonymous too) the missing-id 404
    by_number = client.get(f"/api/v1/releases/{sent['release']}/deliveries", headers=auth(token(keys, who)))
    missing = client.get("/api/v1/releases/2000000/deliveries", headers=auth(token(keys, who)))
    if RELEASE_REPORT[who] == 200:
        assert by_number.status_code == 200 and by_number.json() == r.json(), by_number.text
    else:
        assert by_number.status_code == missing.status_code == 404, by_number.text
        assert by_number.text == missing.text.replace("2000000", str(sent["release"]))


SUBSCRIBER_REPORT = {"anonymous": 401, "subscriber": 404, "other": 404, "own": 200, "globex": 404, "acme": 404,
                     "editor": 404, "admin": 200}


@pytest.mark.parametrize("who", ROLES)
def test_subscriber_report_is_for_itself_and_admins(client, keys, sent, who):
    r = client.get(f"/api/v1/subscribers/{sent['planet']}/deliveries", headers=auth(token(keys, who)))
    assert r.status_code == SUBSCRIBER_REPORT[who], r.text
    if r.status_code == 200:
        assert {d["subscriber_id"] for d in r.json()["items"]} == {sent["planet"]}


REPLAY = {"anonymous": 401, "admin": 200}


@pytest.mark.parametrize("who", ROLES)
def test_replay_is_for_admins(client, wire, keys, sent, who):
    first, second = sent["deliveries"]
    kill(wire, first)
    kill(wire, second)
    h = auth(token(keys, who))
    assert client.post(f"/api/v1/deliveries/{first}/replay", headers=h).status_code == REPLAY.get(who, 403)
    assert client.post("/api/v1/deliveries/replay?dead=true", headers=h).status_code == REPLAY.get(who, 403)
    assert row(wire, second).status == ("pending" if who == "admin" else "dead")


def test_release_report_after_publish(client, keys, sent):
    r = client.get(f"/api/v1/releases/{sent['public']}/deliveries", headers=auth(keys["acme"]))
    body = r.json()
    assert body["summary"] == {"pending": 2, "delivered": 0, "dead": 0, "cancelled": 0, "total": 2}
    assert {(d["endpoint_id"], d["channel"]) for d in body["items"]} == {(sent["hook"], "webhook"),
                                                                       (sent["mail"], "email")}
    d = body["items"][0]
    assert d["subscriber_id"] == sent["planet"] and d["subscriber_name"] == "Daily Planet"
    assert {x["release_id"] for x in body["items"]} == {sent["public"]}  # the public id, never the row's number
    assert d["event"] == "release.published" and d["status"] == "pending" and d["attempts"] == 0
    assert d["next_attempt_at"] and d["created_at"] and d["delivered_at"] is None and d["last_error"] is None
    assert "last_status_code" in d and "last_attempt_at" in d
    emails = client.get(f"/api/v1/releases/{sent['public']}/deliveries?channel=email", headers=auth(keys["acme"]))
    assert [x["endpoint_id"] for x in emails.json()["items"]] == [sent["mail"]]
    dead = client.get(f"/api/v1/releases/{sent['public']}/deliveries?status=dead", headers=auth(keys["acme"]))
    assert dead.json()["items"] == [] and dead.json()["summary"]["total"] == 2


def test_report_pages_with_a_cursor(client, keys, sent):
    path = f"/api/v1/releases/{sent['public']}/deliveries?limit=1"
    first = client.get(path, headers=auth(keys["editor"])).json()
    assert [d["id"] for d in first["items"]] == sent["deliveries"][:1] and first["next"]
    second = client.get(first["next"], headers=auth(keys["editor"])).json()
    assert [d["id"] for d in second["items"]] == sent["deliveries"][1:] and second["next"] is None


@pytest.mark.parametrize("query,field", [("status=lost", "status"), ("channel=fax", "channel"),
                                         ("cursor=x1", "cursor")])
def test_bad_filters_name_the_field(client, keys, sent, query, field):
    r = client.get(f"/api/v1/releases/{sent['public']}/deliveries?{query}", headers=auth(keys["admin"]))
    assert_problem(r, 422, field)


def test_replay_a_dead_delivery(client, wire, keys, sent):
    dead, alive = sent["deliveries"]
    kill(wire, dead)
    report = client.get(f"/api/v1/releases/{sent['public']}/deliveries?status=dead", headers=auth(keys["admin"]))
    [d] = report.json()["items"]
    assert d["id"] == dead and d["last_status_code"] == 500 and d["next_attempt_at"] is None
    assert report.json()["summary"]["dead"] == 1
    before = snapshot(wire.engine)
    assert_problem(client.post(f"/api/v1/deliveries/{alive}/replay", headers=auth(keys["admin"])), 409)
    assert_problem(client.post("/api/v1/deliveries/99999/replay", headers=auth(keys["admin"])), 404)
    assert_problem(client.post("/api/v1/deliveries/replay", headers=auth(keys["admin"])), 422, "dead")
    assert snapshot(wire.engine) == before
    r = client.post(f"/api/v1/deliveries/{dead}/replay", headers=auth(keys["admin"]))
    assert r.json() == {"replayed": 1}
    again = row(wire, dead)
    assert (again.status, again.attempts) == ("pending", 0) and again.next_attempt_at <= wire.clock()


def test_cli_lists_and_replays(wire, settings, sent):
    from newswire.cli import app

    runner, db = CliRunner(), ["--database-url", settings.sqlalchemy_url]
    first, second = sent["deliveries"]
    kill(wire, first)
    res = runner.invoke(app, ["deliveries", "list", "--release", str(sent["release"]), "--status", "dead", *db])
    assert res.exit_code == 0, res.output
    assert "Daily Planet" in res.stdout and "dead: 1" in res.stdout and "pending: 1" in res.stdout
    res = runner.invoke(app, ["deliveries", "replay", str(first), *db])
    assert res.exit_code == 0 and "1 delivery made due again" in res.stdout, res.output
    assert row(wire, first).status == "pending"
    kill(wire, first)
    kill(wire, second)
    res = runner.invoke(app, ["deliveries", "replay", "--dead", *db])
    assert res.exit_code == 0 and "2 deliveries made due again" in res.stdout, res.output
    res = runner.invoke(app, ["deliveries", "replay", str(first), *db])
    assert res.exit_code == 1 and "only dead deliveries" in res.output
    assert runner.invoke(app, ["deliveries", "replay", *db]).exit_code == 2
