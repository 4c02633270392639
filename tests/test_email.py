"""E-mail to journalists, against a real aiosmtpd server: matching, MIME, UTF-8, one-click
unsubscribe, connection reuse, digests in the subscriber's time zone, refusals and outages."""

from __future__ import annotations

import asyncio
import datetime as dt
from urllib.parse import urlsplit

import pytest
from helpers import audit_actions

import inmemory
from smtp_sink import Sink, add_journalist, deliver, endpoint, free_port, rows

from newswire.distribution.channels.base import Job, Target
from newswire.distribution.channels.email import EmailChannel, smtp_options

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # 19:00 in Seoul
ECONOMY = "medtop:04000000"


@pytest.fixture
def smtp():
    yield (sink := Sink().start())
    sink.stop()


@pytest.fixture
def channel(settings, smtp):
    return EmailChannel(settings.with_overrides(smtp_url=f"smtp://127.0.0.1:{smtp.port}",
                                                mail_from="Newswire <wire@newswire.test>"))


@pytest.fixture
def journalist(wire):
    return lambda address, **prefs: add_journalist(wire, address, **prefs)


def test_smtp_url():
    assert smtp_options("smtp://127.0.0.1:2525") == {
        "hostname": "127.0.0.1", "port": 2525, "use_tls": False, "start_tls": None, "username": None,
        "password": None}
    o = smtp_options("smtps://wire%40example.org:p%3Ass@mail.example.org")
    assert (o["port"], o["use_tls"], o["start_tls"], o["username"], o["password"]) == (
        465, True, False, "wire@example.org", "p:ss")
    with pytest.raises(ValueError):
        smtp_options("http://mail.example.org")


def test_instant_mail_reaches_matching_journalists_only(wire, channel, smtp, journalist, publish, sample):
    eid, token = journalist("ada@paper.test", languages=["en"], industries=[ECONOMY])
    journalist("bert@zeitung.test", languages=["de"])
    journalist("sport@paper.test", industries=["medtop:15000000"])
    release = publish()
    deliver(wire, channel)

    assert [rcpt for rcpt, _, _ in smtp.received] == ["ada@paper.test"]
    (msg,) = smtp.to("ada@paper.test")
    assert (msg["Subject"], msg["To"], msg["From"]) == (sample["headline"], "ada@paper.test",
                                                        "Newswire <wire@newswire.test>")
    assert msg["Date"] and msg["Message-ID"].endswith("@newswire.test>")
    assert msg["List-Unsubscribe"] == f"<http://testserver/unsubscribe/{token}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    url = f"http://testserver/en/releases/{release.id}/{release.slug}"
    for part in (text, html):
        assert "Rocket Skate 3000" in part and "30% lighter" in part and "About Acme" in part
        assert "press@acme.example" in part and url in part and "solely responsible" in part
        assert "BERLIN" in part
    assert "<strong>Rocket Skate 3000</strong>" in html and "<strong>" not in text
    assert [(r.status, r.attempts, r.last_status_code) for r in rows(wire, eid)] == [("delivered", 1, 250)]


def test_utf8_korean_and_german(wire, channel, smtp, journalist, publish):
    journalist("kim@ilbo.test", languages=["ko"])
    journalist("bert@zeitung.test", languages=["de"])
    publish(language="ko", headline="에이크미, 로켓 스케이트 3000 공개", lead="에이크미가 오늘 새 스케이트를 발표했다.",
            body="더 **빠르고** 더 안전하다.")
    publish(language="de", headline="Globex präsentiert Größeres", lead="Grüße aus Köln.", body="Über **Straßen**.")
    deliver(wire, channel)

    (ko,), (de,) = smtp.to("kim@ilbo.test"), smtp.to("bert@zeitung.test")
    assert ko["Subject"] == "에이크미, 로켓 스케이트 3000 공개"
    assert de["Subject"] == "Globex präsentiert Größeres"
    for msg, words in ((ko, ["에이크미가 오늘", "빠르고"]), (de, ["Grüße aus Köln", "Straßen"])):
        for part in msg.iter_parts():
            assert part.get_content_charset() == "utf-8"
            assert all(w in part.get_content() for w in words)
    assert 'lang="ko"' in ko.get_body(("html",)).get_content()
    assert b"".join(m for _, m, _ in smtp.received).isascii()  # 7-bit transport: any relay takes it


