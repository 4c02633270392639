"""An outlet's endpoints page against a real webhook receiver: adding (and the SSRF refusal
explained beside the URL), a signed test event verified with the standardwebhooks library, the
delivery log with status, code, attempts and next try (paginated), replaying a failure, rotating
the secret (shown once) and content-API keys bound to the subscriber."""

from __future__ import annotations

import re

import pytest
from helpers import publish, snapshot
from standardwebhooks import Webhook
from subscriber_flow import outlet
from web_helpers import csrf
from webhook_receiver import rows, run_worker

from newswire.storage import deliveries as ledger
from newswire.web.subscriber import endpoints as endpoints_page

SECRET = re.compile(r'<code class="token">(whsec_[^<]+)</code>')


@pytest.fixture
def allow_private():
    return True


@pytest.fixture
def settings(settings, allow_private):
    return settings.with_overrides(webhook_allow_private=allow_private, retry_schedule="0.2,0.2,0.2")


def _add(c, url):
    page = c.get("/subscriber/endpoints")
    r = c.post("/subscriber/endpoints", data={"csrf": csrf(page), "url": url, "format": "ninjs"})
    assert r.status_code == 200, r.text
    (endpoint,) = [e for e in c.wire.subscriptions.endpoints(c.user.principal, c.sid) if e.address == url]
    return endpoint.id, SECRET.search(r.text).group(1)


@pytest.fixture
def desk(wire, app, keys):
    c = outlet(wire, app)
    c.wire = wire
    return c


@pytest.mark.parametrize("allow_private", [False])
def test_a_private_address_is_refused_with_the_reason_beside_the_url(wire, desk, receiver):
    page = desk.get("/subscriber/endpoints")
    assert "loopback, private, link-local" in page.text  # the rule, stated before anyone trips on it
    before = snapshot(wire.engine)
    for url in (receiver.url("/hook"), "http://169.254.169.254/latest/meta-data", "http://[::1]/x"):
        r = desk.post("/subscriber/endpoints", data={"csrf": csrf(page), "url": url, "format": "ninjs"})
        assert r.status_code == 422
        field = r.text.split('id="f-url-error">')[1].split("</p>")[0]
        assert "a loopback, private, link-local or reserved address" in field and "public addresses" in field
        assert f'value="{url}"' in r.text  # what was typed, shown again
    r = desk.post("/subscriber/endpoints", data={"csrf": csrf(page), "url": "ftp://93.184.215.14/x"})
    assert r.status_code == 422 and "must be an http:// or https:// URL" in r.text
    assert snapshot(wire.engine) == before


def test_signed_test_event_reaches_the_receiver_and_the_log(wire, desk, receiver):
    eid, secret = _add(desk, receiver.url("/hook"))
    assert secret not in desk.get("/subscriber/endpoints").text  # shown once
    page = desk.get("/subscriber/endpoints")
    r = desk.post(f"/subscriber/endpoints/{eid}/test", data={"csrf": csrf(page)})
    assert r.status_code == 200 and "it answered 204" in r.text
    (hit,) = receiver.at("/hook")
    payload = Webhook(secret).verify(hit.body, hit.headers)
    assert payload["type"] == "newswire.test" and payload["data"]["endpoint_id"] == eid
    assert hit.headers["webhook-id"] in r.text  # in the endpoint's test log

    receiver.plan["/hook"] = [500]
    r = desk.post(f"/subscriber/endpoints/{eid}/test", data={"csrf": csrf(page)})
    assert "The test event failed: HTTP 500: receiver says 500" in r.text
    second = receiver.at("/hook")[1]
    assert second.headers["webhook-id"] != hit.headers["webhook-id"]  # each test is its own message


@pytest.mark.parametrize("allow_private", [False])
def test_test_event_to_an_address_refused_at_send_time(wire, desk):
    from newswire.storage import subscribers as subs

    eid = wire.subscriptions.add_endpoint(desk.user.principal, desk.sid, {
        "channel": "webhook", "url": "https://93.184.215.14/in"}).endpoint.id
    with wire.db.transaction() as conn:  # as if DNS now pointed it inside
        subs.update_endpoint(conn, eid, address="http://127.0.0.1:9/in")
    page = desk.get("/subscriber/endpoints")
    r = desk.post(f"/subscriber/endpoints/{eid}/test", data={"csrf": csrf(page)})
    assert "The test event failed: refused" in r.text and "loopback" in r.text


