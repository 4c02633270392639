"""Accounts in Debian's Chromium: signing in with the keyboard, the account pages pass axe-core,
and the session cookie (Secure) works on http://127.0.0.1, which browsers treat as secure."""

from __future__ import annotations


import pytest
from a11y import assert_accessible
from chromium import free_port, launch, screenshot, serve, sqlite_settings
from web_helpers import PASSWORD, person

from newswire.bootstrap import build
from newswire.web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path, sqlite_template):
    port = free_port()
    settings = sqlite_settings(tmp_path, sqlite_template, port)
    wire = build(settings, migrate=False)
    wire.accounts.create_issuer("acme", "Acme Corporation")
    with serve(create_app(wire), port) as base, launch() as browser:
        yield wire, base, browser
    wire.close()


def test_sign_in_and_the_account_pages_in_chromium(site):
    wire, base, browser = site
    admin = person(wire, "admin", email="ada@example.com", name="Ada Admin")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{base}/account")
    assert page.url.startswith(f"{base}/signin?next=")  # signed out: to the sign-in page, then back
    assert_accessible(page)
    screenshot(page, "signin")
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill("wrong password")
    page.keyboard.press("Enter")
    page.wait_for_selector(".form-error")
    assert page.get_by_label("E-mail address").input_value() == admin.email  # what was typed is still there
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/account")
    assert page.locator("h1").inner_text() == "Account"
    cookie = next(c for c in page.context.cookies() if c["name"] == "nw_session")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.get_by_label("Name of the new key").fill("newsroom CMS")
    page.get_by_role("button", name="Make a key").click()
    page.wait_for_selector("code.token")
    assert page.locator("code.token").inner_text().startswith("nw_")
    assert_accessible(page)
    screenshot(page, "account")

    page.goto(f"{base}/account/people")
    assert_accessible(page)
    page.set_viewport_size({"width": 380, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # fits a phone
    page.set_viewport_size({"width": 1200, "height": 900})

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/signin**")
    page.goto(f"{base}/account")
    assert "/signin" in page.url
    assert errors == []