def test_rendered_once_and_sent_over_one_connection(wire, channel, smtp, journalist, publish, monkeypatch):
    addresses = [f"j{i}@paper.test" for i in range(6)]
    for a in addresses:
        journalist(a)
    calls = []
    render = channel.render
    monkeypatch.setattr(channel, "render", lambda *a: calls.append(a) or render(*a))
    publish()
    deliver(wire, channel)

    assert sorted(r for r, _, _ in smtp.received) == sorted(addresses)
    assert len(calls) == 1  # one MIME rendering for six recipients
    assert smtp.connections == 1 and channel.connections == 1
    assert len({smtp.to(a)[0]["Message-ID"] for a in addresses}) == 6


def test_reconnects_when_the_server_restarts(reference, sample, smtp):
    """The channel and a mail server only: no database, so the release is built in memory."""
    channel = EmailChannel(inmemory.SETTINGS.with_overrides(smtp_url=f"smtp://127.0.0.1:{smtp.port}",
                                                          mail_from="Newswire <wire@newswire.test>"))
    release = inmemory.published(reference.issuers["acme"], {**sample, "issuer": "acme"}, T0)
    target = Target(id=1, subscriber_id=None, address="ada@paper.test", format="email")
    payload = channel.render(release, "release.published", target)

    async def go():
        first = await channel.push(Job(1, "release.published", 0, release, target, payload))
        smtp.stop()  # drops the open connection, as an idle timeout or a restart would
        smtp.start()
        second = await channel.push(Job(2, "release.published", 0, release, target, payload))
        await channel.close()
        return first, second

    assert all(r.ok for r in asyncio.run(go())) and channel.connections == 2
    assert len(smtp.to("ada@paper.test")) == 2


