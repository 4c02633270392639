"""POST /api/v1/releases/{id}/send-back: the desk returns a submitted or approved release to its
issuer as a draft, with a note the issuer reads in the release's history."""

from __future__ import annotations

from conftest import auth
from helpers import assert_problem, snapshot


def _submitted(client, keys, sample) -> int:
    r = client.post("/api/v1/releases", json=sample, headers=auth(keys["acme"]))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert client.post(f"/api/v1/releases/{rid}/submit", headers=auth(keys["acme"])).status_code == 200
    return rid


def test_send_back_returns_a_submitted_release_to_draft_with_the_note_for_its_issuer(client, keys, sample):
    rid = _submitted(client, keys, sample)
    r = client.post(f"/api/v1/releases/{rid}/send-back", headers=auth(keys["editor"]),
                    json={"note": "  Please add a media contact.  "})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "draft"
    status = client.get(f"/api/v1/releases/{rid}/status", headers=auth(keys["acme"])).json()
    last = status["history"][-1]
    assert last["action"] == "release.send_back" and last["actor"] == "Desk Editor"
    assert last["detail"]["note"] == "Please add a media contact." and last["detail"]["from"] == "submitted"
    # the issuer can edit the draft and submit it again
    assert client.patch(f"/api/v1/releases/{rid}", headers=auth(keys["acme"]),
                        json={"lead": "Acme today announced its newest skate."}).status_code == 200
    assert client.post(f"/api/v1/releases/{rid}/submit", headers=auth(keys["acme"])).json()["status"] == "submitted"


def test_an_approved_release_can_be_sent_back_too(client, keys, sample):
    rid = _submitted(client, keys, sample)
    assert client.post(f"/api/v1/releases/{rid}/approve", headers=auth(keys["editor"])).status_code == 200
    r = client.post(f"/api/v1/releases/{rid}/send-back", headers=auth(keys["admin"]), json={"note": "Wrong date"})
    assert r.status_code == 200 and r.json()["status"] == "draft"
    history = client.get(f"/api/v1/releases/{rid}/status", headers=auth(keys["acme"])).json()["history"]
    assert history[-1]["detail"]["from"] == "approved"


def test_refused_send_backs_change_nothing(client, keys, sample, wire):
    rid = _submitted(client, keys, sample)
    draft = client.post("/api/v1/releases", json=sample, headers=auth(keys["acme"])).json()["id"]
    before = snapshot(wire.engine)
    url = f"/api/v1/releases/{rid}/send-back"
    assert_problem(client.post(url, json={"note": "x"}), 401)  # (anonymous: refused before anything is looked up)
    assert_problem(client.post(url, json={"note": "x"}, headers=auth(keys["acme"])), 403)  # its own issuer
    assert_problem(client.post(url, json={"note": "x"}, headers=auth(keys["globex"])), 404)
    assert_problem(client.post(url, json={"note": "x"}, headers=auth(keys["subscriber"])), 404)
    assert_problem(client.post(url, json={"note": "   "}, headers=auth(keys["editor"])), 422, "note")
    assert_problem(client.post(url, json={}, headers=auth(keys["editor"])), 422, "note")
    assert_problem(client.post(url, json={"note": "x" * 2001}, headers=auth(keys["editor"])), 422, "note")
    body = assert_problem(client.post(f"/api/v1/releases/{draft}/send-back", json={"note": "x"},
                                      headers=auth(keys["editor"])), 409)
    assert "Cannot send back a release that is draft" in body["detail"]
    assert snapshot(wire.engine) == before


def test_a_published_release_cannot_be_sent_back(client, keys, sample, wire):
    rid = _submitted(client, keys, sample)
    assert client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])).status_code == 200
    before = snapshot(wire.engine)
    assert_problem(client.post(f"/api/v1/releases/{rid}/send-back", json={"note": "x"},
                               headers=auth(keys["editor"])), 409)
    assert snapshot(wire.engine) == before
