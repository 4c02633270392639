"""The wire's central story in Debian's Chromium, one release from end to end: an issuer signs in,
composes a release with a picture and an embargo, sees its pre-checks and submits it; an editor
approves it on the desk and it is scheduled; before its second the public page, the feeds, search,
the sitemap, the API and the picture return nothing; at its second the live desk, open all along,
shows it without a reload, and search, feeds and the picture have it.

The other chapters of the story have their own browser tests: a journalist signs up and confirms
from the e-mail (test_subscriber_browser.py), an outlet sends itself a test event
(test_subscriber_browser.py), an editor fixes a flagged translation side by side
(test_desk_browser.py), the live desk resumes after a dropped connection (test_live_desk_browser.py)."""

from __future__ import annotations

import datetime as dt

import httpx
import lxml.html
import pytest
from a11y import assert_accessible
from chromium import Served, free_port, launch, screenshot, sqlite_settings
from conftest import Clock
from media_files import image
from web_helpers import PASSWORD

from newswire.bootstrap import build
from newswire.domain.models import Status

pytestmark = pytest.mark.browser
WAIT = 15_000  # ms
UTC = dt.timezone.utc
BEFORE = dt.datetime(2030, 1, 14, 12, 0, tzinfo=UTC)
SECOND = dt.datetime(2030, 1, 15, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
HEADLINE = "Acme unveils the Rocket Skate 3000"


@pytest.fixture
def story(tmp_path, sqlite_template):
    from newswire.web.app import create_app

    port = free_port()
    settings = sqlite_settings(tmp_path, sqlite_template, port)
    clock = Clock()
    clock.set(BEFORE)
    wire = build(settings, clock=clock, migrate=False)
    wire.accounts.create_issuer("acme", "Acme Corporation", boilerplate="About Acme: makers of everything.")
    issuer = wire.users.create_user("ada@acme.example", "Ada Press", PASSWORD, "issuer", issuer_slug="acme")
    editor = wire.users.create_user("ed@wire.example", "Ed Itor", PASSWORD, "editor")
    server = Served(lambda: create_app(wire), port).start()
    with launch() as browser:
        yield server.base, wire, clock, browser, issuer, editor
    server.stop()
    wire.engine.dispose()


def sign_in(page, base, user, lands):
    page.goto(f"{base}/signin")
    page.fill("#f-email", user.email)
    page.fill("#f-password", PASSWORD)
    page.click("form[action='/signin'] button[type=submit]")
    page.wait_for_url(f"{base}{lands}")


def compose_and_submit(page, base) -> str:
    page.click("text=New release")
    page.wait_for_url(f"{base}/portal/new")
    page.fill("#f-headline", HEADLINE)
    page.fill("#f-dateline_city", "Berlin")
    page.fill("#f-lead", "Acme today announced its new skate, codenamed quasar-7.")
    page.fill("#f-body", "The skate ships on Tuesday, January 15, 2030, with **twice** the range.")
    page.fill("#f-dateline_date", "2030-01-15")
    page.locator("#preview article.release h1", has_text="Rocket Skate 3000").wait_for()
    page.locator("#checks").wait_for()
    page.fill("#f-industry_search", "econom")
    page.locator("button.topic-option[data-qcode='medtop:04000000']").click()
    page.fill("#f-embargo_date", "2030-01-15")
    page.fill("#f-embargo_time", "09:00")
    page.select_option("#f-embargo_zone", "Europe/Berlin")
    page.locator("#embargo-utc", has_text="8:00").wait_for()
    page.click("button[value=save]")
    page.wait_for_url(f"{base}/portal/releases/*")
    ref = page.url.split("/")[-1].split("?")[0]  # the portal's links carry the public id
    page.click("text=Edit")
    page.set_input_files("#f-file", files=[{"name": "skate.png", "mimeType": "image/png", "buffer": image()}])
    page.fill("#f-alt_text", "A red rocket skate")
    page.click("text=Add the file")
    page.locator("#preview figure.picture img[alt='A red rocket skate']").wait_for()
    page.click("button[value=submit]")
    page.wait_for_url(f"{base}/portal/releases/{ref}?saved=submit")
    return ref


def public_surfaces(base, release, picture_url) -> dict[str, httpx.Response]:
    with httpx.Client(base_url=base) as c:
        return {
            "page": c.get(f"/en/releases/{release.public_id}/{release.slug}"),
            "home": c.get("/en/"),
            "rss": c.get("/feeds/en.rss"), "atom": c.get("/feeds/en.atom"), "json": c.get("/feeds/en.json"),
            "search": c.get("/en/search", params={"q": "skate"}),
            "sitemap": c.get("/sitemap-news.xml"),
            "api": c.get(f"/api/v1/releases/{release.public_id}"),
            "picture": c.get(picture_url),
        }


def test_one_release_from_the_portal_to_the_live_desk(story):
    base, wire, clock, browser, issuer, editor = story
    errors: list[str] = []
    author = browser.new_context().new_page()
    author.set_default_timeout(WAIT)
    author.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(author, base, issuer, "/portal")
    release_id = wire.listings.resolve(editor.principal, compose_and_submit(author, base))

    desk = browser.new_context().new_page()
    desk.set_default_timeout(WAIT)
    desk.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(desk, base, editor, "/desk")
    desk.locator(f"a[href='/desk/releases/{release_id}']").first.click()
    desk.wait_for_url(f"{base}/desk/releases/{release_id}")
    desk.locator("form[action$='/approve'] button[type=submit]").click()
    desk.locator("form[action$='/publish'] button[type=submit]").wait_for()
    assert_accessible(desk)
    desk.locator("form[action$='/publish'] button[type=submit]").click()  # with its embargo: scheduled
    desk.wait_for_load_state()
    release = wire.releases.get(editor.principal, release_id)
    assert release.status == Status.SCHEDULED and release.embargo_until == SECOND

    picture_url = wire.site.media_url(release.media[0], release.media[0].renditions[0])
    before = public_surfaces(base, release, picture_url)
    for name in ("page", "api", "picture"):
        assert before[name].status_code == 404, name
    for name, r in before.items():
        assert HEADLINE not in r.text and "quasar" not in r.text, name

    reader = browser.new_context().new_page()  # a desk reader, signed out, watching the live desk
    reader.set_default_timeout(WAIT)
    reader.on("pageerror", lambda e: errors.append(str(e)))
    reader.goto(f"{base}/en/live")
    reader.locator("#live-status[data-state='live']").wait_for(state="attached")
    assert reader.locator(f"text={HEADLINE}").count() == 0

    clock.set(SECOND)
    assert wire.releases.release_due() == [release_id]
    item = reader.locator("li", has_text=HEADLINE).first
    item.wait_for()  # no reload: it came down the stream
    assert "is-new" in (item.get_attribute("class") or "")  # marked as new
    screenshot(reader, "live-desk")

    after = public_surfaces(base, release, picture_url)
    assert after["page"].status_code == 200 and HEADLINE in after["page"].text
    assert after["api"].status_code == 200 and after["picture"].status_code == 200
    for name in ("home", "rss", "atom", "json", "sitemap"):
        assert HEADLINE in after[name].text, name
    found = " ".join(lxml.html.fromstring(after["search"].text).text_content().split())  # (terms are <mark>ed)
    assert HEADLINE in found
    assert errors == []
