"""The release lifecycle over the HTTP API, and refused input that changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import auth
from helpers import assert_problem, headline, snapshot, written_in


def create(client, keys, body, who="acme"):
    r = client.post("/api/v1/releases", json=body, headers=auth(keys[who]))
    assert r.status_code == 201, r.text
    return r.json()


def test_full_lifecycle(client, keys, sample, wire):
    created = create(client, keys, sample)
    assert created["status"] == "draft"
    assert created["url"].startswith("http://testserver/en/releases/")
    rid = created["id"]
    assert client.get(f"/api/v1/releases/{rid}").status_code == 404  # not public yet

    assert client.post(f"/api/v1/releases/{rid}/submit", headers=auth(keys["acme"])).json()["status"] == "submitted"
    assert client.post(f"/api/v1/releases/{rid}/approve", headers=auth(keys["editor"])).json()["status"] == "approved"
    published = client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).json()
    assert published["status"] == "published" and published["published_at"]

    public = client.get(f"/api/v1/releases/{rid}")
    assert public.status_code == 200 and headline(public.json()) == sample["headline"]

    corrected = client.post(f"/api/v1/releases/{rid}/correct", headers=auth(keys["editor"]),
                            json={"headline": "Acme unveils the Rocket Skate 3001",
                                  "correction_note": "Model number corrected."}).json()
    assert corrected["status"] == "corrected" and corrected["version"] == 2
    assert headline(client.get(f"/api/v1/releases/{rid}").json()).endswith("3001")

    withdrawn = client.post(f"/api/v1/releases/{rid}/withdraw", headers=auth(keys["editor"]),
                            json={"reason": "Issued in error."}).json()
    assert withdrawn["status"] == "withdrawn"
    assert client.get(f"/api/v1/releases/{rid}").status_code == 404

    history = client.get(f"/api/v1/releases/{rid}/status", headers=auth(keys["acme"])).json()["history"]
    assert [h["action"] for h in history] == [
        "release.create", "release.submit", "release.approve", "release.publish", "release.correct",
        "release.withdraw"]
    assert history[0]["actor"] == "Acme PR" and history[2]["actor"] == "Desk Editor"


def test_issuer_defaults_fill_boilerplate_and_contacts(client, keys, sample, wire):
    rid = create(client, keys, sample)["id"]
    r = wire.releases.get(wire.accounts.authenticate(keys["acme"]), rid)
    assert r.content.boilerplate == "About Acme: makers of everything."
    assert r.content.contacts[0].email == "press@acme.example"


def test_markdown_is_rendered_and_sanitized(client, keys, sample, wire):
    sample["body"] = "# Title\n\nText with [link](https://example.com) and <em onmouseover=x>oops</em>"
    r = client.post("/api/v1/releases", json=sample, headers=auth(keys["acme"]))
    assert_problem(r, 422, "body")  # event handlers are refused, not silently dropped
    sample["body"] = "# Title\n\nText with [link](https://example.com), <u>raw html</u> & **bold**"
    rid = create(client, keys, sample)["id"]
    body = wire.releases.get(wire.accounts.authenticate(keys["acme"]), rid).content.body_html
    assert "<h2>Title</h2>" in body and 'href="https://example.com"' in body and "<u>raw html</u>" in body
    assert 'rel="noopener nofollow"' in body and "<strong>bold</strong>" in body


def test_editor_can_publish_directly_and_schedule(client, keys, sample, clock):
    sample["issuer"] = "acme"
    rid = create(client, keys, sample, who="editor")["id"]
    later = (clock() + dt.timedelta(hours=2)).isoformat()
    r = client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"]), json={"embargo_until": later})
    assert r.json()["status"] == "scheduled"
    assert client.get(f"/api/v1/releases/{rid}").status_code == 404
    assert client.get(f"/api/v1/releases/{rid}.xml").status_code == 404
    assert f"http://testserver/releases/{rid}" not in [i["uri"] for i in client.get("/api/v1/releases").json()["items"]]


def test_list_filters_and_cursor(client, keys, sample, wire):
    editor = wire.accounts.authenticate(keys["editor"])
    ids = []
    for i, (lang, topic, region) in enumerate([("en", "medtop:04000000", "DE"), ("de", "medtop:20000209", "AT"),
                                               ("en", "medtop:15000000", "US")]):
        body = {**sample, **(written_in(lang) if lang != "en" else {}), "issuer": "acme" if i < 2 else "globex",
                "language": lang, "industries": [topic], "regions": [region], "headline": f"Release {i}"}
        r = wire.releases.create(editor, body)
        wire.releases.publish(editor, r.id)
        ids.append(r.id)

    def headlines(**params):
        res = client.get("/api/v1/releases", params=params)
        assert res.status_code == 200, res.text
        return [headline(i) for i in res.json()["items"]]

    assert headlines() == ["Release 2", "Release 1", "Release 0"]
    assert headlines(language="de") == ["Release 1"]
    assert headlines(region="us") == ["Release 2"]
    assert headlines(issuer="globex") == ["Release 2"]
    # medtop:20000209 sits below medtop:04000000 (economy): a parent filter matches its descendants.
    assert headlines(industry="medtop:04000000") == ["Release 1", "Release 0"]
    future = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat()
    assert headlines(since=future) == []

    page1 = client.get("/api/v1/releases", params={"limit": 2}).json()
    assert len(page1["items"]) == 2 and page1["next"]
    page2 = client.get(page1["next"]).json()
    assert [headline(i) for i in page2["items"]] == ["Release 0"] and page2["next"] is None


def test_list_by_status_is_private(client, keys, sample):
    create(client, keys, sample)
    create(client, keys, {**sample, "headline": "Globex draft"}, who="globex")
    assert_problem(client.get("/api/v1/releases", params={"status": "draft"}), 401)
    assert_problem(client.get("/api/v1/releases", params={"status": "draft"}, headers=auth(keys["subscriber"])), 403)
    own = client.get("/api/v1/releases", params={"status": "draft"}, headers=auth(keys["acme"])).json()["items"]
    assert [headline(i) for i in own] == [sample["headline"]]
    desk = client.get("/api/v1/releases", params={"status": "draft"}, headers=auth(keys["editor"])).json()["items"]
    assert len(desk) == 2


BAD_INPUT = [
    ("missing headline", {"headline": None}, 422, "headline"),
    ("blank headline", {"headline": "   "}, 422, "headline"),
    ("html in headline", {"headline": "<b>Big</b> news"}, 422, "headline"),
    ("unknown language", {"language": "xx-YY"}, 422, "language"),
    ("unknown media topic", {"industries": ["medtop:99999999"]}, 422, "industries"),
    ("retired media topic", {"industries": ["medtop:20000030"]}, 422, "industries"),
    ("bad region", {"regions": ["XX"]}, 422, "regions"),
    ("bad ticker", {"tickers": ["not a ticker"]}, 422, "tickers"),
    ("embargo in the past", {"embargo_until": "2001-01-01T00:00:00Z"}, 422, "embargo_until"),
    ("embargo without zone", {"embargo_until": "2099-01-01T00:00:00"}, 422, "embargo_until"),
    ("embargo not a date", {"embargo_until": "tomorrow"}, 422, "embargo_until"),
    ("oversized body", {"body": "x" * 300_000}, 413, "body"),
    ("script tag", {"body": "<p>Hi</p><script>alert(1)</script>", "body_format": "html"}, 422, "body"),
    ("event handler", {"body": '<p onclick="x()">Hi</p>', "body_format": "html"}, 422, "body"),
    ("javascript url", {"body": '[x](javascript:alert(1))'}, None, None),
    ("javascript url html", {"body": '<a href="javascript:alert(1)">x</a>', "body_format": "html"}, 422, "body"),
    ("unclosed tag", {"body": "<p>Hi <strong>there</p>", "body_format": "html"}, 422, "body"),
    ("stray end tag", {"body": "<p>Hi</em></p>", "body_format": "html"}, 422, "body"),
    ("raw html in markdown", {"body": "Hello\n\n<div><em>unclosed</div>"}, 422, "body"),
    ("control chars", {"body": "Hello\x00world"}, 422, "body"),
    ("unknown body format", {"body_format": "rtf"}, 422, "body_format"),
    ("unknown field", {"colour": "red"}, 422, "colour"),
    ("bad contact email", {"contacts": [{"name": "A", "email": "not-an-email"}]}, 422, "contacts"),
    ("dateline without city", {"dateline": {"date": "2026-01-01"}}, 422, "dateline"),
]


@pytest.mark.parametrize("case,change,status,field", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_and_changes_nothing(client, keys, sample, wire, case, change, status, field):
    body = {**sample, **change}
    body = {k: v for k, v in body.items() if v is not None}
    before = snapshot(wire.engine)
    r = client.post("/api/v1/releases", json=body, headers=auth(keys["acme"]))
    if status is None:
        # markdown-it refuses to make a link of a javascript: URL; it stays text, never a link.
        assert r.status_code == 201
        assert "javascript:" not in wire.releases.get(wire.accounts.authenticate(keys["acme"]), r.json()["id"]).content.body_html \
            .replace("[x](javascript:alert(1))", "")
        return
    problem = assert_problem(r, status, field)
    assert snapshot(wire.engine) == before, f"{case}: a refused request changed the database"
    assert problem["detail"]


def test_malformed_json_is_a_problem(client, keys, wire):
    before = snapshot(wire.engine)
    r = client.post("/api/v1/releases", content=b'{"headline": "x",', headers={
        **auth(keys["acme"]), "content-type": "application/json"})
    assert_problem(r, 422)
    assert snapshot(wire.engine) == before


def test_refused_transitions_change_nothing(client, keys, sample, wire):
    rid = create(client, keys, sample)["id"]
    before = snapshot(wire.engine)
    assert_problem(client.post(f"/api/v1/releases/{rid}/approve", headers=auth(keys["editor"])), 409)
    assert_problem(client.post(f"/api/v1/releases/{rid}/correct", headers=auth(keys["editor"]),
                               json={"correction_note": "x"}), 409)
    assert_problem(client.post(f"/api/v1/releases/{rid}/withdraw", headers=auth(keys["editor"]), json={}), 422)
    assert_problem(client.patch(f"/api/v1/releases/{rid}", headers=auth(keys["acme"]),
                                json={"industries": ["medtop:nope"]}), 422, "industries")
    assert snapshot(wire.engine) == before


def test_edit_makes_a_new_version(client, keys, sample, wire):
    rid = create(client, keys, sample)["id"]
    r = client.patch(f"/api/v1/releases/{rid}", headers=auth(keys["acme"]), json={"headline": "New headline"})
    assert r.status_code == 200 and r.json()["version"] == 2
    from newswire.storage import releases as store

    with wire.engine.connect() as conn:
        versions = store.versions(conn, store.load(conn, rid).id)  # (the API's id is the public one)
    assert [v.content.headline for v in versions] == [sample["headline"], "New headline"]
    assert versions[1].content.industries == tuple(sample["industries"])  # untouched fields carried over


def test_unknown_api_path_and_method_are_problems(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert_problem(client.delete("/api/v1/releases"), 405)


def test_openapi_lists_the_endpoints(client):
    spec = client.get("/openapi.json").json()
    for path in ["/api/v1/releases", "/api/v1/releases/{release_ref}", "/api/v1/releases/{release_id}/publish",
                 "/api/v1/releases/{release_id}/correct", "/api/v1/releases/{release_id}/withdraw"]:
        assert path in spec["paths"]
