"""Who may call what. Every endpoint, every role.

Rule: what a caller may not see is 404 (its existence is not revealed); what a
caller may see but not change is 403; no credentials where they are needed is 401.
"""

from __future__ import annotations

import pytest
from helpers import rewire

from conftest import auth

ROLES = ["anonymous", "subscriber", "globex", "acme", "editor", "admin"]


def token(keys, who):
    return None if who == "anonymous" else keys[who]


@pytest.fixture
def draft(wire, keys, sample):
    return wire.releases.create(wire.accounts.authenticate(keys["acme"]), sample).public_id


@pytest.fixture
def published(wire, keys, sample):
    editor = wire.accounts.authenticate(keys["editor"])
    r = wire.releases.create(editor, {**sample, "issuer": "acme"})
    wire.releases.publish(editor, r.id)
    return r.public_id


READ_DRAFT = {"anonymous": 404, "subscriber": 404, "globex": 404, "acme": 200, "editor": 200, "admin": 200}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("suffix", ["", ".xml"])
def test_read_draft(client, keys, draft, who, suffix):
    r = client.get(f"/api/v1/releases/{draft}{suffix}", headers=auth(token(keys, who)))
    assert r.status_code == READ_DRAFT[who], r.text


@pytest.mark.parametrize("who", ROLES)
def test_read_published(client, keys, published, who):
    assert client.get(f"/api/v1/releases/{published}", headers=auth(token(keys, who))).status_code == 200


# (an anonymous read of what it may not see is the 404 of a missing release: the id is checked first)
STATUS_DRAFT = {"anonymous": 404, "subscriber": 404, "globex": 404, "acme": 200, "editor": 200, "admin": 200}
STATUS_PUBLISHED = {"anonymous": 401, "subscriber": 403, "globex": 403, "acme": 200, "editor": 200, "admin": 200}


@pytest.mark.parametrize("who", ROLES)
def test_status_history(client, keys, draft, published, who):
    h = auth(token(keys, who))
    assert client.get(f"/api/v1/releases/{draft}/status", headers=h).status_code == STATUS_DRAFT[who]
    assert client.get(f"/api/v1/releases/{published}/status", headers=h).status_code == STATUS_PUBLISHED[who]


CREATE = {"anonymous": 401, "subscriber": 403, "globex": 201, "acme": 201, "editor": 201, "admin": 201}


@pytest.mark.parametrize("who", ROLES)
def test_create(client, keys, sample, who):
    body = {**sample, "issuer": "globex" if who == "globex" else "acme"}
    assert client.post("/api/v1/releases", json=body, headers=auth(token(keys, who))).status_code == CREATE[who]


IMPORT = {"anonymous": 401, "subscriber": 403, "globex": 201, "acme": 201, "editor": 201, "admin": 201}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("dry_run", [True, False])
def test_import(client, keys, who, dry_run):
    body = {"files": [{"name": "a.md", "text": "---\nlanguage: en\n---\n# Acme opens a plant\n\nAcme opened it."}],
            "issuer": "globex" if who == "globex" else "acme", "dry_run": dry_run}
    r = client.post("/api/v1/imports", json=body, headers=auth(token(keys, who)))
    assert r.status_code == (200 if dry_run and IMPORT[who] == 201 else IMPORT[who]), r.text


def test_issuer_cannot_create_for_another_issuer(client, keys, sample):
    r = client.post("/api/v1/releases", json={**sample, "issuer": "globex"}, headers=auth(keys["acme"]))
    assert r.status_code == 403


