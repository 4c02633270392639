"""Who opens each page and endpoint of the issuer portal and the desk's request list, and CSRF on
every form: anonymous → sign in, the wrong role → 403, another issuer's release → 404, a POST
without or with a wrong token → 403 with nothing changed. An unpublished (scheduled) release's
preview and files are reachable only by its issuer (and the desk through the API), never publicly."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from media_files import image
from conftest import auth
from web_helpers import csrf

from newswire.services.media import Upload
from newswire.storage.tables import metadata

GETS = ["/portal", "/portal/rows", "/portal/new", "/portal/import", "/portal/topics?q=eco", "/portal/targets?source=en",
        "/portal/releases/{id}", "/portal/releases/{id}/edit", "/portal/releases/{id}/deliveries",
        "/portal/releases/{id}/checks", "/portal/releases/{id}/media/{media}"]
POSTS = ["/portal/new", "/portal/preview", "/portal/checks", "/portal/import", "/portal/import/create",
         "/portal/releases/{id}/edit", "/portal/releases/{id}/submit", "/portal/releases/{id}/publish",
         "/portal/releases/{id}/withdraw", "/portal/releases/{id}/correct", "/portal/releases/{id}/request-withdrawal",
         "/portal/releases/{id}/media", "/portal/releases/{id}/media/{media_id}/delete"]
WATCHED = ("releases", "release_versions", "media", "release_requests", "audit_log", "translations")


@pytest.fixture
def draft(wire, keys, sample):
    """An acme release scheduled for tomorrow, with a picture: (release id, media id, rendition path)."""
    acme = wire.accounts.authenticate(keys["acme"])
    when = (wire.clock() + dt.timedelta(days=1)).isoformat()
    release = wire.releases.create(acme, {**sample, "embargo_until": when})
    m = wire.media.upload(acme, release.id, Upload(image(), "skate.png", "A skate", "", ""))
    return release.id, m.id, f"{m.id}/{m.largest.filename}", m


def url_of(template: str, draft) -> str:
    rid, mid, media, _ = draft
    return template.format(id=rid, media_id=mid, media=media)


def state(wire) -> dict:
    with wire.engine.connect() as conn:
        return {name: conn.execute(sa.select(metadata.tables[name])).all() for name in WATCHED}


@pytest.mark.parametrize("path", GETS)
def test_anonymous_visitors_are_sent_to_sign_in(client, draft, path):
    r = client.get(url_of(path, draft), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin?next=%2Fportal")


@pytest.mark.parametrize("role", ["editor", "admin", "subscriber"])
def test_other_roles_are_refused(signed_in, draft, role):
    c = signed_in(role)
    for path in GETS:
        assert c.get(url_of(path, draft)).status_code == 403, path
    token = csrf(c.get("/account"))
    for path in POSTS:
        assert c.post(url_of(path, draft), data={"csrf": token}).status_code == 403, path


def test_the_issuer_opens_every_page(signed_in, draft):
    acme = signed_in("issuer", issuer="acme")
    for path in GETS:
        assert acme.get(url_of(path, draft)).status_code == 200, path


def test_another_issuers_release_is_not_found(signed_in, draft):
    globex = signed_in("issuer", issuer="globex")
    for path in GETS:
        if "{" in path:
            assert globex.get(url_of(path, draft)).status_code == 404, path
    token = csrf(globex.get("/portal"))
    for path in POSTS:
        if "{id}" in path:
            r = globex.post(url_of(path, draft), data={"csrf": token, "release_id": str(draft[0])})
            assert r.status_code == 404, path
    r = globex.post("/portal/preview", data={"csrf": token, "release_id": str(draft[0]), "headline": "x"})
    assert r.status_code == 404  # the preview of another issuer's draft is no way in


@pytest.mark.parametrize("path", POSTS)
def test_every_form_needs_the_csrf_token(signed_in, wire, draft, path):
    acme = signed_in("issuer", issuer="acme")
    before = state(wire)
    data = {"headline": "Changed", "action": "save", "reason": "x", "note": "x", "text": "x"}
    assert acme.post(url_of(path, draft), data=data).status_code == 403
    assert acme.post(url_of(path, draft), data={**data, "csrf": "wrong"}).status_code == 403
    assert state(wire) == before


def test_a_scheduled_releases_files_are_not_public(client, signed_in, draft, keys):
    rid, _, media, m = draft
    assert client.get(f"/media/{m.token}/{m.largest.filename}").status_code == 404
    assert signed_in("issuer", issuer="acme").get(url_of("/portal/releases/{id}/media/{media}", draft)).status_code == 200
    api = f"/api/v1/releases/{rid}/media/{media}"  # the desk sees it through the API, nobody else
    assert client.get(api, headers=auth(keys["editor"])).status_code == 200
    for who in (None, "globex", "subscriber"):
        assert client.get(api, headers=auth(keys[who] if who else None)).status_code == 404, who


def test_the_desks_request_list(client, signed_in, wire, draft):
    assert client.get("/requests", follow_redirects=False).status_code == 303
    for role, kw in (("issuer", {"issuer": "acme"}), ("subscriber", {})):
        c = signed_in(role, **kw)
        assert c.get("/requests").status_code == 403
        assert c.post("/requests/1/done", data={"csrf": csrf(c.get("/account"))}).status_code == 403
    for role in ("editor", "admin"):
        c = signed_in(role)
        assert c.get("/requests").status_code == 200
        assert c.post("/requests/1/done", data={}).status_code == 403  # no token
        assert c.post("/requests/1/done", data={"csrf": "wrong"}).status_code == 403
