"""E-mail to journalists, against a real aiosmtpd server: matching, MIME, UTF-8, one-click
unsubscribe, connection reuse, digests in the subscriber's time zone, refusals and outages."""

from __future__ import annotations

import asyncio
import datetime as dt
from urllib.parse import urlsplit

import pytest
from helpers import audit_actions

import inmemory
from smtp_sink import add_journalist, deliver, endpoint, free_port, rows

from newswire.distribution.channels.base import Job, Target
from newswire.distribution.channels.email import EmailChannel, smtp_options
from newswire.domain.text import html_to_text
from newswire.domain.wrapping import columns

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # 19:00 in Seoul
ECONOMY = "medtop:04000000"


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
    url = f"http://testserver/en/releases/{release.public_id}/{release.slug}"
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


# --- the text part: links, lists, quotes, headings and tables survive as plain text -----------------

RICH_BODY = (
    "<h2>Results for 2026</h2>"
    "<p>Revenue rose 12%, see the <a href=\"https://acme.example/ir/report?year=2026&amp;lang=en#q4\">annual "
    "report</a> or write to <a href=\"mailto:ir@acme.example\">investor relations</a>; "
    "<a href=\"https://acme.example/\">https://acme.example/</a> has more.</p>"
    "<ul><li>Skates<ul><li>Rocket Skate 3000, the lightest skate Acme has ever built for long-distance racers"
    "</li><li>Rocket Skate Mini</li></ul></li><li>Anvils</li></ul>"
    "<ol start=\"3\"><li>Third step</li><li>Fourth step</li></ol>"
    "<blockquote><p>\u201cOur best year,\u201d said <em>Wile E. Coyote</em>.</p><p>\u201cAnd the next will be "
    "better still, because every one of our products is now made in Berlin with recycled steel.\u201d</p>"
    "</blockquote>"
    "<table><thead><tr><th>Year</th><th>Revenue</th></tr></thead>"
    "<tbody><tr><td>2025</td><td>1&nbsp;000</td></tr><tr><td>2026</td><td>1&nbsp;120</td></tr></tbody></table>"
)


def test_the_text_part_keeps_links_lists_quotes_and_tables(wire, channel, smtp, journalist, publish):
    journalist("ada@paper.test")
    publish(body=RICH_BODY, body_format="html")
    deliver(wire, channel)
    (msg,) = smtp.to("ada@paper.test")
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    words = " ".join(text.split())  # links beside their text, wherever the lines were wrapped
    assert "annual report <https://acme.example/ir/report?year=2026&lang=en#q4>" in words
    assert "\n<https://acme.example/ir/report?year=2026&lang=en#q4> " in text  # a URL is never broken
    assert "investor relations <ir@acme.example>" in words
    assert "; https://acme.example/ has more." in words  # a link that shows its own address is not repeated
    for expected in (
        "Results for 2026\n----------------\n",
        ("- Skates\n  - Rocket Skate 3000, the lightest skate Acme has ever built for\n"
         "    long-distance racers\n  - Rocket Skate Mini\n- Anvils\n\n3. Third step\n4. Fourth step"),
        ("> \u201cOur best year,\u201d said Wile E. Coyote.\n>\n> \u201cAnd the next will be better still, because"
         " every one of our products is\n> now made in Berlin with recycled steel.\u201d"),
        "Year | Revenue\n2025 | 1\u00a0000\n2026 | 1\u00a0120",
    ):
        assert expected in text, expected
    assert all(len(line) <= 78 for line in text.splitlines() if "://" not in line)


@pytest.mark.parametrize("body, expected", [
    # nested ordered lists keep their numbers; a paragraph after a list is apart from it
    ("<ol><li>One<ol><li>One-one</li></ol></li><li>Two</li></ol><p>After.</p>",
     "1. One\n   1. One-one\n2. Two\n\nAfter."),
    # quotes in quotes, and a list in a quote
    ("<blockquote><p>Outer</p><blockquote><p>Inner</p></blockquote><ul><li>Point</li></ul></blockquote>",
     "> Outer\n>\n> > Inner\n>\n> - Point"),
    # headings underlined, line breaks kept, preformatted text as it is
    ("<h1>Title</h1><p>Line one<br>Line two</p><pre>  a  b\n    c</pre>",
     "Title\n=====\n\nLine one\nLine two\n\n  a  b\n    c"),
    # a URL longer than a line stays whole on a line of its own
    ("<p>Read <a href=\"https://acme.example/" + "x" * 90 + "?a=1&amp;b=2\">this</a> today.</p>",
     "Read this\n<https://acme.example/" + "x" * 90 + "?a=1&b=2>\ntoday."),
    # images say what they show; scripts say nothing
    ("<p><img src=\"https://acme.example/a.png\" alt=\"A red skate\"> on a bench</p><script>x()</script>",
     "[A red skate] on a bench"),
])
def test_html_to_marked_text(body, expected):
    assert html_to_text(body, marked=True, width=76) == expected


def test_cjk_breaks_between_characters_and_arabic_between_words():
    ja = "日本語のテキストはスペースなしで続きますが、適切な位置で改行されるべきです。" * 3
    lines = html_to_text(f"<p>{ja}</p>", marked=True, width=40).split("\n")
    assert len(lines) > 1 and "".join(lines) == ja
    assert all(columns(line) <= 40 for line in lines)
    assert not any(line[0] in "、。" for line in lines)  # closing punctuation stays with what it closes
    ar = "النص العربي يحتوي على كلمات كثيرة ويجب أن يلتف بشكل صحيح عند العرض في البريد الإلكتروني."
    lines = html_to_text(f"<ul><li>{ar}</li></ul>", marked=True, width=40).split("\n")
    assert lines[0].startswith("- ") and all(line.startswith("  ") for line in lines[1:])
    assert " ".join(x.strip(" -") for x in lines) == ar and all(len(line) <= 40 for line in lines)


def test_the_flat_text_is_unchanged_for_its_other_users():
    """Language detection, the pre-checks and JSON-LD's articleBody take the words only."""
    html = "<p>See <a href=\"https://x.example\">this</a>.</p><ul><li>One</li></ul><blockquote>Q</blockquote>"
    assert html_to_text(html) == "See this.\n\nOne\n\nQ"
    assert html_to_text(html, paragraph_break="\n") == "See this.\nOne\nQ"
    assert html_to_text("<table><tr><td>a</td><td>b</td></tr></table>") == "a b"
