"""Every field of every input has a bound (newswire.domain.limits.LIMITS), refused with a problem
document naming the field and the limit; the request body is bounded before it is parsed; and
docs/api.md documents exactly the table the code enforces."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import auth
from helpers import assert_problem, snapshot, use_apertium
from newswire.config import Settings
from newswire.domain.errors import InvalidInput
from newswire.domain.limits import LIMITS, request_body_bytes, settings_rows
from newswire.intake import importers, validate

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def settings(settings):
    return settings.with_overrides(webhook_allow_private=True)  # (a WebSub callback on 127.0.0.1)


def over(key: str, item: str = "a") -> str | list:
    """One more than LIMITS[key] allows: a text one character too long, or a list one item too many."""
    limit = LIMITS[key]
    return [item] * (limit.items + 1) if limit.items else "a" * (limit.chars + 1)


def one_too_long(key: str) -> list:
    return ["a" * (LIMITS[key].chars + 1)]


@pytest.fixture
def ids(client, wire, keys, sample, editor):
    use_apertium(wire)
    translated = wire.releases.create(editor, {**sample, "issuer": "acme", "target_languages": ["es"]}).id
    wire.releases.approve(editor, wire.releases.submit(editor, translated).id)
    sub = client.post("/api/v1/subscribers", json={"kind": "outlet", "name": "Daily Planet"},
                      headers=auth(keys["admin"]))
    return {"draft": wire.releases.create(editor, {**sample, "issuer": "acme"}).id, "translated": translated,
            "published": wire.releases.publish(editor, wire.releases.create(editor, {**sample, "issuer": "acme"}).id).id,
            "subscriber": sub.json()["id"],
            "submitted": wire.releases.submit(editor, wire.releases.create(editor, {**sample, "issuer": "acme"}).id).id}


def cases(sample, ids) -> list[tuple]:
    """(method, path, key, body, field, the limit's key) for every field of every API input."""
    create, sub = "/api/v1/releases", f"/api/v1/subscribers/{ids['subscriber']}"
    out = [("POST", create, "acme", {**sample, name: over(f"release.{name}")}, name, f"release.{name}")
           for name in ("headline", "subheadline", "lead", "boilerplate", "attribution", "language")]
    out += [("POST", create, "acme", {**sample, name: over(f"release.{name}", item)}, name, f"release.{name}")
            for name, item in (("keywords", "k"), ("tickers", "NYSE:ACME"), ("industries", "medtop:04000000"),
                               ("regions", "DE"), ("target_languages", "es"), ("contacts", {"name": "Ada"}))]
    out += [("POST", create, "acme", {**sample, name: one_too_long(f"release.{name}")}, f"{name}[0]",
             f"release.{name}") for name in ("keywords", "tickers", "industries", "regions", "target_languages")]
    out += [("POST", create, "acme", {**sample, "contacts": [{"name": "A", name: over(f"release.contacts[].{name}")}]},
             f"contacts[0].{name}", f"release.contacts[].{name}")
            for name in ("name", "organisation", "role", "email", "phone")]
    out += [
        ("POST", create, "acme", {**sample, "dateline": {"city": over("release.dateline.city")}}, "dateline.city",
         "release.dateline.city"),
        ("PATCH", f"{create}/{ids['draft']}", "acme", {"keywords": over("release.keywords")}, "keywords",
         "release.keywords"),
        ("POST", f"{create}/{ids['published']}/correct", "editor",
         {"correction_note": over("release.correction_note")}, "correction_note", "release.correction_note"),
        ("POST", f"{create}/{ids['published']}/withdraw", "editor", {"reason": over("release.withdraw_reason")},
         "reason", "release.withdraw_reason"),
        ("POST", f"{create}/{ids['submitted']}/approve", "editor", {"override": over("release.override")},
         "override", "release.override"),
        ("POST", f"{create}/{ids['submitted']}/send-back", "editor", {"note": over("release.send_back_note")},
         "note", "release.send_back_note"),
        ("PUT", "/api/v1/issuers/acme/glossary", "acme", {"keep": over("glossary.keep")}, "keep", "glossary.keep"),
        ("PUT", "/api/v1/issuers/acme/glossary", "acme", {"keep": one_too_long("glossary.keep")}, "keep[0]",
         "glossary.keep"),
        ("PUT", "/api/v1/issuers/acme/glossary", "acme", {"forced": {f"t{i}": {"es": "x"} for i in range(501)}},
         "forced", "glossary.forced"),
        ("PUT", "/api/v1/issuers/acme/glossary", "acme", {"forced": {"a" * 101: {"es": "x"}}}, "forced",
         "glossary.forced"),
        ("PUT", "/api/v1/issuers/acme/glossary", "acme", {"forced": {"kit": {f"l{i}": "x" for i in range(16)}}},
         "forced.kit", "glossary.forced.{term}"),
        ("PUT", "/api/v1/issuers/acme/glossary", "acme", {"forced": {"kit": {"es": "a" * 201}}}, "forced.kit.es",
         "glossary.forced.{term}.{language}"),
        ("PATCH", f"{create}/{ids['translated']}/translations/es", "editor",
         {"segments": over("translation.segments", {"id": "x", "text": "y"})}, "segments", "translation.segments"),
        ("PATCH", f"{create}/{ids['translated']}/translations/es", "editor",
         {"segments": [{"id": "x", "text": over("translation.segments[].text")}]}, "segments[0].text",
         "translation.segments[].text"),
        ("POST", f"{sub}/keys", "admin", {"name": over("apikey.name")}, "name", "apikey.name"),
        ("POST", f"{sub}/endpoints", "admin", {"channel": "webhook", "url": f"https://x.example/{over('endpoint.url')}"},
         "url", "endpoint.url"),
        ("POST", f"{sub}/endpoints", "admin", {"channel": "email", "address": over("endpoint.address")}, "address",
         "endpoint.address"),
        ("PATCH", sub, "admin", {"name": over("subscriber.name")}, "name", "subscriber.name"),
    ]
    adhoc = {**sample, "type": "adhoc", "notifier": "Ada Press", "exchange": "XETRA", "isins": ["DE0007164600"],
             "keywords": ["profit warning"]}
    out += [("POST", create, "acme", {**adhoc, name: value}, name, f"release.{name}")
            for name, value in (("notifier", over("release.notifier")), ("exchange", over("release.exchange")),
                                ("isins", over("release.isins", "DE0007164600")))]
    out += [("POST", create, "acme", {**adhoc, "isins": one_too_long("release.isins")}, "isins[0]", "release.isins")]
    out += [("POST", "/api/v1/subscribers", "admin", {"kind": "outlet", "name": "P", name: value}, name,
             f"subscriber.{name}")
            for name, value in (("name", over("subscriber.name")), ("email", over("subscriber.email")),
                                ("languages", over("subscriber.languages", "en")),
                                ("regions", over("subscriber.regions", "DE")),
                                ("industries", over("subscriber.industries", "medtop:04000000")),
                                ("issuers", over("subscriber.issuers", "acme")))]
    upload = {"name": "a.txt", "text": "Acme opens a plant\n\nAcme today opened a plant."}
    out += [("POST", "/api/v1/imports", "acme", {"files": over("import.files", upload), "dry_run": True}, "files",
             "import.files"),
            ("POST", "/api/v1/imports", "acme", {"files": [{**upload, "name": over("import.files[].name")}]},
             "files[0].name", "import.files[].name")]
    return out


def test_every_field_over_its_limit_is_refused_naming_it(client, wire, keys, sample, ids):
    failures, checked = [], set()
    for method, path, who, body, field, key in cases(sample, ids):
        before = snapshot(wire.engine)
        r = client.request(method, path, json=body, headers=auth(keys[who]))
        try:
            problem = assert_problem(r, 422, field)
            limit = LIMITS[key]
            said = " ".join(e["message"] for e in problem["errors"])
            assert f"{limit.chars:,}" in said or limit.describe() in said, said
            assert snapshot(wire.engine) == before, "a refused request changed the database"
            checked.add(key)
        except AssertionError as exc:
            failures.append(f"{method} {path} {field}: {exc}")
    assert not failures, "\n".join(failures)
    elsewhere = {"issuer.slug", "issuer.name", "issuer.website"} | {k for k in LIMITS if k.startswith("websub.")}
    elsewhere |= {k for k in LIMITS if k.startswith("media.")}  # (multipart uploads: tests/test_media.py)
    elsewhere |= {k for k in LIMITS if k.startswith("user.")}  # (accounts are made on pages: tested below)
    assert set(LIMITS) - checked - elsewhere == set()  # (those are the CLI's and the hub's: tested below)


def test_the_keywords_flood_is_refused_before_it_is_read(client, wire, keys, sample):
    before = snapshot(wire.engine)
    flood = {**sample, "keywords": ["k" * 100] * 100_000}  # 10 MB
    problem = assert_problem(client.post("/api/v1/releases", json=flood, headers=auth(keys["acme"])), 413)
    assert problem["limit"] == request_body_bytes(wire.settings.max_body_bytes)
    assert "NEWSWIRE_MAX_BODY_BYTES" in problem["detail"]
    body = {**sample, "keywords": ["k"] * 80}  # small, but too many
    problem = assert_problem(client.post("/api/v1/releases", json=body, headers=auth(keys["acme"])), 422, "keywords")
    assert problem["detail"] == "keywords: at most 50 keywords of at most 100 characters each, one line; got 80"
    assert snapshot(wire.engine) == before
    assert client.get("/api/v1/languages").status_code == 200


def test_a_chunked_body_over_the_limit_is_refused_too(client, keys):
    limit = request_body_bytes(client.app.state.nw.settings.max_body_bytes)
    chunks = (b" " * 65_536 for _ in range(limit // 65_536 + 2))  # no Content-Length: counted as it comes
    r = client.post("/api/v1/releases", content=chunks, headers={**auth(keys["acme"]),
                                                                 "content-type": "application/json"})
    assert_problem(r, 413)


def test_a_full_cjk_body_sent_as_json_escapes_fits(client, keys, sample, wire):
    # ensure_ascii JSON (Python's default) writes each Korean character as a 6-byte \\u escape: a body at
    # the byte limit is twice as long on the wire, plus every other field at its limit.
    body = ("가나다라마바사아자차" * 10 + "\n\n") * (wire.settings.max_body_bytes // 3 // 102)
    assert len(body.encode()) <= wire.settings.max_body_bytes
    fields = {**sample, "body": body, "lead": "가" * 3000, "boilerplate": "나" * 5000,
              "keywords": ["다" * 100] * 50, "contacts": [{n: "라" * 50 for n in ("name", "organisation", "role",
                                                                                 "phone")}] * 10}
    content = json.dumps(fields)  # ensure_ascii
    assert len(content) > 2 * wire.settings.max_body_bytes
    r = client.post("/api/v1/releases", content=content, headers={**auth(keys["acme"]),
                                                                  "content-type": "application/json"})
    assert r.status_code == 201, r.text[:500]


def test_one_line_fields_refuse_line_breaks(client, keys, sample):
    for field, value in (("headline", "Acme\nships"), ("keywords", ["a\tb"]), ("dateline", {"city": "Ber\nlin"})):
        r = client.post("/api/v1/releases", json={**sample, field: value}, headers=auth(keys["acme"]))
        assert "one line" in assert_problem(r, 422, field)["detail"]
    r = client.post("/api/v1/releases", json={**sample, "lead": "Two\nlines are fine."}, headers=auth(keys["acme"]))
    assert r.status_code == 201, r.text


def test_issuers_and_imported_files_have_the_limits(wire, tmp_path):
    for slug, fields, field in (("a" * 65, {}, "slug"), ("acme2", {"website": over("issuer.website")}, "website"),
                                ("acme3", {"boilerplate": over("release.boilerplate")}, "boilerplate"),
                                ("acme4", {"contacts": over("release.contacts", {"name": "A"})}, "contacts")):
        with pytest.raises(InvalidInput) as exc:
            wire.accounts.create_issuer(slug, "Acme", **fields)
        assert [e.field for e in exc.value.errors] == [field]
    with pytest.raises(InvalidInput) as exc:
        wire.accounts.create_issuer("acme5", over("issuer.name"))
    assert [e.field for e in exc.value.errors] == ["name"]
    path = tmp_path / "many.md"
    path.write_text("---\nheadline: Acme ships\nlanguage: en\nissuer: acme\ntags: [" + ", ".join(["k"] * 51)
                    + "]\n---\nText.\n")
    item = importers.parse_file(path)
    with pytest.raises(InvalidInput) as exc:
        validate.content(item.fields, max_body_bytes=200_000, today=wire.clock().date())
    assert exc.value.errors[0].field == "keywords" and "at most 50 keywords" in exc.value.errors[0].message


def test_websub_hub_fields_have_the_limits(client, wire):
    before = snapshot(wire.engine)
    topic = "http://testserver/feeds/en.atom"
    for form, said in (({"hub.callback": "https://sub.example/" + over("websub.hub.callback"), "hub.topic": topic},
                        "hub.callback is 2,021 characters long; shorten it to at most 2,000"),
                       ({"hub.callback": "https://sub.example/cb", "hub.topic": topic + "?" + over("websub.hub.topic")},
                        "hub.topic is 2,033 characters long; shorten it to at most 2,000"),
                       ({"hub.callback": "http://127.0.0.1:9/cb", "hub.topic": topic, "hub.secret": "é" * 100},
                        "hub.secret must be less than 200 bytes")):
        r = client.post("/websub", data={"hub.mode": "subscribe", **form})
        assert r.status_code == 400 and said in r.text, r.text
    assert snapshot(wire.engine) == before


def test_the_documented_limits_are_the_enforced_ones():
    doc = (ROOT / "docs/api.md").read_text()
    table = doc.split("| Field | Limit |", 1)[1].split("\n\n", 1)[0]
    documented = dict(re.findall(r"^\| `([^`]+)` \| (.+?) \|$", table, re.M))
    expected = {key: limit.describe() for key, limit in LIMITS.items()}
    expected |= settings_rows(Settings().max_body_bytes)
    assert documented == expected
    assert "docs/api.md" in (ROOT / "README.md").read_text().split("## The API", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("key, field", [("user.email", "email"), ("user.name", "name"), ("user.password", "password")])
def test_an_account_over_its_limits_is_refused_naming_the_field(wire, key, field):
    values = {"email": "ada@example.com", "name": "Ada", "password": "a long enough password"}
    values[field] = ("a" * LIMITS[key].chars + "@example.com") if field == "email" else "a" * (LIMITS[key].chars + 1)
    before = snapshot(wire.engine)
    with pytest.raises(InvalidInput) as refused:
        wire.users.create_user(values["email"], values["name"], values["password"], "editor")
    assert [e.field for e in refused.value.errors] == [field]
    assert f"{LIMITS[key].chars:,}" in refused.value.errors[0].message
    assert snapshot(wire.engine) == before
