"""The portal's release page (status, history, languages, live delivery counts, requests to the
desk), the desk's list of requests, and importing wire copy with its dry run first."""

from __future__ import annotations

from helpers import publish as publish_release
from helpers import use_apertium
from test_portal import FORM, created_id, post
from web_helpers import csrf

from newswire.domain.models import Status

WIRE_COPY = """BERLIN, Nov. 20, 2026 /PRNewswire/ -- Acme today unveiled the Rocket Skate 3000, its lightest skate yet.

The skate is 30% lighter than its predecessor and reaches twice the range.

About Acme
Acme makes everything.

Media contact: Ada Press, press@acme.example

SOURCE Acme Corporation
"""


def test_the_release_page_shows_status_history_languages_and_deliveries(signed_in, wire, editor, sample, keys):
    admin = wire.accounts.authenticate(keys["admin"])
    outlet = wire.subscriptions.create(admin, {"kind": "journalist", "name": "Daily Planet",
                                               "email": "desk@planet.example"})
    wire.subscriptions.add_endpoint(admin, outlet.id, {"channel": "email", "address": "desk@planet.example"})
    acme = signed_in("issuer", issuer="acme")
    release = publish_release(wire, editor, sample)
    page = acme.get(f"/portal/releases/{release.id}")
    assert page.status_code == 200
    assert "published" in page.text and "release.create" in page.text and "release.publish" in page.text
    assert f'data-poll="/portal/releases/{release.public_id}/deliveries"' in page.text  # (the portal's URLs)
    fragment = acme.get(f"/portal/releases/{release.public_id}/deliveries")
    assert fragment.status_code == 200 and "email" in fragment.text
    assert '<td class="count-pending">1</td>' in fragment.text
    assert "1 pending" in acme.get("/portal/rows").text


def test_checks_on_demand_from_the_release_page(signed_in, wire):
    acme = signed_in("issuer", issuer="acme")
    rid = created_id(post(acme, "/portal/new", {**FORM, "action": "save"}), wire)
    r = acme.get(f"/portal/releases/{rid}/checks")
    assert r.status_code == 200 and "error(s)" in r.text


def test_submit_and_withdraw_a_draft_from_its_page(signed_in, wire):
    acme = signed_in("issuer", issuer="acme")
    rid = created_id(post(acme, "/portal/new", {**FORM, "action": "save"}), wire)
    page = f"/portal/releases/{rid}"
    assert post(acme, f"{page}/submit", {}, page=page).status_code == 303
    assert wire.releases.get(acme.user.principal, rid).status == Status.SUBMITTED
    r = post(acme, f"{page}/withdraw", {"reason": ""}, page=page)
    assert r.status_code == 422 and 'id="f-reason-error"' in r.text
    r = post(acme, f"{page}/withdraw", {"reason": "x" * 1200}, page=page)
    assert r.status_code == 422 and "x" * 1200 in r.text  # what was typed, with the error beside it
    assert post(acme, f"{page}/withdraw", {"reason": "Sent too early"}, page=page).status_code == 303
    assert wire.releases.get(acme.user.principal, rid).status == Status.WITHDRAWN


def test_correction_and_withdrawal_requests_reach_the_desk(signed_in, wire, editor, sample):
    acme = signed_in("issuer", issuer="acme")
    release = publish_release(wire, editor, sample)
    page = f"/portal/releases/{release.id}"
    assert "Ask for a correction" in acme.get(page).text
    r = post(acme, f"{page}/correct", {"text": "The corrected text.", "note": ""}, page=page)
    assert r.status_code == 422 and "The corrected text." in r.text  # what was typed, the error beside it
    assert post(acme, f"{page}/correct", {"text": "The corrected text.", "note": "Price fixed"},
                page=page).status_code == 303
    assert post(acme, f"{page}/request-withdrawal", {"note": "Wrong product"}, page=page).status_code == 303
    shown = acme.get(page).text
    assert "Price fixed" in shown and "Wrong product" in shown
    assert wire.releases.get(editor, release.id).status == Status.PUBLISHED  # nothing changed by itself
    desk = signed_in("editor")
    queue = desk.get("/requests")
    assert queue.status_code == 200 and "Price fixed" in queue.text and "The corrected text." in queue.text
    first = wire.portal.open_requests(editor)[0][0]
    r = desk.post(f"/requests/{first['id']}/done", data={"csrf": csrf(queue), "reply": "Corrected, thanks"},
                  follow_redirects=False)
    assert r.status_code == 303
    assert len(wire.portal.open_requests(editor)) == 1
    assert "Corrected, thanks" in acme.get(page).text


def test_issuers_correct_directly_where_they_may_self_publish(signed_in, wire, editor, sample):
    wire.releases.policy = type(wire.releases.policy)(wire.releases.policy.max_body_bytes, True)
    acme = signed_in("issuer", issuer="acme")
    release = publish_release(wire, editor, sample)
    page = f"/portal/releases/{release.id}"
    assert "Publish the correction" in acme.get(page).text
    assert post(acme, f"{page}/correct", {"text": "Now corrected.", "note": "Typo"}, page=page).status_code == 303
    assert wire.releases.get(editor, release.id).status == Status.CORRECTED


def test_import_shows_the_dry_run_before_anything_is_saved(signed_in, wire):
    acme = signed_in("issuer", issuer="acme")
    r = post(acme, "/portal/import", {"text": WIRE_COPY, "name": "pasted.txt"}, page="/portal/import")
    assert r.status_code == 200
    assert "Fields found" in r.text and "Furniture removed" in r.text and "Create draft from this" in r.text
    assert "Rocket Skate" in r.text and "PRNewswire" in r.text
    assert wire.portal.releases(acme.user.principal)[0] == []  # the dry run wrote nothing
    created = post(acme, "/portal/import/create", {"text": WIRE_COPY, "name": "pasted.txt"}, page="/portal/import")
    assert created.status_code == 303 and created.headers["location"].endswith("/edit")
    items, _ = wire.portal.releases(acme.user.principal)
    assert len(items) == 1 and items[0].status == Status.DRAFT and "Rocket Skate" in items[0].content.headline
    edit = acme.get(created.headers["location"])
    assert edit.status_code == 200 and "Rocket Skate" in edit.text


def test_import_by_upload(signed_in, wire):
    acme = signed_in("issuer", issuer="acme")
    token = csrf(acme.get("/portal/import"))
    r = acme.post("/portal/import", data={"csrf": token}, files={"file": ("acme.txt", WIRE_COPY.encode(), "text/plain")})
    assert r.status_code == 200 and "acme.txt" in r.text and "Fields found" in r.text
    r = acme.post("/portal/import", data={"csrf": token, "text": ""})
    assert r.status_code == 422 and 'id="f-text-error"' in r.text


def test_every_language_version_with_its_state(signed_in, wire, editor):
    use_apertium(wire)
    acme = signed_in("issuer", issuer="acme")
    rid = created_id(post(acme, "/portal/new", {**FORM, "target_languages": ["es", "pt"], "action": "submit"}), wire)
    page = acme.get(f"/portal/releases/{rid}").text
    assert page.count("waiting for approval") == 2  # translation starts once the desk approves
    wire.releases.approve(editor, rid, override="test: the pre-checks may stand")
    page = acme.get(f"/portal/releases/{rid}").text
    assert page.count("<td>queued") == 2 and "waiting for approval" not in page
