"""Ad-hoc disclosures (issue 9, part 4; EU MAR Art. 17): required fields, the legal header on the
page and in ninjs and NewsML-G2 (validated against IPTC's schemas), published at once in the
original language, and the second it first reached the media, from a real delivery."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import assert_problem, snapshot, use_apertium
from lxml import etree
from test_format_newsml import G2, NS, PARSER
from test_format_ninjs import assert_valid
from webhook_receiver import add_webhook, rows, run_worker

from conftest import auth
from newswire.domain.exchanges import ADHOC_HEADER
from newswire.storage import deliveries as ledger

ADHOC = {"type": "adhoc", "notifier": "Ada Press", "exchange": "XETRA", "isins": ["DE0007164600"],
         "keywords": ["profit warning"], "headline": "Acme lowers its forecast for 2026",
         "body": "Acme Corporation expects revenue for 2026 below the previous forecast, the board decided today."}


@pytest.fixture
def settings(settings):
    return settings.with_overrides(webhook_allow_private=True)


@pytest.fixture
def adhoc(sample) -> dict:
    return {**sample, **ADHOC, "body_format": "markdown"}


def create(client, keys, body, who="acme"):
    return client.post("/api/v1/releases", json=body, headers=auth(keys[who]))


@pytest.mark.parametrize("missing, field", [("notifier", "notifier"), ("exchange", "exchange"),
                                            ("isins", "isins"), ("keywords", "keywords")])
def test_required_fields_refused_with_problem_documents(client, wire, keys, adhoc, missing, field):
    before = snapshot(wire.engine)
    body = assert_problem(create(client, keys, {k: v for k, v in adhoc.items() if k != missing}), 422, field)
    assert "ad-hoc" in next(e["message"] for e in body["errors"] if e["field"].startswith(field))
    assert snapshot(wire.engine) == before


@pytest.mark.parametrize("change, field", [
    ({"isins": ["DE0007164601"]}, "isins[0]"),  # a wrong check digit
    ({"exchange": "MOONEX"}, "exchange"),
    ({"type": "memo"}, "type"),
    ({"embargo_until": "2099-01-01T09:00:00+00:00"}, "embargo_until"),  # at once, never embargoed
])
def test_invalid_ad_hoc_fields(client, keys, adhoc, change, field):
    assert_problem(create(client, keys, {**adhoc, **change}), 422, field)


def test_an_ad_hoc_draft_cannot_be_given_an_embargo(client, keys, adhoc):
    rid = create(client, keys, adhoc).json()["id"]
    assert_problem(client.patch(f"/api/v1/releases/{rid}", json={"embargo_until": "2099-01-01T09:00:00+00:00"},
                                headers=auth(keys["acme"])), 422, "embargo_until")


def test_press_releases_carry_no_disclosure_fields(client, keys, sample):
    assert_problem(create(client, keys, {**sample, "notifier": "Ada Press"}), 422, "notifier")


def approved(client, keys, adhoc, **fields) -> int:
    r = create(client, keys, {**adhoc, **fields})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert client.post(f"/api/v1/releases/{rid}/submit", headers=auth(keys["acme"])).status_code == 200
    r = client.post(f"/api/v1/releases/{rid}/approve", headers=auth(keys["editor"]))
    assert r.status_code == 200, r.text
    return rid


def test_the_header_on_the_page_and_in_ninjs_and_newsml(client, keys, adhoc):
    rid = approved(client, keys, adhoc)
    doc = assert_valid(client.get(f"/api/v1/releases/{rid}").json())
    assert {"role": "disclosure", "contenttype": "text/plain", "value": ADHOC_HEADER} == doc["descriptions"][0]
    assert "Ada Press" in doc["descriptions"][-1]["value"]
    assert "DE0007164600" in [s.get("symbol") for s in doc["organisations"][0]["symbols"]]
    xml = client.get(f"/api/v1/releases/{rid}.xml").content
    schema = etree.XMLSchema(etree.parse(str(G2 / "NewsML-G2_2.35-spec-All-Power.xsd"), PARSER))
    item = etree.fromstring(xml, PARSER)
    assert schema.validate(item), schema.error_log
    assert item.findtext("g:contentMeta/g:description[@role='drol:disclosure']", namespaces=NS).startswith(ADHOC_HEADER)
    assert item.find("g:contentSet/g:inlineXML/x:html/x:body/x:p", NS).text == ADHOC_HEADER
    page = client.get(doc["renditions"][0]["href"].removeprefix("http://testserver"))
    assert page.status_code == 200 and ADHOC_HEADER in page.text


def test_press_releases_have_no_header(client, keys, publish):
    r = publish()
    assert "disclosure" not in str(client.get(f"/api/v1/releases/{r.public_id}").json()["descriptions"])


def test_published_at_once_without_waiting_on_translation(client, wire, keys, adhoc):
    use_apertium(wire)
    rid = approved(client, keys, adhoc, target_languages=["es"])
    status = client.get(f"/api/v1/releases/{rid}/status", headers=auth(keys["acme"])).json()
    assert status["status"] == "published" and status["type"] == "adhoc" and status["languages"] == ["en"]
    assert client.get(f"/api/v1/releases/{rid}").status_code == 200  # public, in English, now
    assert client.get(f"/api/v1/releases/{rid}?lang=es").status_code == 404  # not translated yet
    while wire.translation_worker("t").run_once():
        pass
    assert client.get(f"/api/v1/releases/{rid}?lang=es").status_code == 200  # the translation follows


def test_the_first_delivery_is_recorded_to_the_second(client, wire, keys, adhoc, receiver):
    add_webhook(wire, receiver.url("/desk"))
    rid = approved(client, keys, adhoc)
    number = wire.listings.resolve(wire.accounts.authenticate(keys["acme"]), rid)  # (the ledger's release_id)
    status = client.get(f"/api/v1/releases/{rid}/status", headers=auth(keys["acme"])).json()
    assert status["first_delivered_at"] is None  # nothing delivered yet
    run_worker(wire, lambda: all(r.status == ledger.DELIVERED for r in rows(wire, release_id=number)))
    assert len(receiver.at("/desk")) == 1
    status = client.get(f"/api/v1/releases/{rid}/status", headers=auth(keys["acme"])).json()
    [row] = rows(wire, release_id=number)
    first = dt.datetime.fromisoformat(status["first_delivered_at"])
    assert first == row.delivered_at and first.tzinfo is not None


FIRST_DELIVERY = {"anonymous": 401, "subscriber": 403, "globex": 403, "acme": 200, "editor": 200, "admin": 200}


@pytest.mark.parametrize("who", ["anonymous", "subscriber", "globex", "acme", "editor", "admin"])
def test_who_sees_the_first_delivery(client, keys, adhoc, who):
    rid = approved(client, keys, adhoc)
    r = client.get(f"/api/v1/releases/{rid}/status", headers=auth(None if who == "anonymous" else keys[who]))
    assert r.status_code == FIRST_DELIVERY[who], r.text
    if r.status_code == 200:
        assert "first_delivered_at" in r.json()


def test_the_header_in_the_e_mail(client, wire, keys, adhoc):
    from email import message_from_bytes
    from email.policy import default

    from newswire.formats import email

    rid = approved(client, keys, adhoc)
    release = wire.releases.get(wire.accounts.authenticate(keys["editor"]), rid)
    msg = message_from_bytes(email.render(release, "release.published", wire.site, "wire@news.example"),
                             policy=default)
    assert msg.get_body(("plain",)).get_content().split("\r\n\r\n")[1] == ADHOC_HEADER  # under the headline
    assert ADHOC_HEADER in msg.get_body(("html",)).get_content()


def test_a_scheduled_release_turned_into_an_ad_hoc_disclosure_must_drop_its_embargo(client, wire, keys, sample,
                                                                                       adhoc):
    editor = auth(keys["editor"])
    rid = client.post("/api/v1/releases", json={**sample, "issuer": "acme"}, headers=editor).json()["id"]
    r = client.post(f"/api/v1/releases/{rid}/publish", json={"embargo_until": "2099-01-01T09:00:00+00:00"},
                    headers=editor)
    assert r.json()["status"] == "scheduled"
    before = snapshot(wire.engine)
    turned = {k: adhoc[k] for k in ("type", "notifier", "exchange", "isins", "keywords")}
    assert_problem(client.patch(f"/api/v1/releases/{rid}", json=turned, headers=editor), 422, "embargo_until")
    assert snapshot(wire.engine) == before
