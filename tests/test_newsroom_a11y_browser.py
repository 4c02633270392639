"""axe-core in Debian's Chromium on every public page kind, in English and in a translated,
right-to-left language: no violations (WCAG 2.2 A/AA and axe's best practices)."""

from __future__ import annotations


import pytest
from a11y import assert_accessible
from chromium import Served, free_port, launch, screenshot, sqlite_settings

from newswire.bootstrap import build

pytestmark = pytest.mark.browser


@pytest.fixture
def site(tmp_path, sqlite_template, sample):
    from newswire.web.app import create_app

    port = free_port()
    settings = sqlite_settings(tmp_path, sqlite_template, port)
    wire = build(settings, migrate=False)
    wire.accounts.create_issuer("acme", "Acme Corporation", boilerplate="About Acme: makers of everything.",
                                contacts=[{"name": "Ada Press", "email": "press@acme.example"}])
    editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Desk"))
    en = wire.releases.publish(editor, wire.releases.create(editor, {**sample, "issuer": "acme", "regions": ["DE"]}).id)
    ar = wire.releases.create(editor, {"headline": "أكمي تطلق زلاجة صاروخية جديدة", "language": "ar", "issuer": "acme",
                                       "dateline": {"city": "دبي"}, "lead": "أعلنت أكمي اليوم عن زلاجتها الجديدة.",
                                       "body": "الزلاجة **أخف** بنسبة ٣٠٪.", "industries": ["medtop:04000000"]})
    ar = wire.releases.publish(editor, ar.id)
    server = Served(lambda: create_app(wire), port).start()
    with launch() as browser:
        yield server.base, en, ar, browser
    server.stop()
    wire.engine.dispose()


def paths(en, ar) -> list[str]:
    out = []
    for lang, release in (("en", en), ("ar", ar)):
        out += [f"/{lang}/", f"/{lang}/releases/{release.public_id}/{release.slug}", f"/{lang}/search?q=acme",
                f"/{lang}/industries", f"/{lang}/industries/medtop:04000000", f"/{lang}/regions",
                f"/{lang}/regions/DE", f"/{lang}/issuers", f"/{lang}/issuers/acme", f"/{lang}/live",
                f"/{lang}/no-such-page"]
    return out + ["/subscribe", "/subscribe?lang=ar", "/signin?lang=ar", "/reset"]


def test_every_public_page_kind_passes_axe(site):
    base, en, ar, browser = site
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    for path in paths(en, ar):
        page.goto(base + path)
        assert_accessible(page)
    page.goto(f"{base}/en/releases/{en.public_id}/{en.slug}")
    screenshot(page, "release")
    page.goto(f"{base}/en/search?q=acme")
    screenshot(page, "search")
    page.goto(f"{base}/en/")
    screenshot(page, "home")
