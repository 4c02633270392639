"""Journalists' sign-up with double opt-in, against a real aiosmtpd server: the confirmation
e-mail, the link that works once, expiry and re-sending, and the next matching release by e-mail."""

from __future__ import annotations

import pytest
from helpers import publish as publish_release
from helpers import snapshot
from smtp_sink import deliver, rows
from subscriber_flow import confirmation_path, counts, mail_settings, sign_up
from web_helpers import browser, csrf

from newswire.distribution.channels.email import EmailChannel
from newswire.storage import subscribers as subs
from newswire.storage import users as user_store

ECONOMY = "medtop:04000000"


@pytest.fixture
def settings(tmp_path, database_url, smtp):
    return mail_settings(tmp_path, database_url, smtp)


def _account(wire, email):
    with wire.engine.connect() as conn:
        row = user_store.find_by_email(conn, email)
        return row, subs.endpoints_of(conn, row.subscriber_id), subs.get_subscriber(conn, row.subscriber_id)


def test_sign_up_confirm_once_then_the_next_release_arrives(wire, app, keys, smtp, editor, sample):
    c = browser(app)
    r = sign_up(c, "ada@paper.test", industries=[ECONOMY], issuers=["acme"], regions=["DE"])
    assert r.status_code == 200 and "ada@paper.test" in r.text
    row, (endpoint,), sub = _account(wire, "ada@paper.test")
    assert (row.role, sub.kind.value, sub.email, sub.timezone) == ("subscriber", "journalist", "ada@paper.test",
                                                                    "Europe/Berlin")
    assert (sub.preferences.languages, sub.preferences.industries, sub.preferences.issuers,
            sub.preferences.regions) == (("en",), (ECONOMY,), ("acme",), ("DE",))
    assert (endpoint.channel.value, endpoint.status, endpoint.digest_hour) == ("email", "pending", None)
    (mail,) = smtp.to("ada@paper.test")
    assert "Confirm" in mail["Subject"]
    path = confirmation_path(smtp, "ada@paper.test")

    publish_release(wire, editor, sample)  # before confirming: nothing is routed to a pending address
    assert rows(wire, endpoint.id) == []

    page = c.get(path)  # a mail scanner's GET confirms nothing
    assert page.status_code == 200 and _account(wire, "ada@paper.test")[1][0].status == "pending"
    r = c.post(path, data={"csrf": csrf(page)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/subscriber?confirmed=1"
    assert _account(wire, "ada@paper.test")[1][0].status == "active"
    home = c.get("/subscriber?confirmed=1")  # signed in by the confirmation
    assert home.status_code == 200 and "Your address is confirmed" in home.text

    again = browser(app)
    page = again.get(path)
    r = again.post(path, data={"csrf": csrf(page)}, follow_redirects=False)
    assert r.status_code == 404 and "used or has expired" in r.text
    assert again.get("/subscriber", follow_redirects=False).status_code == 303  # not signed in by a used link

    release = publish_release(wire, editor, sample)
    publish_release(wire, editor, sample, industries=["medtop:15000000"])  # sport: not theirs
    channel = EmailChannel(wire.settings)
    deliver(wire, channel)
    news = [m for m in smtp.to("ada@paper.test") if "Confirm" not in m["Subject"]]
    assert [m["Subject"] for m in news] == [sample["headline"]]
    assert news[0]["List-Unsubscribe"].startswith("<http://testserver/unsubscribe/")
    assert [(d.release_id, d.status) for d in rows(wire, endpoint.id)] == [(release.id, "delivered")]
    assert f"Release {release.id}" in c.get("/subscriber").text  # what they got, on their page


def test_refused_sign_up_shows_what_was_typed_and_changes_nothing(wire, app, keys, smtp):
    c = browser(app)
    before = snapshot(wire.engine)
    r = sign_up(c, "not-an-address", password="short", password_again="short", industries=["medtop:99999999"],
                timezone="Mars/Olympus", name="Ada Typed")
    assert r.status_code == 422
    for text in ("not-an-address", "Ada Typed", "at least 10 characters", "is not an IPTC Media Topic",
                 "is not an IANA time zone", 'aria-invalid="true"'):
        assert text in r.text
    assert snapshot(wire.engine) == before and smtp.received == []
    r = sign_up(c, "ada@paper.test", password_again="something else entirely")
    assert r.status_code == 422 and "does not match" in r.text and snapshot(wire.engine) == before


def test_an_address_with_an_account_reads_the_same_and_its_owner_is_told(wire, app, keys, smtp):
    """Sign-up tells nobody which addresses have an account: the page is the one a new address gets,
    nothing is written, and the owner gets a note with the way in instead of a confirmation link."""
    first = sign_up(browser(app), "ada@paper.test")
    fresh = sign_up(browser(app), "bob@paper.test")
    before = counts(wire)
    again = sign_up(browser(app), "ada@paper.test")
    assert again.status_code == first.status_code == 200 and counts(wire) == before
    assert again.text.replace("ada@", "bob@") == fresh.text.replace("ada@", "bob@")
    confirm, note = smtp.to("ada@paper.test")
    assert "Confirm" in confirm["Subject"] and "account" in note["Subject"]
    body = note.get_content()
    assert "has an account already" in body and "/signin" in body and "/reset" in body
    assert "/subscribe/confirm/" not in body


def test_mail_server_down_changes_nothing(wire, app, keys, smtp):
    c = browser(app)
    page = c.get("/subscribe")
    smtp.stop()
    before = snapshot(wire.engine)
    r = c.post("/subscribe", data={"csrf": csrf(page), "name": "Ada", "email": "ada@paper.test",
                                   "password": "correct horse battery", "password_again": "correct horse battery",
                                   "timezone": "UTC", "delivery": "instant"})
    assert r.status_code == 503 and "could not be sent" in r.text and "ada@paper.test" in r.text
    assert snapshot(wire.engine) == before
    smtp.start()


def test_expired_link_and_resending(wire, app, keys, smtp, clock):
    c = browser(app)
    sign_up(c, "ada@paper.test")
    first = confirmation_path(smtp, "ada@paper.test")
    clock.advance(days=4)  # links last three days
    page = c.get(first)
    r = c.post(first, data={"csrf": csrf(page)})
    assert r.status_code == 404 and "Send the confirmation link again" in r.text

    for address in ("ada@paper.test", "nobody@paper.test"):  # the answer reads the same for unknown addresses
        page = c.get("/subscribe/resend")
        r = c.post("/subscribe/resend", data={"csrf": csrf(page), "email": address})
        assert r.status_code == 200 and f"If {address} has a subscription waiting" in r.text
    assert len(smtp.to("ada@paper.test")) == 2 and smtp.to("nobody@paper.test") == []
    second = confirmation_path(smtp, "ada@paper.test")
    assert second != first
    page = c.get("/subscribe/resend")
    c.post("/subscribe/resend", data={"csrf": csrf(page), "email": "ada@paper.test"})
    third = confirmation_path(smtp, "ada@paper.test")
    page = c.get(second)  # a new link voids the one before
    assert c.post(second, data={"csrf": csrf(page)}).status_code == 404
    page = c.get(third)
    assert c.post(third, data={"csrf": csrf(page)}, follow_redirects=False).status_code == 303
    assert _account(wire, "ada@paper.test")[1][0].status == "active"
    # confirmed: resending sends nothing more
    page = c.get("/subscribe/resend")
    c.post("/subscribe/resend", data={"csrf": csrf(page), "email": "ada@paper.test"})
    assert len(smtp.to("ada@paper.test")) == 3


def test_signed_in_before_confirming_can_resend(wire, app, keys, smtp):
    from web_helpers import sign_in

    c = browser(app)
    sign_up(c, "ada@paper.test")
    sign_in(c, "ada@paper.test")
    home = c.get("/subscriber")
    assert "waiting for you to confirm" in home.text and "Unsubscribe from all e-mail" not in home.text
    r = c.post("/subscriber/confirmation", data={"csrf": csrf(home)}, follow_redirects=False)
    assert r.status_code == 303 and len(smtp.to("ada@paper.test")) == 2


def test_sign_up_page_in_the_visitors_language(wire, app, keys):
    page = browser(app).get("/subscribe?lang=de")
    assert page.status_code == 200 and 'lang="de"' in page.text
    assert "Kultur, Kunst, Unterhaltung und Medien" in page.text  # Media Topics in the page's language
