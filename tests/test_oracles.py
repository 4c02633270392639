"""Existence oracles, closed: what an outsider can measure about an id, a key or an issuer slug that
it may not know of. Judged by structure, never by the clock: the same status and body, the same
SQL statements (counted with a SQLAlchemy event listener), the same Argon2 verifications."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
import sqlalchemy as sa

from conftest import auth
from newswire.services import access

MISSING_ID = 2_000_000  # an internal number in range that no release has
MISSING_PUBLIC_ID = "zzzzzzzzzzzzzzzzz"  # a well-formed public id that no release has


def missing_like(release, ref) -> str:
    """The missing reference of the same kind as ``ref`` (a public id or an internal number)."""
    return MISSING_PUBLIC_ID if ref == release.public_id else str(MISSING_ID)


@contextlib.contextmanager
def statements(engine):
    """Every SQL statement ``engine`` runs inside the block, its parameters left out."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statement = re.sub(r"\s+", " ", statement)
        if "max(stream_events.id)" not in statement:  # the page cache's clock-driven look for news, not the id's
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def answered(client, wire, url: str, **kw) -> tuple[int, str, list[str]]:
    with statements(wire.engine) as seen:
        r = client.get(url, **kw)
    return r.status_code, r.text, list(seen)


@pytest.fixture
def hidden(wire, keys, sample):
    """A scheduled release and a draft of acme's: ids that exist but are not public."""
    editor = wire.accounts.authenticate(keys["editor"])
    when = (wire.clock() + dt.timedelta(hours=2)).isoformat()
    scheduled = wire.releases.publish(editor, wire.releases.create(
        editor, {**sample, "issuer": "acme", "embargo_until": when}).id)
    assert scheduled.status.value == "scheduled"
    draft = wire.releases.create(wire.accounts.authenticate(keys["acme"]), {**sample, "issuer": "acme"})
    assert draft.status.value == "draft"
    return {"scheduled": scheduled, "draft": draft}


@pytest.mark.parametrize("who", [None, "globex"])
def test_an_api_get_of_a_hidden_id_does_what_a_missing_one_does(client, wire, keys, hidden, who):
    """By its public id or by its internal number, a hidden release answers as a missing reference
    of the same kind: the same status, the same body but for the id, the same SQL statements."""
    headers = auth(keys.get(who)) if who else {}
    client.get(f"/api/v1/releases/{MISSING_ID}", headers=headers)  # (warm: the key is cached, as for a prober)
    missing = {}
    for ref in (MISSING_ID, MISSING_PUBLIC_ID):
        status, body, seen = answered(client, wire, f"/api/v1/releases/{ref}", headers=headers)
        assert status == 404 and seen
        missing[str(ref)] = (body.replace(str(ref), "ID"), seen)
    for kind, release in hidden.items():
        for ref in (release.public_id, str(release.id)):
            got_status, got_body, seen = answered(client, wire, f"/api/v1/releases/{ref}", headers=headers)
            body, statements_of_missing = missing[missing_like(release, ref)]
            assert got_status == 404, (kind, ref)
            assert re.sub(rf"\b{re.escape(ref)}\b", "ID", got_body) == body, (kind, ref)
            assert seen == statements_of_missing, (kind, ref)
    # and the release's own issuer still reads it, by either (the structure is not a blanket refusal)
    for ref in (hidden["draft"].public_id, hidden["draft"].id):
        assert client.get(f"/api/v1/releases/{ref}", headers=auth(keys["acme"])).status_code == 200


def test_a_page_of_a_hidden_id_does_what_a_missing_one_does(client, wire, hidden):
    missing = {}
    for ref in (MISSING_ID, MISSING_PUBLIC_ID):
        status, body, seen = answered(client, wire, f"/en/releases/{ref}/x")
        assert status == 404 and seen
        guid_status, _, guid_seen = answered(client, wire, f"/releases/{ref}")
        assert guid_status == 404 and guid_seen
        missing[str(ref)] = {"/en/": (body, seen), "/releases/": (None, guid_seen)}
    for kind, release in hidden.items():
        for ref in (release.public_id, str(release.id)):
            for url in (f"/en/releases/{ref}/{release.slug}", f"/releases/{ref}"):
                got_status, got_body, seen = answered(client, wire, url)
                body, statements_of_missing = missing[missing_like(release, ref)][
                    "/en/" if url.startswith("/en/") else "/releases/"]
                assert got_status == 404, (kind, url)
                assert seen == statements_of_missing, (kind, url)
                if body is not None:
                    assert got_body == body, (kind, url)