def test_staff_must_name_the_issuer(client, keys, sample):
    r = client.post("/api/v1/releases", json=sample, headers=auth(keys["editor"]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "issuer"


# Actions on someone's draft: the release's own issuer and the desk act; everybody else sees nothing
# (an anonymous caller of any write is refused with 401 before anything is looked up or read).
DRAFT_ACTIONS = {
    # action: (method, path suffix, json, expected per role)
    "edit": ("patch", "", {"headline": "Changed"},
             {"anonymous": 401, "subscriber": 404, "globex": 404, "acme": 200, "editor": 200, "admin": 200}),
    "submit": ("post", "/submit", None,
               {"anonymous": 401, "subscriber": 404, "globex": 404, "acme": 200, "editor": 200, "admin": 200}),
    "publish": ("post", "/publish", None,
                {"anonymous": 401, "subscriber": 404, "globex": 404, "acme": 403, "editor": 200, "admin": 200}),
    "withdraw": ("post", "/withdraw", {"reason": "x"},
                 {"anonymous": 401, "subscriber": 404, "globex": 404, "acme": 409, "editor": 409, "admin": 409}),
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("action", list(DRAFT_ACTIONS))
def test_actions_on_a_draft(client, keys, draft, who, action):
    method, suffix, body, expected = DRAFT_ACTIONS[action]
    r = getattr(client, method)(f"/api/v1/releases/{draft}{suffix}", headers=auth(token(keys, who)),
                                **({"json": body} if body is not None else {}))
    assert r.status_code == expected[who], r.text


APPROVE = {"anonymous": 401, "subscriber": 404, "globex": 404, "acme": 403, "editor": 200, "admin": 200}


@pytest.mark.parametrize("who", ROLES)
def test_approve(client, keys, wire, draft, who):
    acme = wire.accounts.authenticate(keys["acme"])
    wire.releases.submit(acme, wire.listings.resolve(acme, draft))
    r = client.post(f"/api/v1/releases/{draft}/approve", headers=auth(token(keys, who)))
    assert r.status_code == APPROVE[who], r.text


# On a published release everyone can see it, so refusals are 401/403.
PUBLISHED_ACTIONS = {
    "correct": ("/correct", {"correction_note": "Typo fixed", "headline": "Fixed"},
                {"anonymous": 401, "subscriber": 403, "globex": 403, "acme": 403, "editor": 200, "admin": 200}),
    "withdraw": ("/withdraw", {"reason": "Issued in error"},
                 {"anonymous": 401, "subscriber": 403, "globex": 403, "acme": 403, "editor": 200, "admin": 200}),
    "submit": ("/submit", None,
               {"anonymous": 401, "subscriber": 403, "globex": 403, "acme": 409, "editor": 409, "admin": 409}),
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("action", list(PUBLISHED_ACTIONS))
def test_actions_on_a_published_release(client, keys, published, who, action):
    suffix, body, expected = PUBLISHED_ACTIONS[action]
    r = client.post(f"/api/v1/releases/{published}{suffix}", headers=auth(token(keys, who)),
                    **({"json": body} if body is not None else {}))
    assert r.status_code == expected[who], r.text


def test_self_publishing_when_the_operator_allows_it(wire, keys, sample, settings):
    from newswire.domain.errors import Forbidden

    acme = wire.accounts.authenticate(keys["acme"])
    rid = wire.releases.create(acme, sample).id
    with pytest.raises(Forbidden):
        wire.releases.publish(acme, rid)
    wire = rewire(wire, issuer_self_publish=True)
    assert wire.releases.publish(acme, rid).status.value == "published"
    wire.releases.correct(acme, rid, {"correction_note": "Spelling", "headline": "Corrected"})
    with pytest.raises(Forbidden):  # kills stay with the desk
        wire.releases.withdraw(acme, rid, "oops")
    wire.close()


def test_issuer_may_withdraw_its_own_unpublished_release(wire, keys, sample):
    acme = wire.accounts.authenticate(keys["acme"])
    rid = wire.releases.create(acme, sample).id
    wire.releases.submit(acme, rid)
    assert wire.releases.withdraw(acme, rid, "Changed our mind").status.value == "withdrawn"


@pytest.mark.parametrize("header", ["Bearer nw_abc_def", "Bearer wrong", "Basic dXNlcjpwYXNz", "Bearer "])
def test_bad_credentials_are_401(client, header):
    r = client.get("/api/v1/releases", headers={"Authorization": header})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.headers["content-type"].startswith("application/problem+json")


def test_revoked_key_stops_working(client, wire, keys):
    from newswire.storage import issuers as store

    with wire.engine.connect() as conn:
        key_id = next(k.id for k in store.list_api_keys(conn) if k.name == "Daily Planet")
    assert client.get("/api/v1/releases", headers=auth(keys["subscriber"])).status_code == 200
    wire.accounts.revoke_api_key(key_id)
    assert client.get("/api/v1/releases", headers=auth(keys["subscriber"])).status_code == 401


def test_keys_are_stored_hashed(wire, keys):
    from newswire.storage import issuers as store

    with wire.engine.connect() as conn:
        rows = store.list_api_keys(conn)
    stored = " ".join(f"{r.prefix} {r.secret_hash}" for r in rows)
    for tok in keys.values():
        assert tok not in stored and tok.split("_", 2)[2] not in stored
    assert all(r.secret_hash.startswith("$argon2id$") for r in rows)


@pytest.mark.parametrize("path", ["/api/v1/languages", "/api/v1/industries?lang=de", "/openapi.json"])
def test_public_reference_endpoints(client, path):
    assert client.get(path).status_code == 200
