"""Who may call the media endpoints (tests/test_authorization.py's rules): what a caller may not see
is 404, what it may see but not change 403 (409 for its owner once published), no key 401."""

from __future__ import annotations

import datetime as dt

import pytest

import media_files as files
from conftest import auth
from newswire.services.media import Upload
from test_authorization import ROLES, token

DRAFT = {"anonymous": 404, "subscriber": 404, "globex": 404}
WRITES = ("upload", "order", "replace", "delete")  # anonymous: 401 before anything is looked up
PUBLISHED = {"anonymous": 401, "subscriber": 403, "globex": 403, "acme": 409, "editor": 409, "admin": 409}
OWN = ("acme", "editor", "admin")


def _release(wire, keys, sample, *, published: bool) -> tuple[int, int]:
    acme = wire.accounts.authenticate(keys["acme"])
    rid = wire.releases.create(acme, sample).id
    item = wire.media.upload(acme, rid, Upload(files.image("PNG"), "a.png", "A blue square"))
    if published:
        wire.releases.publish(wire.accounts.authenticate(keys["editor"]), rid)
    return rid, item.id


def _public_id(wire, keys, rid: int) -> str:
    """The release's public id: what the API names it by for everyone (a number only for its managers)."""
    return wire.releases.get(wire.accounts.authenticate(keys["editor"]), rid).public_id


def _calls(rid: str, mid: int) -> dict:
    png = {"files": {"file": ("b.png", files.image("PNG"))}, "data": {"alt_text": "Another square"}}
    base = f"/api/v1/releases/{rid}/media"
    return {
        "upload": ("post", base, png, 201),
        "list": ("get", base, {}, 200),
        "order": ("put", base + "/order", {"json": {"ids": [mid]}}, 200),
        "replace": ("put", f"{base}/{mid}", png, 200),
        "delete": ("delete", f"{base}/{mid}", {}, 204),
        "preview": ("get", f"{base}/{mid}/original.png", {}, 200),
    }


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("action", ["upload", "list", "order", "replace", "delete", "preview"])
def test_media_of_a_draft(client, wire, keys, sample, who, action):
    rid, mid = _release(wire, keys, sample, published=False)
    method, path, kw, ok = _calls(_public_id(wire, keys, rid), mid)[action]
    r = getattr(client, method)(path, headers=auth(token(keys, who)), **kw)
    expected = ok if who in OWN else 401 if who == "anonymous" and action in WRITES else DRAFT[who]
    assert r.status_code == expected, r.text


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("action", ["upload", "list", "order", "replace", "delete", "preview"])
def test_media_of_a_published_release(client, wire, keys, sample, who, action):
    rid, mid = _release(wire, keys, sample, published=True)
    method, path, kw, _ = _calls(_public_id(wire, keys, rid), mid)[action]
    r = getattr(client, method)(path, headers=auth(token(keys, who)), **kw)
    assert r.status_code == (200 if action in ("list", "preview") else PUBLISHED[who]), r.text


LOGO = {"anonymous": 401, "subscriber": 403, "globex": 403, "acme": 200, "editor": 200, "admin": 200}


@pytest.mark.parametrize("who", ROLES)
def test_issuer_logo(client, keys, who):
    r = client.put("/api/v1/issuers/acme/logo", files={"file": ("logo.png", files.image("PNG"))},
                   headers=auth(token(keys, who)))
    assert r.status_code == LOGO[who], r.text


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("published", [False, True])
def test_public_files_answer_alike_whoever_asks(client, wire, keys, sample, who, published):
    rid, _ = _release(wire, keys, sample, published=published)
    item = wire.media.list(wire.accounts.authenticate(keys["editor"]), rid)[0]
    href = wire.site.media_url(item, item.renditions[-1]).removeprefix("http://testserver")
    r = client.get(href, headers=auth(token(keys, who)))
    assert r.status_code == (200 if published else 404)


SCHEDULED = {"anonymous": 401, "subscriber": 404, "globex": 404, "acme": 403, "editor": 201, "admin": 201}


@pytest.mark.parametrize("who", ROLES)
def test_only_the_desk_changes_the_media_of_an_approved_or_scheduled_release(client, wire, keys, sample, clock, who):
    rid, _ = _release(wire, keys, sample, published=False)
    editor = wire.accounts.authenticate(keys["editor"])
    wire.releases.publish(editor, rid, (clock() + dt.timedelta(hours=1)).isoformat())
    method, path, kw, _ = _calls(_public_id(wire, keys, rid), 0)["upload"]
    r = getattr(client, method)(path, headers=auth(token(keys, who)), **kw)
    assert r.status_code == SCHEDULED[who], r.text