@pytest.fixture
def newco(wire, keys, sample):
    """An issuer with a draft and nothing public yet: the public must not learn that it exists."""
    wire.accounts.create_issuer("newco", "Newco Holdings")
    editor = wire.accounts.authenticate(keys["editor"])
    wire.releases.create(editor, {**sample, "issuer": "newco"})
    return "newco"


def test_an_issuer_page_does_not_tell_a_new_client_from_nobody(client, wire, newco):
    status, body, missing = answered(client, wire, "/en/issuers/nobody-here")
    assert status == 404
    got_status, got_body, seen = answered(client, wire, f"/en/issuers/{newco}")
    assert (got_status, got_body, seen) == (status, body, missing)


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_a_feed_filter_does_not_tell_a_new_client_from_nobody(client, wire, newco, kind):
    missing = client.get(f"/feeds/en.{kind}?issuer=nobody-here")
    known = client.get(f"/feeds/en.{kind}?issuer={newco}")
    assert missing.status_code == known.status_code == 422
    assert known.text.replace(newco, "SLUG") == missing.text.replace("nobody-here", "SLUG")
    assert "Newco Holdings" not in known.text


def test_search_and_the_api_listing_do_not_tell_a_new_client_from_nobody(client, wire, newco):
    for url in ("/api/v1/releases?issuer={}", "/en/search?q=skate&issuer={}"):
        missing, known = client.get(url.format("nobody-here")), client.get(url.format(newco))
        assert missing.status_code == known.status_code, url
        assert known.text.replace(newco, "SLUG") == missing.text.replace("nobody-here", "SLUG"), url


def test_the_desk_still_lists_a_new_client_by_status(client, keys, newco):
    r = client.get(f"/api/v1/releases?issuer={newco}&status=draft", headers=auth(keys["editor"]))
    assert r.status_code == 200 and len(r.json()["items"]) == 1


def test_a_websub_subscription_does_not_tell_a_new_client_from_nobody(client, wire, newco):
    def subscribe(slug):
        return client.post("/websub", data={"hub.mode": "subscribe", "hub.callback": "https://93.184.216.34/cb",
                                            "hub.topic": f"http://testserver/feeds/en.rss?issuer={slug}"})

    missing, known = subscribe("nobody-here"), subscribe(newco)
    assert missing.status_code == known.status_code == 400
    assert known.text.replace(newco, "SLUG") == missing.text.replace("nobody-here", "SLUG")


def test_once_public_the_issuer_filter_works(client, wire, newco, keys, sample, publish):
    publish(issuer=newco)
    assert client.get(f"/feeds/en.rss?issuer={newco}").status_code == 200
    assert client.get(f"/en/issuers/{newco}").status_code == 200


class Counting:
    """Stands in for the keys' Argon2 hasher, counting its verifications."""

    def __init__(self, hasher):
        self.inner, self.calls = hasher, 0

    def verify(self, hashed, token):
        self.calls += 1
        return self.inner.verify(hashed, token)

    def hash(self, token):
        return self.inner.hash(token)


def test_a_wrong_secret_and_an_unknown_key_id_cost_the_same_argon2_work(client, wire, keys, monkeypatch):
    counting = Counting(access._hasher)
    monkeypatch.setattr(access, "_hasher", counting)
    real_prefix = keys["acme"].split("_")[1]
    tokens = {"wrong secret on a real id": f"nw_{real_prefix}_{'x' * 43}",
              "unknown id": f"nw_{'0' * 12}_{'x' * 43}",
              "another shape": "not-a-newswire-key"}
    answers = {}
    for name, token in tokens.items():
        before = counting.calls
        with statements(wire.engine) as seen:
            r = client.post("/api/v1/releases", headers=auth(token), json={})
        answers[name] = (r.status_code, r.text, counting.calls - before, len(seen))
    assert len(set(answers.values())) == 1, answers
    status, _, verifications, queries = answers["unknown id"]
    assert status == 401 and verifications == 1 and queries == 1