def test_delivery_log_pages_and_replays_a_failure(wire, desk, receiver, editor, sample, monkeypatch):
    monkeypatch.setattr(endpoints_page, "PAGE", 2)
    _add(desk, receiver.url("/down"))
    receiver.plan["/down"] = [500] * 4
    dead = publish(wire, editor, sample)
    run_worker(wire, lambda: all(r.status != ledger.PENDING for r in rows(wire)))
    receiver.plan["/down"] = []
    for _ in range(2):
        publish(wire, editor, sample)
    run_worker(wire, lambda: all(r.status != ledger.PENDING for r in rows(wire)))

    page = desk.get("/subscriber/endpoints")
    log = page.text.split('id="log"')[1]
    assert log.count("<tr>") == 3  # the header row and two deliveries: a page
    assert f"Release {dead.public_id}" in log and "dead" in log and "HTTP 500: receiver says 500" in log
    assert f'href="/releases/{dead.public_id}"' in log  # the public id a subscriber may follow, not the row's number
    assert "<td>500</td><td>4</td>" in log  # response code and attempts
    nxt = re.search(r'href="(/subscriber/endpoints\?cursor=\d+)#log" rel="next"', log).group(1)
    second = desk.get(nxt).text.split('id="log"')[1]
    assert second.count("<tr>") == 2 and "<td>204</td><td>1</td>" in second and 'rel="next"' not in second

    (row,) = [r for r in rows(wire) if r.release_id == dead.id]
    r = desk.post(f"/subscriber/endpoints/deliveries/{row.id}/replay", data={"csrf": csrf(page)})
    assert r.status_code == 200 and "The delivery is due again" in r.text
    assert "Next try" in r.text and ledger.get(wire.engine.connect(), row.id).status == "pending"
    run_worker(wire, lambda: all(r.status != ledger.PENDING for r in rows(wire)))
    assert ledger.get(wire.engine.connect(), row.id).status == "delivered"
    # only dead deliveries are replayed
    r = desk.post(f"/subscriber/endpoints/deliveries/{row.id}/replay", data={"csrf": csrf(page)})
    assert r.status_code == 409


def test_rotating_shows_the_new_secret_once_and_signs_with_it(wire, desk, receiver):
    eid, old = _add(desk, receiver.url("/hook"))
    page = desk.get("/subscriber/endpoints")
    r = desk.post(f"/subscriber/endpoints/{eid}/rotate", data={"csrf": csrf(page)})
    new = SECRET.search(r.text).group(1)
    assert new != old and "The old secret keeps working for 24 hours" in r.text
    assert new not in desk.get("/subscriber/endpoints").text
    desk.post(f"/subscriber/endpoints/{eid}/test", data={"csrf": csrf(page)})
    (hit,) = receiver.at("/hook")
    assert Webhook(new).verify(hit.body, hit.headers) and Webhook(old).verify(hit.body, hit.headers)


def test_content_api_keys_bound_to_the_subscriber(wire, desk, client):
    page = desk.get("/subscriber/endpoints")
    r = desk.post("/subscriber/endpoints/keys", data={"csrf": csrf(page), "name": "Planet CMS"})
    token = re.search(r'<code class="token">(nw_[^<]+)</code>', r.text).group(1)
    assert "Planet CMS" in r.text and token not in desk.get("/subscriber/endpoints").text
    auth = {"Authorization": f"Bearer {token}"}
    got = client.get(f"/api/v1/subscribers/{desk.sid}", headers=auth)
    assert got.status_code == 200 and got.json()["name"] == "Daily Planet"
    assert client.get(f"/api/v1/subscribers/{desk.sid + 1}", headers=auth).status_code == 404
    r = desk.post("/subscriber/endpoints/keys", data={"csrf": csrf(page), "name": "  "})
    assert r.status_code == 422 and 'id="f-name-error"' in r.text
    key_id = int(re.search(r'/subscriber/endpoints/keys/(\d+)/revoke', desk.get("/subscriber/endpoints").text)
                 .group(1))
    desk.post(f"/subscriber/endpoints/keys/{key_id}/revoke", data={"csrf": csrf(page)})
    assert client.get(f"/api/v1/subscribers/{desk.sid}", headers=auth).status_code == 401
    assert "Revoked" in desk.get("/subscriber/endpoints").text


def test_removing_an_endpoint(wire, desk, receiver):
    eid, _ = _add(desk, receiver.url("/hook"))
    page = desk.get("/subscriber/endpoints")
    r = desk.post(f"/subscriber/endpoints/{eid}/delete", data={"csrf": csrf(page)})
    assert r.status_code == 200 and "The endpoint was removed" in r.text
    assert wire.subscriptions.endpoints(desk.user.principal, desk.sid) == []
