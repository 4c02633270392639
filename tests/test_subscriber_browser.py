"""Subscriber self-service end to end in Debian's Chromium: a journalist signs up with the
industry picker, confirms from the e-mail received on a real aiosmtpd server and gets the next
release; an outlet adds a webhook endpoint, sends a signed test event and sees it in its log.
axe-core checks every page on the way."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from a11y import assert_accessible
from chromium import CHROMIUM, free_port, launch, screenshot, serve, sqlite_settings
from smtp_sink import deliver
from standardwebhooks import Webhook
from subscriber_flow import LINK
from web_helpers import PASSWORD, person

from newswire.bootstrap import build
from newswire.distribution.channels.email import EmailChannel
from newswire.domain.subscriptions import Kind, Preferences
from newswire.storage import subscribers as subs
from newswire.storage import users as user_store

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path, sqlite_template, smtp):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from newswire.web.app import create_app

    port = free_port()
    settings = sqlite_settings(tmp_path, sqlite_template, port, cookie_secure=False, webhook_allow_private=True,
                        smtp_url=f"smtp://127.0.0.1:{smtp.port}", mail_from="Newswire <wire@newswire.test>")
    wire = build(settings, migrate=False)
    wire.accounts.create_issuer("acme", "Acme Corporation")
    with serve(create_app(wire), port) as base:
        yield wire, base
    wire.engine.dispose()


def test_journalist_signs_up_confirms_and_gets_the_next_release(site, smtp, sample):
    wire, base = site
    with launch() as browser:
        page = browser.new_page()
        page.goto(f"{base}/subscribe")
        assert_accessible(page)
        page.get_by_label("Name", exact=True).fill("Ada Reporter")
        page.get_by_label("E-mail address").fill("ada@paper.test")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        page.get_by_label("English", exact=True).check()
        picker = page.get_by_role("combobox", name="Industries and topics")
        topic = "economy, business and finance"  # Media Topics' English labels are lower-case
        picker.fill(topic)  # its narrower topics match too ("banking (economy, business and finance)")
        page.get_by_role("option").first.wait_for()
        active = page.locator('[role="option"][aria-selected="true"]')
        for _ in range(10):  # by keyboard: down the list to the broad topic itself
            picker.press("ArrowDown")
            if active.inner_text() == topic:
                break
        picker.press("Enter")
        page.get_by_role("button", name=f"Remove: {topic}", exact=True).wait_for()
        assert_accessible(page)
        screenshot(page, "subscribe")
        page.get_by_role("button", name="Subscribe").click()
        page.get_by_role("heading", name="Check your e-mail").wait_for()
        assert_accessible(page)

        (mail,) = smtp.to("ada@paper.test")  # sent before the page answered
        link = LINK.search(mail.get_content()).group(0)
        page.goto(link)
        assert_accessible(page)
        page.get_by_role("button", name="Confirm my subscription").click()
        page.get_by_text("Your address is confirmed").wait_for()
        assert_accessible(page)
        with wire.engine.connect() as conn:
            sid = user_store.find_by_email(conn, "ada@paper.test").subscriber_id
            assert subs.get_subscriber(conn, sid).preferences.industries == ("medtop:04000000",)

        editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Desk"))
        release = wire.releases.publish(editor, wire.releases.create(editor, {**sample, "issuer": "acme"}).id)
        worker = threading.Thread(target=deliver, args=(wire, EmailChannel(wire.settings)))
        worker.start()
        worker.join()
        assert [m["Subject"] for m in smtp.to("ada@paper.test")][1:] == [sample["headline"]]
        page.goto(f"{base}/subscriber")
        page.get_by_role("link", name=f"Release {release.id}").wait_for()
        screenshot(page, "subscriber")


def test_outlet_adds_an_endpoint_sends_a_test_event_and_sees_it(site, receiver):
    wire, base = site
    with wire.db.transaction() as conn:
        sid = subs.create_subscriber(conn, kind=Kind.OUTLET, name="Daily Planet", email=None,
                                     preferences=Preferences(), timezone="UTC", now=wire.clock())
    user = person(wire, "subscriber", subscriber_id=sid)
    with launch() as browser:
        page = browser.new_page()
        page.goto(f"{base}/signin")
        page.get_by_label("E-mail address").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Subscriptions").wait_for()
        page.get_by_role("link", name="Webhook endpoints, delivery log and API keys").click()
        page.get_by_role("heading", name="Webhook endpoints").wait_for()
        assert_accessible(page)
        page.get_by_label("URL that receives the releases").fill(receiver.url("/planet"))
        page.get_by_role("button", name="Add the endpoint").click()
        secret = page.locator("code.token").inner_text()
        assert re.fullmatch(r"whsec_\S+", secret)
        assert_accessible(page)
        page.get_by_role("button", name=re.compile("Send a test event")).click()
        page.get_by_text("The test event reached the endpoint: it answered 204.").wait_for()
        (hit,) = receiver.at("/planet")
        assert Webhook(secret).verify(hit.body, hit.headers)["type"] == "newswire.test"
        log = page.get_by_role("table", name="Test events")
        assert hit.headers["webhook-id"] in log.inner_text() and "204" in log.inner_text()
        assert_accessible(page)
        page.evaluate("window.scrollTo(0, 0)")  # the page came back at its test log
        screenshot(page, "subscriber-endpoints")
