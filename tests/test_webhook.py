"""Webhook delivery end to end: routing → ledger → worker → a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

import pytest
from standardwebhooks import Webhook

from newswire.distribution import secrets
from newswire.distribution.channels.webhook import WebhookChannel
from newswire.domain.subscriptions import Preferences
from newswire.domain.vocab import media_topics
from newswire.formats.site import Site
from newswire.storage import deliveries as ledger
from newswire.storage import subscribers as subs
from standardwebhooks.webhooks import WebhookVerificationError
from helpers import audit_actions, publish, until
from webhook_receiver import add_webhook, rows, run_worker, verified, webhook_id


@pytest.fixture
def settings(settings):
    return settings.with_overrides(webhook_allow_private=True, retry_schedule="0.2,0.2,0.2")


def settled(wire, release_id=None):
    """Nothing left to send now (retries included)."""
    return lambda: all(r.status != ledger.PENDING for r in rows(wire, release_id=release_id))


def test_signed_ninjs_payload_verifies(wire, editor, sample, receiver):
    eid, secret = add_webhook(wire, receiver.url("/hook"))
    r = publish(wire, editor, sample)
    run_worker(wire, settled(wire))

    [hit] = receiver.at("/hook")
    [row] = rows(wire, release_id=r.id)
    assert hit.headers["webhook-id"] == webhook_id(wire.settings, row.id)
    assert re.fullmatch(r"msg_[a-z2-7]{24}", hit.headers["webhook-id"])  # opaque: no ledger row number
    assert hit.headers["Content-Type"] == "application/json"
    assert hit.headers["User-Agent"].startswith("Newswire/")
    assert int(hit.headers["webhook-timestamp"]) > 0
    payload = verified(hit, secret)
    assert (payload["type"], payload["version"], payload["format"]) == ("release.published", 1, "ninjs")
    data = payload["data"]
    assert payload["release"]["url"] == Site.from_settings(wire.settings).release_url(r)
    assert payload["release"]["attribution"] and data["standard"]["name"] == "ninjs"
    assert not {"url", "event", "attribution", "correction_note", "withdraw_reason"} & set(data)
    assert next(h["value"] for h in data["headlines"] if h["role"] == "main") == sample["headline"]
    with pytest.raises(WebhookVerificationError):
        Webhook(secrets.new_webhook_secret()).verify(hit.body, hit.headers)
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 204)


def test_only_matching_subscribers_receive(wire, editor, sample, receiver):
    child = sorted(media_topics().descendants("medtop:04000000"))[0]
    wanted = {
        "/any": Preferences(),
        "/parent-topic": Preferences(industries=("medtop:04000000",)),
        "/lang-region": Preferences(languages=("en",), regions=("DE",)),
        "/issuer": Preferences(issuers=("acme",)),
    }
    unwanted = {
        "/german": Preferences(languages=("de",)),
        "/france": Preferences(regions=("FR",)),
        "/arts": Preferences(industries=("medtop:01000000",)),
        "/globex": Preferences(issuers=("globex",)),
    }
    for path, prefs in {**wanted, **unwanted}.items():
        add_webhook(wire, receiver.url(path), prefs)
    publish(wire, editor, sample, industries=[child])
    run_worker(wire, settled(wire))
    assert sorted(h.path for h in receiver.hits) == sorted(wanted)


def test_failing_twice_then_succeeding_keeps_the_webhook_id(wire, editor, sample, receiver):
    add_webhook(wire, receiver.url("/flaky"))
    receiver.plan["/flaky"] = [500, 503]
    r = publish(wire, editor, sample)
    run_worker(wire, settled(wire))

    hits = receiver.at("/flaky")
    assert len(hits) == 3 and len({h.headers["webhook-id"] for h in hits}) == 1
    assert len({h.body for h in hits}) == 1
    [row] = rows(wire, release_id=r.id)
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 3, 204)


def test_410_disables_the_endpoint_and_cancels_its_pending_deliveries(wire, editor, sample, receiver):
    eid, _ = add_webhook(wire, receiver.url("/gone"), max_in_flight=1)
    receiver.plan["/gone"] = [410]
    first, second = publish(wire, editor, sample), publish(wire, editor, sample)
    run_worker(wire, settled(wire))

    assert len(receiver.at("/gone")) == 1
    by_release = {r.release_id: r for r in rows(wire) if r.endpoint_id == eid}
    assert (by_release[first.id].status, by_release[first.id].last_status_code) == ("dead", 410)
    assert by_release[second.id].status == "cancelled"
    with wire.engine.connect() as conn:
        ep = subs.get_endpoint_row(conn, eid)
    assert ep.status == "disabled" and "410" in ep.disabled_reason
    third = publish(wire, editor, sample)
    assert rows(wire, release_id=third.id) == []  # a disabled endpoint is no longer routed to
    assert [d for _, d in audit_actions(wire, "endpoint.gone")] == [{"endpoint_id": eid, "reason": ep.disabled_reason}]


def test_dead_after_the_last_retry_then_replayed(wire, editor, sample, receiver):
    add_webhook(wire, receiver.url("/down"))
    receiver.plan["/down"] = [500] * 4
    r = publish(wire, editor, sample)
    run_worker(wire, settled(wire))
    [row] = rows(wire, release_id=r.id)
    assert (row.status, row.attempts, row.last_status_code) == ("dead", 4, 500)
    assert "receiver says 500" in row.last_error

    with wire.db.transaction() as conn:
        assert ledger.replay(conn, wire.clock(), ids=[row.id]) == 1
    run_worker(wire, settled(wire))
    [row] = rows(wire, release_id=r.id)
    assert row.status == "delivered"
    assert len({h.headers["webhook-id"] for h in receiver.at("/down")}) == 1 and len(receiver.hits) == 5


def test_withdrawal_reaches_earlier_recipients_only(wire, editor, sample, receiver):
    _, secret = add_webhook(wire, receiver.url("/early"))
    r = publish(wire, editor, sample)
    run_worker(wire, settled(wire))
    add_webhook(wire, receiver.url("/late"))
    wire.releases.withdraw(editor, r.id, "Issued in error")
    run_worker(wire, settled(wire))

    payloads = [verified(h, secret) for h in receiver.at("/early")]
    assert [p["type"] for p in payloads] == ["release.published", "release.withdrawn"]
    notice = payloads[-1]
    assert notice["release"]["withdraw_reason"] == "Issued in error" and notice["data"]["pubstatus"] == "canceled"
    assert "bodies" not in notice["data"]  # a kill notice does not send the withdrawn text again
    assert receiver.at("/late") == []


def test_a_newsml_endpoint_gets_the_newsitem(wire, editor, sample, receiver):
    from lxml import etree

    _, secret = add_webhook(wire, receiver.url("/g2"), format="newsml-g2")
    r = publish(wire, editor, sample)
    run_worker(wire, settled(wire))
    wire.releases.withdraw(editor, r.id, "Issued in error")
    run_worker(wire, settled(wire))
    published, withdrawn = (verified(h, secret) for h in receiver.at("/g2"))
    item = etree.fromstring(published["newsml_g2"].encode())
    assert item.tag == "{http://iptc.org/std/nar/2006-10-01/}newsItem"
    assert (published["type"], published["format"]) == ("release.published", "newsml-g2")
    assert published["release"]["url"].startswith("http://testserver/en/releases/")
    assert (withdrawn["type"], withdrawn["data"]["pubstatus"]) == ("release.withdrawn", "canceled")


def test_correction_reaches_earlier_recipients_and_newly_matching(wire, editor, sample, receiver):
    add_webhook(wire, receiver.url("/us"), Preferences(regions=("US",)))
    _, secret = add_webhook(wire, receiver.url("/fr"), Preferences(regions=("FR",)))
    add_webhook(wire, receiver.url("/jp"), Preferences(regions=("JP",)))
    r = publish(wire, editor, sample)  # DE, US
    run_worker(wire, settled(wire))
    wire.releases.correct(editor, r.id, {"regions": ["FR"], "correction_note": "Launch is in France"})
    run_worker(wire, settled(wire))

    def events(path):
        return [json.loads(h.body)["type"] for h in receiver.at(path)]

    assert events("/us") == ["release.published", "release.corrected"]  # had it: hears of the fix
    assert events("/fr") == ["release.corrected"]  # matches now
    assert events("/jp") == []
    payload = verified(receiver.at("/fr")[0], secret)
    assert payload["data"]["version"] == "2" and payload["release"]["version"] == 2
    assert payload["release"]["correction_note"] == "Launch is in France"
    assert "Launch is in France" in payload["data"]["ednote"]


def test_private_addresses_are_refused_at_send_time(wire, editor, sample, receiver):
    literal, _ = add_webhook(wire, receiver.url("/literal"))
    named, _ = add_webhook(wire, f"http://localhost:{receiver.port}/named")
    r = publish(wire, editor, sample)
    strict = {"webhook": WebhookChannel(wire.settings.with_overrides(webhook_allow_private=False))}
    run_worker(wire, settled(wire), channels=strict)

    assert receiver.hits == []
    by_endpoint = {row.endpoint_id: row for row in rows(wire, release_id=r.id)}
    for eid, shown in ((literal, "127.0.0.1"), (named, "localhost")):
        row = by_endpoint[eid]
        assert (row.status, row.attempts) == ("dead", 1)  # permanent: no retries
        assert "refused" in row.last_error and shown in row.last_error


def test_rotated_secret_signs_with_both_until_the_overlap_ends(wire, editor, sample, receiver):
    old, new = secrets.new_webhook_secret(), secrets.new_webhook_secret()
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    earlier = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    add_webhook(wire, receiver.url("/overlap"), secret=new, previous_secret_expires_at=later,
                previous_secret_enc=secrets.encrypt(wire.settings, old))
    add_webhook(wire, receiver.url("/expired"), secret=new, previous_secret_expires_at=earlier,
                previous_secret_enc=secrets.encrypt(wire.settings, old))
    publish(wire, editor, sample)
    run_worker(wire, settled(wire))

    [hit] = receiver.at("/overlap")
    assert len(hit.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(hit.body, hit.headers)
    [hit] = receiver.at("/expired")
    assert len(hit.headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(hit.body, hit.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(hit.body, hit.headers)


def test_redirects_are_not_followed(wire, editor, sample, receiver):
    add_webhook(wire, receiver.url("/moved"))
    receiver.plan["/moved"] = [302]
    r = publish(wire, editor, sample)
    run_worker(wire, lambda: rows(wire, release_id=r.id)[0].attempts >= 1)

    [row] = rows(wire, release_id=r.id)
    assert (row.status, row.last_status_code) == ("pending", 302)  # a failure, retried later
    assert "not followed" in row.last_error
    assert receiver.at("/redirected") == []


def test_a_running_worker_delivers_again_to_an_endpoint_re_enabled_after_a_410(wire, keys, editor, sample,
                                                                                receiver):
    """An admin re-enables an endpoint that answered 410: the worker that saw the 410, still running,
    sends to it again (it used to remember the 410 for its whole life: claims, but no attempts)."""
    eid, _ = add_webhook(wire, receiver.url("/back"), max_in_flight=1)
    receiver.plan["/back"] = [410]
    admin = wire.accounts.authenticate(keys["admin"])
    with wire.engine.connect() as conn:
        sid = subs.get_endpoint_row(conn, eid).subscriber_id

    def status_of(release_id: int) -> str | None:
        found = rows(wire, release_id=release_id)
        return found[0].status if found else None

    async def main():
        worker = wire.delivery_worker("long-running", idle=60)  # only events wake it
        task = asyncio.create_task(worker.run())
        first = await asyncio.to_thread(publish, wire, editor, sample)
        await until(lambda: status_of(first.id) == "dead", "the 410 was not recorded")
        await asyncio.to_thread(wire.subscriptions.enable_endpoint, admin, sid, eid)
        second = await asyncio.to_thread(publish, wire, editor, sample)
        await until(lambda: status_of(second.id) == "delivered", "the re-enabled endpoint got nothing")
        worker.stop()
        await task

    asyncio.run(main())
    assert len(receiver.at("/back")) == 2
