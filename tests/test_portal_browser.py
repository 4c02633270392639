"""The issuer portal end to end in Debian's Chromium (Playwright) against the app served by uvicorn:
an issuer signs in, composes a release with a picture and an embargo, watches the live preview and
the pre-checks follow the text, and submits it; axe-core finds nothing on the portal's pages.
Every wait is on a condition in the page, never a sleep."""

from __future__ import annotations

import datetime as dt

import pytest
from a11y import assert_accessible
from chromium import Served, free_port, launch, screenshot, sqlite_settings
from media_files import image
from web_helpers import PASSWORD

from newswire.bootstrap import build
from newswire.domain.models import Status

pytestmark = pytest.mark.browser
WAIT = 15_000  # ms: the longest any condition may take


@pytest.fixture
def served(tmp_path, sqlite_template):
    from newswire.web.app import create_app

    port = free_port()
    settings = sqlite_settings(tmp_path, sqlite_template, port, cookie_secure=False)
    wire = build(settings, migrate=False)
    wire.accounts.create_issuer("acme", "Acme Corporation", boilerplate="About Acme: makers of everything.",
                                contacts=[{"name": "Ada Press", "email": "press@acme.example"}])
    user = wire.users.create_user("ada@acme.example", "Ada Press", PASSWORD, "issuer", issuer_slug="acme")
    server = Served(lambda: create_app(wire), port).start()
    yield server.base, wire, user
    server.stop()
    wire.engine.dispose()


@pytest.fixture
def browser():
    with launch() as b:
        yield b


def test_an_issuer_composes_and_submits_a_release(served, browser, tmp_path):
    base, wire, user = served
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.set_default_timeout(WAIT)

    page.goto(f"{base}/signin")
    page.fill("#f-email", user.email)
    page.fill("#f-password", PASSWORD)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_url(f"{base}/portal")
    assert_accessible(page)
    page.click("text=New release")
    page.wait_for_url(f"{base}/portal/new")

    page.fill("#f-headline", "Acme unveils the Rocket Skate 3000")
    page.fill("#f-dateline_city", "Berlin")
    page.fill("#f-lead", "Acme today announced its new skate.")
    page.fill("#f-body", "The skate ships on Monday, January 15, 2030.")
    # the live preview is the newsroom's own release page
    page.locator("#preview article.release h1", has_text="Rocket Skate 3000").wait_for()
    assert "BERLIN" in page.locator("#preview .dateline").inner_text()
    # the pre-checks follow the text: a weekday that does not match its date is an error, then fixed
    page.fill("#f-dateline_date", "2030-01-10")
    page.locator("#checks .finding.error", has_text="Monday").wait_for()
    page.fill("#f-body", "The skate ships on Tuesday, January 15, 2030, with **twice** the range.")
    page.locator("#checks .finding.error").wait_for(state="detached")
    page.locator("#preview strong", has_text="twice").wait_for()

    # the industry picker searches as you type; the embargo is local time in a zone, shown in UTC
    page.fill("#f-industry_search", "econom")
    page.locator("button.topic-option").first.wait_for()
    page.locator("button.topic-option[data-qcode='medtop:04000000']").click()
    page.locator("ul.chips input[value='medtop:04000000']").wait_for()
    page.fill("#f-embargo_date", "2030-01-15")
    page.fill("#f-embargo_time", "09:00")
    page.select_option("#f-embargo_zone", "Europe/Berlin")
    page.locator("#embargo-utc", has_text="8:00").wait_for()
    assert_accessible(page)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "portal-compose")

    page.click("button[value=save]")
    page.wait_for_url(f"{base}/portal/releases/*")
    ref = page.url.split("/")[-1].split("?")[0]  # the portal's links carry the public id
    release_id = wire.listings.resolve(user.principal, ref)
    page.click("text=Edit")
    page.wait_for_url(f"{base}/portal/releases/{ref}/edit")
    page.set_input_files("#f-file", files=[{"name": "skate.png", "mimeType": "image/png", "buffer": image()}])
    page.fill("#f-alt_text", "A red rocket skate")
    page.fill("#f-caption", "The Rocket Skate 3000")
    page.click("text=Add the file")
    page.wait_for_url(f"{base}/portal/releases/{ref}/edit#media")
    page.locator("#preview figure.picture img[alt='A red rocket skate']").wait_for()
    # served to the issuer: the picture loads (waited for, as a browser loads it after the markup)
    page.wait_for_function("(() => { const i = document.querySelector('#preview figure.picture img');"
                           " return i && i.complete && i.naturalWidth > 0; })()")
    assert_accessible(page)

    page.click("button[value=submit]")
    page.wait_for_url(f"{base}/portal/releases/{ref}?saved=submit")
    page.locator(".status-submitted").first.wait_for()
    assert_accessible(page)
    screenshot(page, "portal-release")
    release = wire.releases.get(user.principal, release_id)
    assert release.status == Status.SUBMITTED
    assert release.embargo_until == dt.datetime(2030, 1, 15, 8, 0, tzinfo=dt.timezone.utc)
    assert release.content.industries == ("medtop:04000000",) and len(release.media) == 1

    page.goto(f"{base}/portal/import")
    assert_accessible(page)
    page.goto(f"{base}/portal")
    page.locator("td a", has_text="Rocket Skate 3000").wait_for()
    screenshot(page, "portal")
    page.set_viewport_size({"width": 380, "height": 800})
    page.goto(f"{base}/portal/releases/{ref}/edit")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # readable on a phone
    assert problems == []
