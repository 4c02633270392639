"""The newsroom in a real browser: Debian's Chromium through Playwright, against the app served by uvicorn."""

from __future__ import annotations


import pytest

from chromium import Served, free_port, launch, sqlite_settings
from newswire.bootstrap import build

pytestmark = pytest.mark.browser


@pytest.fixture
def served(tmp_path, sqlite_template, sample):
    """A wire on a SQLite copy with one published release, served on 127.0.0.1."""
    from newswire.web.app import create_app

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = sqlite_settings(tmp_path, sqlite_template, port)
    wire = build(settings, migrate=False)
    wire.accounts.create_issuer("acme", "Acme Corporation", boilerplate="About Acme: makers of everything.",
                       website="https://acme.example",
                       contacts=[{"name": "Ada Press", "email": "press@acme.example", "phone": "+1 555 0100"}])
    editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Desk Editor"))
    release = wire.releases.create(editor, {**sample, "issuer": "acme"})
    release = wire.releases.publish(editor, release.id)
    arabic = wire.releases.create(editor, {"headline": "أكمي تطلق زلاجة صاروخية جديدة", "language": "ar", "issuer": "acme",
                                  "dateline": {"city": "Dubai", "date": "2026-11-20"},
                                  "lead": "أعلنت أكمي اليوم عن زلاجتها الجديدة.",
                                  "body": "الزلاجة **أخف** بنسبة ٣٠٪.", "industries": ["medtop:04000000"]})
    wire.releases.publish(editor, arabic.id)

    server = Served(lambda: create_app(wire), port).start()
    yield base, release, wire.listings.public(arabic.id)
    server.stop()
    wire.engine.dispose()


@pytest.fixture
def browser():
    with launch() as b:
        yield b


def test_release_page_in_chromium(served, browser, tmp_path, sample):
    base, release, arabic = served
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    response = page.goto(f"{base}/en/releases/{release.public_id}/{release.slug}")
    assert response.status == 200
    heading = page.locator("h1")
    assert heading.is_visible() and heading.inner_text() == sample["headline"]
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert "BERLIN, November 20, 2026 (Newswire) –" in page.locator(".body .lead").inner_text()
    # The stylesheet loaded and applied (the masthead rule is drawn by CSS).
    assert page.evaluate("getComputedStyle(document.querySelector('.masthead')).borderBottomStyle") == "solid"
    page.screenshot(path=str(tmp_path / "release.png"), full_page=True)

    page.set_viewport_size({"width": 380, "height": 800})
    page.screenshot(path=str(tmp_path / "release-narrow.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scrolling

    page.goto(f"{base}/")  # the root redirects to a language's home page
    assert page.url == f"{base}/en/"
    assert page.locator("ol.releases h2 a").first.inner_text() == sample["headline"]
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{base}/ar/releases/{arabic.public_id}/{arabic.slug}")
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).direction") == "rtl"
    # The headline's text hugs the right-hand edge of its box.
    text_right, box_right = page.evaluate("""() => { const h = document.querySelector('h1');
        const r = document.createRange(); r.selectNodeContents(h);
        return [r.getBoundingClientRect().right, h.getBoundingClientRect().right]; }""")
    assert abs(text_right - box_right) < 2
    page.screenshot(path=str(tmp_path / "release-ar.png"), full_page=True)
    assert problems == []
