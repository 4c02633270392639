"""`POST /api/v1/imports`: who may import, the dry run, and an import as `newswire import` does it."""

from __future__ import annotations

from pathlib import Path

from conftest import auth

WIRE = (Path(__file__).parent / "data" / "wirecopy" / "de-newssite-republished.txt").read_text(encoding="utf-8")
FILES = [{"name": "alpenstrom.txt", "text": WIRE}]


def test_only_issuers_and_the_desk_may_import(client, keys):
    for who, status in ((None, 401), ("subscriber", 403)):
        r = client.post("/api/v1/imports", json={"files": FILES, "dry_run": True}, headers=auth(keys.get(who)))
        assert r.status_code == status, r.text
    for who in ("acme", "editor", "admin"):
        r = client.post("/api/v1/imports", json={"files": FILES, "dry_run": True}, headers=auth(keys[who]))
        assert r.status_code == 200, r.text


def test_dry_run_shows_fields_and_furniture_and_writes_nothing(client, keys, wire):
    r = client.post("/api/v1/imports", headers=auth(keys["acme"]),
                    json={"files": FILES + [{"name": "notes.docx", "text": "x"}], "dry_run": True})
    first, second = r.json()["files"]
    assert first["fields"]["dateline"] == {"city": "Innsbruck", "date": "2026-11-18"}
    assert first["agency"] == "SeaPRwire" and first["problems"] == []
    assert {"kind": "footer", "text": "Details", "to": "dropped"} in first["furniture"]
    assert "not a file type" in second["problems"][0]
    assert client.get("/api/v1/releases/1/status", headers=auth(keys["acme"])).status_code == 404


def test_import_creates_the_releases_with_their_furniture_audited(client, keys, wire):
    r = client.post("/api/v1/imports", headers=auth(keys["acme"]), json={"files": FILES})
    assert r.status_code == 201, r.text
    (made,) = r.json()["releases"]
    assert made["status"] == "draft" and made["issuer"] == "acme"
    history = client.get(f"/api/v1/releases/{made['id']}/status", headers=auth(keys["acme"])).json()["history"]
    assert [h["action"] for h in history] == ["release.create", "import.furniture"]
    refused = client.post("/api/v1/imports", headers=auth(keys["editor"]), json={"files": FILES})
    assert refused.status_code == 422 and "issuer" in refused.text  # the desk names the issuer
    ok = client.post("/api/v1/imports", headers=auth(keys["editor"]), json={"files": FILES, "issuer": "globex"})
    assert ok.status_code == 201 and ok.json()["releases"][0]["issuer"] == "globex"
