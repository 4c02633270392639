"""Two text rules of domain/text.py, wherever text comes in: bidirectional controls in one-line
fields are refused (the marks LRM and RLM pass), and every URL the wire stores is absolute http(s)."""

from __future__ import annotations

import json

import pytest

from conftest import auth
from helpers import assert_problem, snapshot
from newswire.domain.errors import InvalidInput
from newswire.domain.models import Issuer
from newswire.domain.text import safe, text_problem, url_problem
from newswire.formats import jsonld

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
MARKS = ["\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize("ch", BIDI)
def test_one_line_text_refuses_bidi_controls(ch):
    problem = text_problem(f"Acme {ch}txt.exe", one_line=True)
    assert problem and f"U+{ord(ch):04X}" in problem and "character 6" in problem
    assert text_problem(f"Acme {ch}txt.exe") is None  # multi-line text: a paragraph's end closes it
    assert ch not in safe(f"a{ch}b")


@pytest.mark.parametrize("ch", MARKS)
def test_the_marks_are_text(ch):
    assert text_problem(f"\u0627\u0644\u0639\u0631\u0628\u064a\u0629{ch} (2026)", one_line=True) is None


BAD_URLS = ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x",
            "/relative/path", "https://", "http://user:pw@acme.example/", "https://acme.example/\u202ex",
            "ftp://acme.example/", "https://acme.example:99999/", "https://acme .example/"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_url_rule_refuses(url):
    assert url_problem(url) is not None


@pytest.mark.parametrize("url", ["https://acme.example", "http://acme.example/about?x=1#y", "HTTPS://ACME.EXAMPLE/"])
def test_url_rule_accepts(url):
    assert url_problem(url) is None


@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", "data:text/html,x", "//evil.example"])
def test_an_issuers_website_must_be_http(wire, url):
    with pytest.raises(InvalidInput) as e:
        wire.accounts.create_issuer("evil", "Evil", website=url)
    assert [x.field for x in e.value.errors] == ["website"]
    assert all(i.slug != "evil" for i in wire.accounts.issuers())


def test_a_stored_javascript_website_is_never_printed(publish, wire, keys):
    """A website stored before the rule (straight in the table) is dropped where it is read."""
    assert Issuer(id=1, slug="x", name="X", website="javascript:alert(1)").website == ""
    import sqlalchemy as sa

    from newswire.storage.tables import issuers
    with wire.engine.begin() as conn:
        conn.execute(sa.update(issuers).where(issuers.c.slug == "acme").values(website="javascript:alert(1)"))
    release = publish()
    loaded = wire.listings.get(wire.accounts.authenticate(keys["editor"]), release.id)
    assert loaded.issuer.website == ""
    doc = jsonld.render(loaded, wire.site)
    assert "javascript" not in json.dumps(doc)


@pytest.mark.parametrize("field", ["headline", "subheadline", "dateline.city"])
def test_api_refuses_a_right_to_left_override_in_a_headline(client, wire, keys, sample, field):
    body = json.loads(json.dumps(sample))
    if field == "dateline.city":
        body["dateline"]["city"] = "Berlin\u202e"
    else:
        body[field] = "Acme \u202eexe.txt"
    before = snapshot(wire.engine)
    r = client.post("/api/v1/releases", headers=auth(keys["acme"]), json=body)
    problem = assert_problem(r, 422, field)
    assert "U+202E" in json.dumps(problem)
    assert snapshot(wire.engine) == before


def test_a_headline_may_carry_the_marks(client, keys, sample):
    r = client.post("/api/v1/releases", headers=auth(keys["acme"]), json={**sample, "headline": "Acme \u200f(2026)\u200e"})
    assert r.status_code == 201, r.text


def test_names_refuse_bidi_controls(wire):
    with pytest.raises(InvalidInput) as e:
        wire.accounts.create_issuer("spoof", "Acme\u202e Bank")
    assert "name" in [x.field for x in e.value.errors]
    with pytest.raises(InvalidInput):
        wire.users.create_user("x@example.com", "Eve \u2067Admin\u2069", "correct horse battery staple", "editor")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/plain,x", "//evil.example/hook"])
def test_an_endpoint_url_must_be_http(client, wire, keys, url):
    made = client.post("/api/v1/subscribers", headers=auth(keys["admin"]), json={"name": "Planet", "kind": "outlet", "email": "p@planet.example"})
    assert made.status_code == 201, made.text
    before = snapshot(wire.engine)
    r = client.post(f"/api/v1/subscribers/{made.json()['id']}/endpoints", headers=auth(keys["admin"]),
                    json={"channel": "webhook", "url": url})
    assert "http:// or https://" in json.dumps(assert_problem(r, 422, "url"))
    assert snapshot(wire.engine) == before