def test_one_click_unsubscribe(wire, client, channel, smtp, journalist, publish):
    eid, token = journalist("ada@paper.test")
    digest_eid, digest_token = journalist("dora@paper.test", digest_hour=7)
    publish()
    deliver(wire, channel)
    (msg,) = smtp.to("ada@paper.test")
    path = urlsplit(msg["List-Unsubscribe"].strip("<>")).path

    page = client.get(path)  # a person (or a link scanner) opening the link: only asks
    assert page.status_code == 200 and 'method="post"' in page.text and "ada@paper.test" in page.text
    assert endpoint(wire, eid).status == "active"

    # What a mail program does per RFC 8058.
    r = client.post(path, content="List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "unsubscribed" in r.text
    assert (endpoint(wire, eid).status, endpoint(wire, eid).disabled_reason) == ("disabled", "unsubscribed")
    assert client.post(path).status_code == 200  # idempotent
    # through the subscription service, so the change is on record (once: repeating changes nothing)
    assert [d["endpoint_id"] for _, d in audit_actions(wire, "endpoint.unsubscribe")] == [eid]
    assert "You are unsubscribed" in client.get(path).text

    # The digest subscriber's pending delivery is cancelled when they unsubscribe.
    assert [x.status for x in rows(wire, digest_eid)] == ["pending"]
    assert client.post(f"/unsubscribe/{digest_token}").status_code == 200
    assert [x.status for x in rows(wire, digest_eid)] == ["cancelled"]

    before = len(smtp.received)
    publish(headline="A second release nobody unsubscribed should get")
    deliver(wire, channel)
    assert len(smtp.received) == before and len(rows(wire, eid)) == 1

    for method in (client.get, client.post):
        assert method("/unsubscribe/no-such-token").status_code == 404


def test_daily_digest_in_the_subscribers_time_zone(wire, channel, smtp, journalist, publish, clock):
    clock.set(T0)
    digest_eid, token = journalist("seo@ilbo.test", timezone="Asia/Seoul", digest_hour=8)
    journalist("now@paper.test")
    # More than the worker keeps in memory for one endpoint: still one digest.
    headlines = [f"Release {i} of the day" for i in range(12)]
    for h in headlines:
        publish(headline=h)
        clock.advance(minutes=20)
    deliver(wire, channel)

    assert len(smtp.to("now@paper.test")) == 12
    assert smtp.to("seo@ilbo.test") == []
    due = dt.datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # 08:00 the next morning in Seoul
    assert {r.next_attempt_at for r in rows(wire, digest_eid)} == {due}

    clock.set(due + dt.timedelta(seconds=30))
    deliver(wire, channel)
    (digest,) = smtp.to("seo@ilbo.test")
    assert digest["Subject"] == "Newswire digest: 12 releases"
    assert digest["List-Unsubscribe"] == f"<http://testserver/unsubscribe/{token}>"
    for part in (digest.get_body(("plain",)).get_content(), digest.get_body(("html",)).get_content()):
        assert all(h in part for h in headlines)
    assert {r.status for r in rows(wire, digest_eid)} == {"delivered"}
    assert len(smtp.to("now@paper.test")) == 12


def test_correction_and_withdrawal_reach_earlier_recipients(wire, channel, smtp, journalist, publish, editor):
    journalist("ada@paper.test")
    release = publish()
    deliver(wire, channel)
    wire.releases.correct(editor, release.id, {"lead": "Acme today announced its newest skate.",
                                      "correction_note": "The lead named the wrong skate."})
    deliver(wire, channel)
    wire.releases.withdraw(editor, release.id, "Issued in error.")
    deliver(wire, channel)

    first, corrected, withdrawn = smtp.to("ada@paper.test")
    assert corrected["Subject"] == "Correction: " + first["Subject"]
    assert "The lead named the wrong skate." in corrected.get_body(("plain",)).get_content()
    assert withdrawn["Subject"] == "Withdrawn: " + first["Subject"]
    text = withdrawn.get_body(("plain",)).get_content()
    assert "Issued in error." in text and "30% lighter" not in text  # the notice, not the text
    assert len({m["Message-ID"] for m in (first, corrected, withdrawn)}) == 3


def test_refusals(wire, channel, smtp, journalist, publish):
    gone, _ = journalist("gone@paper.test")
    busy, _ = journalist("busy@paper.test")
    smtp.refuse = {"gone@paper.test": "550 5.1.1 No such user", "busy@paper.test": "451 4.2.0 Try later"}
    publish()
    deliver(wire, channel)

    (dead,) = rows(wire, gone)
    assert (dead.status, dead.last_status_code) == ("dead", 550)  # retrying cannot help
    (later,) = rows(wire, busy)
    assert (later.status, later.attempts, later.last_status_code) == ("pending", 1, 451)
    assert later.next_attempt_at > wire.clock()
    assert smtp.received == []


def test_server_down_is_retried(wire, settings, journalist, publish):
    eid, _ = journalist("ada@paper.test")
    down = EmailChannel(settings.with_overrides(smtp_url=f"smtp://127.0.0.1:{free_port()}"))
    release = publish()
    target = Target(id=eid, subscriber_id=None, address="ada@paper.test", format="email")
    job = Job(1, "release.published", 0, release, target, down.render(release, "release.published", target))
    result = asyncio.run(down.push(job))
    assert not result.ok and not result.permanent and result.error

    deliver(wire, down)
    (row,) = rows(wire, eid)
    assert (row.status, row.attempts) == ("pending", 1) and row.last_error
    assert row.next_attempt_at > wire.clock() and down.connections == 0
