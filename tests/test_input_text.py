"""Text no database or format can carry (a lone surrogate, NUL, control characters) is refused at the
edge: 422 naming the field, on SQLite and PostgreSQL, nothing written, the connection still usable."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from conftest import auth
from helpers import assert_problem, snapshot, use_apertium
from newswire.domain.errors import InvalidInput
from newswire.domain.text import document_problems, safe, text_problem
from newswire.intake import importers
from newswire.web.app import create_app
from sse_client import running

BAD = {"lone surrogate": "\udfff", "NUL": "\x00"}


@pytest.fixture
def world(client, wire, keys, sample, editor):
    """A draft, a published release, an approved one with a queued Spanish translation, a subscriber."""
    use_apertium(wire)
    draft = wire.releases.create(editor, {**sample, "issuer": "acme"}).id
    published = wire.releases.publish(editor, wire.releases.create(editor, {**sample, "issuer": "acme"}).id).id
    translated = wire.releases.create(editor, {**sample, "issuer": "acme", "target_languages": ["es"]}).id
    wire.releases.approve(editor, wire.releases.submit(editor, translated).id)
    r = send(client, "POST", "/api/v1/subscribers", keys["admin"], {"kind": "outlet", "name": "Daily Planet"})
    return {"draft": draft, "published": published, "translated": translated, "subscriber": r.json()["id"]}


def send(client, method: str, path: str, key: str | None, body) -> object:
    # Serialized here: JSON can carry "\udfff" as an escape, which httpx's own encoder would refuse.
    return client.request(method, path, content=json.dumps(body), headers={**auth(key), "content-type":
                                                                            "application/json"})


def release_cases(sample, ids, x):
    create, draft, pub = "/api/v1/releases", f"/api/v1/releases/{ids['draft']}", f"/api/v1/releases/{ids['published']}"
    cases = [("POST", create, "acme", {**sample, name: f"A{x}"}, name)
             for name in ("headline", "subheadline", "lead", "body", "boilerplate", "attribution", "language",
                          "embargo_until")]
    cases += [("POST", create, "acme", {**sample, name: ["ok", f"b{x}"]}, f"{name}[1]")
              for name in ("keywords", "tickers", "industries", "regions", "target_languages")]
    cases += [("POST", create, "acme", {**sample, "contacts": [{"name": "Ada", field: f"c{x}"}]},
               f"contacts[0].{field}") for field in ("name", "organisation", "role", "email", "phone")]
    cases += [
        ("POST", create, "acme", {**sample, "dateline": {"city": f"Berlin{x}"}}, "dateline.city"),
        ("POST", create, "acme", {**sample, "dateline": {"city": "Berlin", "date": f"2026{x}"}}, "dateline.date"),
        ("POST", create, "editor", {**sample, "issuer": f"acme{x}"}, "issuer"),
        ("POST", create, "acme", {**sample, f"colour{x}": "red"}, "body"),  # a bad key, named by where it is
        ("PATCH", draft, "acme", {"headline": f"New{x}"}, "headline"),
        ("PATCH", draft, "acme", {"keywords": [f"k{x}"]}, "keywords[0]"),
        ("PATCH", draft, "acme", {"dateline": {"city": f"Köln{x}"}}, "dateline.city"),
        ("POST", f"{draft}/publish", "editor", {"embargo_until": f"2099-01-01T00:00:00Z{x}"}, "embargo_until"),
        ("POST", f"{pub}/correct", "editor", {"correction_note": f"Fixed{x}"}, "correction_note"),
        ("POST", f"{pub}/correct", "editor", {"correction_note": "Fixed", "contacts": [{"name": f"A{x}"}]},
         "contacts[0].name"),
        ("POST", f"{pub}/withdraw", "editor", {"reason": f"Error{x}"}, "reason"),
    ]
    return cases


def other_cases(ids, x):
    sub = f"/api/v1/subscribers/{ids['subscriber']}"
    cases = [("POST", "/api/v1/subscribers", "admin", {"kind": "outlet", "name": "P", name: value}, field)
             for name, value, field in [("name", f"P{x}", "name"), ("kind", f"outlet{x}", "kind"),
                                        ("email", f"a@b.example{x}", "email"), ("timezone", f"UTC{x}", "timezone"),
                                        ("languages", ["en", f"de{x}"], "languages[1]"),
                                        ("regions", [f"DE{x}"], "regions[0]"),
                                        ("industries", [f"medtop:04000000{x}"], "industries[0]"),
                                        ("issuers", [f"acme{x}"], "issuers[0]")]]
    cases += [
        ("PATCH", sub, "admin", {"name": f"Planet{x}"}, "name"),
        ("PATCH", sub, "admin", {"email": f"desk@planet.example{x}"}, "email"),
        ("POST", f"{sub}/keys", "admin", {"name": f"Key{x}"}, "name"),
        ("POST", f"{sub}/endpoints", "admin", {"channel": "webhook", "url": f"https://planet.example/h{x}"}, "url"),
        ("POST", f"{sub}/endpoints", "admin", {"channel": "email", "address": f"desk@planet.example{x}"}, "address"),
        ("POST", f"{sub}/endpoints", "admin", {"channel": f"webhook{x}", "url": "https://planet.example/h"},
         "channel"),
        ("PUT", "/api/v1/issuers/acme/glossary", "acme", {"keep": ["Acme", f"Rocket{x}"]}, "keep[1]"),
        ("PUT", "/api/v1/issuers/acme/glossary", "acme", {"forced": {"press kit": {"es": f"dosier{x}"}}},
         "forced.press kit.es"),
        ("PUT", "/api/v1/issuers/acme/glossary", "acme", {"forced": {f"press{x}": {"es": "dosier"}}}, "forced"),
        ("PATCH", f"/api/v1/releases/{ids['translated']}/translations/es", "editor",
         {"segments": [{"id": "x", "text": f"Hola{x}"}]}, "segments[0].text"),
        ("PATCH", f"/api/v1/releases/{ids['translated']}/translations/es", "editor",
         {"segments": [{"id": f"x{x}", "text": "Hola"}]}, "segments[0].id"),
    ]
    return cases


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_every_json_field_refuses_text_that_cannot_be_stored(client, wire, keys, sample, world, bad):
    failures = []
    for method, path, who, body, field in release_cases(sample, world, bad) + other_cases(world, bad):
        before = snapshot(wire.engine)
        r = send(client, method, path, keys[who], body)
        try:
            assert_problem(r, 422, field)
            assert snapshot(wire.engine) == before, "a refused request changed the database"
        except AssertionError as exc:
            failures.append(f"{method} {path} {field}: {exc}")
        # The same client (and, for a real server, the same connection: see below) goes on working.
        assert client.get("/api/v1/languages").status_code == 200
    assert not failures, "\n".join(failures)


def test_parameters_and_forms_refuse_nul(client, wire, keys, world):
    before = snapshot(wire.engine)
    assert_problem(client.get("/api/v1/releases?issuer=acme%00"), 422, "issuer")
    assert_problem(client.get("/api/v1/issuers/acme%00/glossary", headers=auth(keys["acme"])), 422, "slug")
    for page in ("/en/issuers/acme%00", "/feeds/en.atom?issuer=acme%00"):
        r = client.get(page)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), page
    assert client.post("/unsubscribe/token%00").status_code == 404
    for form in ("hub.mode=subscribe&hub.topic=http%3A%2F%2Ftestserver%2Ffeeds%2Fen.atom&hub.callback="
                 "https%3A%2F%2Fsub.example%2Fcb%00",
                 "hub.mode=subscribe&hub.topic=http%3A%2F%2Ftestserver%2Ffeeds%2Fen.atom%3Fissuer%3Dacme%00"
                 "&hub.callback=https%3A%2F%2Fsub.example%2Fcb"):
        r = client.post("/websub", content=form, headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 400 and "NUL" in r.text, r.text
    assert snapshot(wire.engine) == before


def test_a_real_connection_stays_usable(wire, keys, sample):
    """Over uvicorn and one keep-alive connection: each refusal is answered, the socket reused."""
    with running(create_app(wire)) as base:
        conn = http.client.HTTPConnection(urlsplit(base).hostname, urlsplit(base).port, timeout=20)
        try:
            sockets = set()
            for bad in (*BAD.values(), *BAD.values()):
                conn.request("POST", "/api/v1/releases", body=json.dumps({**sample, "keywords": [bad]}),
                             headers={**auth(keys["acme"]), "content-type": "application/json"})
                r = conn.getresponse()
                assert r.status == 422 and json.loads(r.read())["errors"][0]["field"] == "keywords[0]"
                sockets.add(id(conn.sock))
            conn.request("GET", "/api/v1/languages")
            r = conn.getresponse()
            assert r.status == 200 and json.loads(r.read())["items"]
            sockets.add(id(conn.sock))
            assert len(sockets) == 1  # never closed and reopened
        finally:
            conn.close()


def test_imported_files_refuse_it_too(tmp_path):
    # (YAML itself refuses a "\udfff" escape; its "\0" and "\x01" and HTML's &#1; make such text.)
    for name, content in {"nul.md": '---\nheadline: Acme ships\nkeywords: ["a\\0b"]\nlanguage: en\n---\nText.\n',
                          "control.md": '---\nheadline: "Acme \\x01 ships"\nlanguage: en\n---\nText.\n',
                          "control.html": "<html lang=en><h1>Acme &#1; ships</h1><p>Text.</p></html>",
                          "surrogate.md": '---\nheadline: "Acme \\udfff ships"\nlanguage: en\n---\nText.\n'}.items():
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(InvalidInput) as exc:
            importers.parse_file(path)
        if name != "surrogate.md":
            assert [e.field for e in exc.value.errors] == ["keywords[0]" if name == "nul.md" else "headline"]
        exc.value.detail.encode("utf-8")  # the message itself can be printed and stored


def test_the_rule():
    assert text_problem("Tab\tand\nlines\r\n are fine in long text") is None
    assert "one line" in text_problem("no\nbreak", one_line=True)
    assert "surrogate" in text_problem("\ud83d") and text_problem("\U0001f600 a pair is fine") is None
    for ch in ("\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"):
        assert text_problem(f"a{ch}b") and "U+00" in text_problem(f"a{ch}b")
    assert [e.field for e in document_problems({"a": [{"b": "\x00"}], "c": {"d": "\udfff"}})] == ["a[0].b", "c.d"]
    assert len(document_problems(["\x00"] * 500)) == 21  # twenty, and a count of the rest
    deep: list = []
    node = deep
    for _ in range(5_000):  # deeper than the recursion limit: checked without recursion
        node.append([])
        node = node[0]
    node.append("\x00")
    assert document_problems(deep)[0].field.endswith("[0]")
    assert safe("a\udfff\x00\n") == "a\\udfff\\x00\\x0a"
