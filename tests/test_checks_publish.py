"""Pre-check errors hold a direct publish too (issue 9): a release the desk has not approved meets
the approval's checks when it is published, through the API, the service and an import; an
approved (or scheduled) release is not checked again."""

from __future__ import annotations

import pytest
from helpers import assert_problem, audit_actions, rewire, snapshot
from typer.testing import CliRunner

from conftest import auth
from newswire.cli import app as cli_app
from newswire.domain.errors import Conflict, Forbidden

# 27 October 2021 was a Wednesday: the weekday check's error.
WRONG_DAY = ("The company will present its results on Wednesday, October 26, 2021 in Berlin, "
             "followed by a conference call for analysts and investors.")


def draft(client, keys, sample, **fields) -> int:
    r = client.post("/api/v1/releases", json={**sample, **fields}, headers=auth(keys["acme"]))
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.mark.parametrize("submitted", [False, True])
def test_errors_hold_a_direct_publish_until_an_audited_override(client, wire, keys, sample, submitted):
    rid = draft(client, keys, sample, body=WRONG_DAY)
    if submitted:
        assert client.post(f"/api/v1/releases/{rid}/submit", headers=auth(keys["acme"])).status_code == 200
    before = snapshot(wire.engine)
    body = assert_problem(client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"])), 409)
    assert [x["check"] for x in body["checks"]] == ["weekday"] and "override" in body["detail"]
    assert snapshot(wire.engine) == before
    assert_problem(client.post(f"/api/v1/releases/{rid}/publish", json={"override": " "},
                               headers=auth(keys["editor"])), 422, "override")
    r = client.post(f"/api/v1/releases/{rid}/publish", json={"override": "the event moved; the date stands"},
                    headers=auth(keys["editor"]))
    assert r.status_code == 200 and r.json()["status"] == "published", r.text
    [(_, detail)] = audit_actions(wire, "release.checks_override")
    assert detail["note"] == "the event moved; the date stands" and detail["action"] == "publish"
    assert detail["errors"][0]["check"] == "weekday"


def test_an_approved_release_is_not_checked_again(client, wire, keys, sample):
    rid = draft(client, keys, sample, body=WRONG_DAY)
    client.post(f"/api/v1/releases/{rid}/submit", headers=auth(keys["acme"]))
    r = client.post(f"/api/v1/releases/{rid}/approve", json={"override": "as planned"}, headers=auth(keys["editor"]))
    assert r.status_code == 200
    r = client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"]))
    assert r.status_code == 200 and r.json()["status"] == "published", r.text
    assert len(audit_actions(wire, "release.checks_override")) == 1  # the approval's only


def test_a_clean_release_publishes_directly(client, keys, sample):
    rid = draft(client, keys, sample)
    r = client.post(f"/api/v1/releases/{rid}/publish", headers=auth(keys["editor"]))
    assert r.status_code == 200 and r.json()["status"] == "published", r.text


def test_the_service_holds_a_direct_publish(wire, editor, sample):
    r = wire.releases.create(editor, {**sample, "issuer": "acme", "body": WRONG_DAY})
    with pytest.raises(Conflict) as exc:
        wire.releases.publish(editor, r.id)
    assert [c["check"] for c in exc.value.extra["checks"]] == ["weekday"]
    assert wire.releases.publish(editor, r.id, override="checked").status.value == "published"


def test_an_import_that_publishes_is_held_unless_overridden(wire, editor, sample):
    raw = {**sample, "issuer": "acme", "body": WRONG_DAY}
    before = snapshot(wire.engine)
    with pytest.raises(Conflict) as exc:
        wire.releases.import_releases(editor, [dict(sample, issuer="acme"), raw], publish=True)
    assert exc.value.extra["index"] == 1 and snapshot(wire.engine) == before
    done = wire.releases.import_releases(editor, [raw], publish=True, override="imported as sent")
    assert [r.status.value for r in done] == ["published"]
    assert [d["note"] for _, d in audit_actions(wire, "release.checks_override")] == ["imported as sent"]
    # without publish nothing is checked: drafts meet the desk later
    assert wire.releases.import_releases(editor, [raw])[0].status.value == "draft"


def test_the_api_import_takes_an_override(client, keys):
    text = f"---\nheadline: Acme presents its results\nlanguage: en\nissuer: acme\n---\n\n{WRONG_DAY}\n"
    files = [{"name": "results.md", "text": text}]
    r = client.post("/api/v1/imports", json={"files": files, "publish": True}, headers=auth(keys["editor"]))
    body = assert_problem(r, 409)
    assert [x["check"] for x in body["checks"]] == ["weekday"]
    r = client.post("/api/v1/imports", json={"files": files, "publish": True, "override": "as sent"},
                    headers=auth(keys["editor"]))
    assert r.status_code == 201 and r.json()["releases"][0]["status"] == "published", r.text


def test_the_cli_import_takes_an_override(wire, keys, tmp_path, settings):
    path = tmp_path / "results.md"
    path.write_text(f"---\nheadline: Acme presents its results\nlanguage: en\nissuer: acme\n---\n\n{WRONG_DAY}\n")
    common = ["import", str(path), "--publish", "--data-dir", str(settings.data_dir),
              "--database-url", settings.database_url]
    held = CliRunner().invoke(cli_app, common)
    assert held.exit_code == 1 and "weekday" in held.output
    done = CliRunner().invoke(cli_app, [*common, "--override", "as the issuer sent it"])
    assert done.exit_code == 0 and "\tpublished\t" in done.output, done.output


def test_a_self_publishing_issuer_may_not_override(wire, keys, sample):
    wire = rewire(wire, issuer_self_publish=True)  # the errors hold it; only the desk overrides them
    acme = wire.accounts.authenticate(keys["acme"])
    rid = wire.releases.create(acme, {**sample, "body": WRONG_DAY}).id
    with pytest.raises(Conflict):
        wire.releases.publish(acme, rid)
    with pytest.raises(Forbidden) as exc:
        wire.releases.publish(acme, rid, override="we know better")
    assert [c["check"] for c in exc.value.extra["checks"]] == ["weekday"]
    assert wire.releases.get(acme, rid).status.value == "draft"
    clean = wire.releases.create(acme, sample).id
    assert wire.releases.publish(acme, clean).status.value == "published"
    wire.close()
