"""The live desk in Debian's Chromium (Playwright), against the app served by uvicorn: releases
appear without a reload, marked new (an embargoed one at its second); corrections and withdrawals
change the item in place; after the server went away and came back, what was published meanwhile
is shown exactly once; the filter form reconnects the stream without a reload."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from chromium import Served, launch
from helpers import written_in
from newswire.web.app import create_app

pytestmark = pytest.mark.browser
WAIT = 20_000  # ms: the longest any condition is waited for (a reconnect waits out the stream's retry: 3 s)


@pytest.fixture
def browser():
    with launch() as b:
        yield b


@pytest.fixture
def served(wire, keys):
    server = Served(lambda: create_app(wire)).start()
    yield server
    server.stop()


def items(page) -> list[str]:
    """The (public) release ids on the desk, top first (repeated if an item were shown twice)."""
    return page.locator("#live-list > li").evaluate_all("els => els.map(e => e.dataset.releaseId)")


def item(page, release):
    return page.locator(f'#live-list > li[data-release-id="{release.public_id}"][data-language="{release.language}"]')


def test_the_live_desk_streams_marks_new_and_resumes_after_a_dropped_connection(
        served, browser, wire, publish, editor, sample, clock, tmp_path):
    clock.set(dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    earlier = publish(headline="Already out")
    embargo = clock() + dt.timedelta(hours=1)
    embargoed = wire.releases.publish(editor, wire.releases.create(editor, {
        **sample, "issuer": "acme", "headline": "Embargoed news", "embargo_until": embargo.isoformat()}).id)
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto(f"{served.base}/en/live")
    status = page.locator("#live-status")
    expect(status).to_have_attribute("data-state", "live", timeout=WAIT)
    expect(status).to_have_text("Live: new releases appear at the top")
    assert items(page) == [earlier.public_id]
    assert "Embargoed news" not in page.content()
    # The reader's time zone, with the server's UTC time kept as the title.
    when = item(page, earlier).locator("time")
    expect(when).to_have_text(re.compile(r"^\d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d GMT\+9$"))  # en-GB's order
    assert when.get_attribute("title").endswith(" UTC")

    fresh = publish(headline="Fresh news")
    expect(item(page, fresh)).to_have_class(re.compile(r"\bis-new\b"), timeout=WAIT)
    expect(item(page, fresh).locator(".badge-new")).to_be_visible()
    expect(page.locator("#live-announce")).to_have_text("New releases: 1", timeout=WAIT)
    assert items(page) == [fresh.public_id, earlier.public_id]
    assert page.locator("#live-list > li").first.locator("h2 a").get_attribute("href") == \
        f"/en/releases/{fresh.public_id}/{fresh.slug}"
    expect(item(page, earlier).locator(".badge-new")).to_be_hidden()  # listed when the page opened: not new
    page.screenshot(path=str(tmp_path / "live-desk.png"), full_page=True)
    page.set_viewport_size({"width": 380, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scrolling
    page.screenshot(path=str(tmp_path / "live-desk-narrow.png"), full_page=True)
    page.set_viewport_size({"width": 1200, "height": 900})

    clock.set(embargo)  # its second: the release clock lets it out, and the page shows it
    assert wire.releases.release_due() == [embargoed.id]
    expect(item(page, embargoed)).to_have_class(re.compile(r"\bis-new\b"), timeout=WAIT)
    expect(item(page, embargoed).locator("h2 a")).to_have_text("Embargoed news")

    wire.releases.correct(editor, fresh.id, {"headline": "Fresh news, corrected", "correction_note": "Typo"})
    expect(item(page, fresh).locator("h2 a")).to_have_text("Fresh news, corrected", timeout=WAIT)
    expect(item(page, fresh).locator(".badge-corrected")).to_be_visible()

    served.stop()  # the connection drops; what is published now reaches the page only by the resume
    expect(status).to_have_attribute("data-state", "reconnecting", timeout=WAIT)
    expect(status).to_have_text("Connection lost: reconnecting…")
    away = publish(headline="While you were away")
    german = publish(**written_in("de"))
    served.start()
    expect(item(page, away)).to_be_visible(timeout=WAIT)
    expect(status).to_have_attribute("data-state", "live", timeout=WAIT)
    later = publish(headline="After the break")
    expect(item(page, later)).to_be_visible(timeout=WAIT)
    # Nothing lost, nothing twice, nothing in German, newest first.
    assert items(page) == [r.public_id for r in (later, away, embargoed, fresh, earlier)]
    assert page.locator("#live-list > li.is-new").count() == 4

    wire.releases.withdraw(editor, fresh.id, "Issued in error")
    expect(item(page, fresh).locator("h2 a")).to_have_text("This release was withdrawn by its issuer.", timeout=WAIT)
    expect(item(page, fresh).locator(".badge-withdrawn")).to_be_visible()
    assert "Fresh news" not in item(page, fresh).inner_text()

    # Another filter: the list and the stream change, the page does not reload.
    page.evaluate("window.sameDocument = true")
    page.select_option("#live-language", "de")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(f"{served.base}/en/live?language=de&industry=", timeout=WAIT)
    expect(page.locator("#live-list > li")).to_have_count(1, timeout=WAIT)
    assert items(page) == [german.public_id] and page.evaluate("window.sameDocument") is True
    expect(status).to_have_attribute("data-state", "live", timeout=WAIT)
    german_next = publish(**written_in("de", "Noch eine Meldung"))
    publish(headline="English, not shown")
    expect(item(page, german_next)).to_be_visible(timeout=WAIT)
    last = publish(**written_in("de", "Die letzte Meldung"))
    expect(item(page, last)).to_be_visible(timeout=WAIT)
    assert items(page) == [r.public_id for r in (last, german_next, german)]
    assert problems == []
    context.close()
