"""The editor desk in Debian's Chromium: an editor signs in, approves a submitted release from the
queue, and fixes a flagged translation segment side by side; every desk page passes axe-core."""

from __future__ import annotations


import pytest
from a11y import assert_accessible
from chromium import free_port, launch, screenshot, serve, sqlite_settings
from conftest import SAMPLE
from desk_flow import flagged_release, translate_all
from web_helpers import PASSWORD, person

from newswire.bootstrap import build
from newswire.web.app import create_app

pytestmark = pytest.mark.browser
FIX = "«Nuestro mejor», dijo <em>Wile E. Coyote</em>."


@pytest.fixture
def site(tmp_path, sqlite_template):
    port = free_port()
    settings = sqlite_settings(tmp_path, sqlite_template, port)
    wire = build(settings, migrate=False)
    wire.accounts.create_issuer("acme", "Acme Corporation", boilerplate="About Acme: makers of everything.",
                                contacts=[{"name": "Ada Press", "email": "press@acme.example"}])
    with serve(create_app(wire), port) as base, launch() as browser:
        yield wire, base, browser
    wire.close()


def test_an_editor_approves_and_fixes_a_flagged_segment_in_chromium(site):
    wire, base, browser = site
    editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Desk Editor"))
    acme = wire.accounts.authenticate(wire.accounts.create_api_key("issuer", "Acme", issuer_slug="acme"))
    sample = {k: (v.copy() if isinstance(v, (dict, list)) else v) for k, v in SAMPLE.items()}
    flagged_id, seg = flagged_release(wire, editor, sample)
    submitted = wire.releases.create(acme, {**sample, "headline": "Acme opens a Berlin office"})
    wire.releases.submit(acme, submitted.id)
    ed = person(wire, "editor", email="eve@example.com", name="Eve Editor")

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/desk")
    page.get_by_label("E-mail address").fill(ed.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/desk")
    assert page.locator("h1").inner_text() == "Editor desk"
    assert_accessible(page)
    screenshot(page, "desk")
    page.set_viewport_size({"width": 380, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # fits a phone
    page.set_viewport_size({"width": 1200, "height": 900})

    page.get_by_role("link", name="Acme opens a Berlin office").click()
    page.wait_for_url(f"{base}/desk/releases/{submitted.id}")
    assert_accessible(page)
    page.get_by_role("button", name="Approve").click()
    page.wait_for_selector(".notice-ok")
    assert page.locator(".notice-ok").inner_text() == "The release was approved."
    assert wire.releases.get(editor, submitted.id).status.value == "approved"
    assert_accessible(page)

    page.goto(f"{base}/desk/releases/{flagged_id}/translations/es")
    row = page.locator(f"tr[data-segment='{seg['id']}']")
    assert "seg-flagged" in row.get_attribute("class")
    assert_accessible(page)
    screenshot(page, "desk-translation")
    row.locator("textarea").fill(FIX)
    row.get_by_role("button", name="Save this segment").click()
    page.wait_for_selector(".notice-ok")
    fixed = page.locator(f"tr[data-segment='{seg['id']}']")
    assert "seg-human" in fixed.get_attribute("class") and fixed.locator("textarea").input_value() == FIX
    assert page.locator("tr.seg-flagged").count() == 0
    [done] = translate_all(wire)
    assert done.status == "ready"
    page.reload()
    page.wait_for_selector(f"tr[data-segment='{seg['id']}'].seg-human")
    assert_accessible(page)

    page.goto(f"{base}/desk/releases/{flagged_id}/history")
    assert page.get_by_role("cell", name="Translation edited").count() == 1
    assert_accessible(page)
    page.goto(f"{base}/desk/releases/{flagged_id}/edit")
    assert_accessible(page)
    assert errors == []
