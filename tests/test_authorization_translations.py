"""Who may call the translation and glossary endpoints: every endpoint, every role (the rules of
test_authorization: 404 for what the caller may not see, 403 for what it may see but not change,
401 without credentials)."""

from __future__ import annotations

import pytest

from conftest import auth
from helpers import use_apertium

ROLES = ["anonymous", "subscriber", "globex", "acme", "editor", "admin"]


def token(keys, who):
    return None if who == "anonymous" else keys[who]


@pytest.fixture
def wire(wire):
    return use_apertium(wire)


@pytest.fixture
def releases(wire, keys, sample):
    """(unpublished, published) releases of acme, each with a ready Spanish version."""
    editor = wire.accounts.authenticate(keys["editor"])
    hidden = wire.releases.create(editor, {**sample, "issuer": "acme", "target_languages": ["es"]})
    wire.releases.submit(editor, hidden.id)
    wire.releases.approve(editor, hidden.id)
    public = wire.releases.create(editor, {**sample, "issuer": "acme", "target_languages": ["es"]})
    wire.releases.publish(editor, public.id)
    while wire.translation_worker("t").run_once():
        pass
    return hidden.public_id, public.public_id


# (an anonymous read of what it may not see is the 404 of a missing release, as test_authorization's
# STATUS_DRAFT: the id is checked first)
READ = {  # GET …/translations and …/translations/es
    "hidden": {"anonymous": 404, "subscriber": 404, "globex": 404, "acme": 200, "editor": 200, "admin": 200},
    "public": {"anonymous": 401, "subscriber": 403, "globex": 403, "acme": 200, "editor": 200, "admin": 200},
}
CHANGE = {  # PATCH …/translations/es and POST …/retry
    "hidden": {"anonymous": 401, "subscriber": 403, "globex": 403, "acme": 403, "editor": 200, "admin": 200},
    "public": {"anonymous": 401, "subscriber": 403, "globex": 403, "acme": 403, "editor": 200, "admin": 200},
}
LANG_VERSION = {  # GET /api/v1/releases/{id}?lang=es
    "hidden": {"anonymous": 404, "subscriber": 404, "globex": 404, "acme": 200, "editor": 200, "admin": 200},
    "public": {who: 200 for who in ROLES},
}


@pytest.mark.parametrize("who", ROLES)
def test_translation_endpoints(client, keys, releases, who):
    h = auth(token(keys, who))
    for state, rid in zip(("hidden", "public"), releases):
        base = f"/api/v1/releases/{rid}/translations"
        assert client.get(base, headers=h).status_code == READ[state][who], (state, base)
        detail = client.get(base + "/es", headers=h)
        assert detail.status_code == READ[state][who], (state, detail.text)
        assert client.get(f"/api/v1/releases/{rid}?lang=es", headers=h).status_code == LANG_VERSION[state][who]
        segment = client.get(base + "/es", headers=auth(keys["editor"])).json()["segments"][0]
        edit = {"segments": [{"id": segment["id"], "text": segment["text"]}]}
        expected = CHANGE[state][who]
        if expected == 403 and READ[state][who] == 404:
            expected = 404
        assert client.patch(base + "/es", json=edit, headers=h).status_code == expected, (state, who)
        assert client.post(base + "/es/retry", headers=h).status_code == expected, (state, who)


GLOSSARY_READ = {"anonymous": 401, "subscriber": 404, "globex": 404, "acme": 200, "editor": 200, "admin": 200}


@pytest.mark.parametrize("who", ROLES)
def test_glossary_endpoints(client, keys, wire, who):
    h = auth(token(keys, who))
    assert client.get("/api/v1/issuers/acme/glossary", headers=h).status_code == GLOSSARY_READ[who]
    r = client.put("/api/v1/issuers/acme/glossary", json={"keep": ["Acme"]}, headers=h)
    assert r.status_code == GLOSSARY_READ[who], r.text
    assert client.get("/api/v1/issuers/nobody/glossary", headers=h).status_code == (401 if who == "anonymous" else 404)
