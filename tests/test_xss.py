"""The XSS corpus (tests/data/xss-payloads.txt) through every input that reaches a page, a feed, an
e-mail or the web app: release fields (headline, lead, Markdown and HTML bodies), the issuer's
name, boilerplate and contacts, people's names, search queries and form fields shown again with
their errors. Rendered in Debian's Chromium: no dialog ever opens, and no element of the page
carries an event handler or a javascript: URL. Feeds parsed by feedparser (its own sanitizing off)
and e-mails' HTML parts hold nothing executable."""

from __future__ import annotations

import email
import shutil
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest

from chromium import Served, free_port, launch
from inert import executable
from newswire.bootstrap import build
from newswire.config import Settings
from newswire.domain.errors import InvalidInput
from newswire.formats import email as email_format
from web_helpers import PASSWORD, person

pytestmark = pytest.mark.browser
CORPUS = [line for line in (Path(__file__).parent / "data" / "xss-payloads.txt").read_text().splitlines()
          if line.strip() and not line.startswith("# ")]
SHORT = [p for p in CORPUS if len(p) <= 200]
# Any element of the rendered page with an event handler or a script URL (the page's own have none:
# its favicon link's empty "data:," excepted).
ACTIVE_DOM = """() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
    .filter(a => !(el.tagName === 'META' && a.name === 'content' && !el.httpEquiv))
    .filter(a => a.name.startsWith('on') || (/^\\s*(javascript|data|vbscript):/i.test(a.value.replace(/\\s/g, ''))
                                              && a.value !== 'data:,')
                 || a.name === 'srcdoc' || a.name === 'formaction')
    .map(a => el.tagName + '[' + a.name + '=' + a.value + ']'))"""


def publish_each(wire, editor, sample):
    """Each payload in each field on its own (headline, lead, keyword, Markdown body, HTML body):
    what a field refuses (HTML in a plain-text field, a <script> in a body) is safe; every accepted
    variant is published. Returns (releases, payloads accepted somewhere)."""
    out, accepted = [], set()
    for i, payload in enumerate(CORPUS):
        variants = [{"headline": f"Acme {i} {payload}"[:300]}, {"lead": payload}, {"keywords": [payload[:100]]},
                    {"body": f"Paragraph {i}.\n\n{payload}\n\nThe end.", "body_format": "markdown"},
                    {"body": f"<p>Paragraph {i}.</p>{payload}<p>The end.</p>", "body_format": "html"}]
        for fields in variants:
            try:
                release = wire.releases.create(editor, {**sample, "issuer": "xss", **fields})
            except InvalidInput:
                continue
            out.append(wire.releases.publish(editor, release.id))
            accepted.add(payload)
    return out, accepted


@pytest.fixture(scope="module")
def served(tmp_path_factory, sqlite_template):
    from conftest import SAMPLE
    from newswire.web.app import create_app

    data = tmp_path_factory.mktemp("xss") / "data"
    data.mkdir()
    shutil.copy(sqlite_template, data / "newswire.db")
    base = f"http://127.0.0.1:{(port := free_port())}"
    wire = build(Settings(data_dir=data, database_url=f"sqlite:///{data / 'newswire.db'}", base_url=base,
                          run_worker=False, cookie_secure=False), migrate=False)
    wire.accounts.create_issuer("xss", "<img src=x onerror=alert(1)> Corp", boilerplate="\n".join(p for p in CORPUS if "<" not in p),
                                website="https://xss.example/?q=\"><script>alert(1)</script>",
                                contacts=[{"name": p, "email": "pr@xss.example"} for p in SHORT[:10]])
    editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Desk <script>alert(1)</script>"))
    releases, accepted = publish_each(wire, editor, {k: (v.copy() if isinstance(v, (dict, list)) else v) for k, v in SAMPLE.items()})
    admin = person(wire, "admin", email="root@xss.example", name="<svg onload=alert(1)>")
    for i, payload in enumerate(SHORT[:20]):
        person(wire, "editor", email=f"ed{i}@xss.example", name=payload)
    server = Served(lambda: create_app(wire), port).start()
    yield {"base": base, "wire": wire, "releases": releases, "admin": admin, "accepted": accepted}
    server.stop()
    wire.close()


@pytest.fixture(scope="module")
def browser():
    with launch() as b:
        yield b


def inert(page, url: str, dialogs: list) -> None:
    response = page.goto(url)
    assert response is not None and response.status < 500, url
    page.wait_for_load_state("load")
    assert page.evaluate(ACTIVE_DOM) == [], url
    assert dialogs == [], (url, dialogs)


def watched(browser):
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return context, page, dialogs


def test_every_payload_reaches_a_page(served):
    """Each payload is taken by some field (at least the Markdown body, as text), so each is rendered."""
    assert set(CORPUS) - served["accepted"] == set()
    assert len(served["releases"]) >= 1.5 * len(CORPUS)


def test_public_pages_run_nothing(served, browser):
    base = served["base"]
    context, page, dialogs = watched(browser)
    try:
        for url in ("/en/", "/en/issuers", "/en/issuers/xss", "/en/industries/04000000"):
            inert(page, base + url, dialogs)
        for release in served["releases"]:
            inert(page, f"{base}/en/releases/{release.public_id}/{release.slug}", dialogs)
        for payload in SHORT[:25]:
            inert(page, f"{base}/en/search?q={quote(payload)}", dialogs)
            inert(page, f"{base}/en/search?q=skate&issuer={quote(payload)}", dialogs)
    finally:
        context.close()


def test_forms_shown_again_with_their_errors_run_nothing(served, browser):
    base = served["base"]
    context, page, dialogs = watched(browser)
    try:
        for payload in SHORT[:15]:
            page.goto(f"{base}/signin?next={quote(payload)}")
            page.fill('input[name="email"]', payload)
            page.fill('input[name="password"]', "wrong password")
            page.click('form[action="/signin"] button[type="submit"], form[action="/signin"] [type="submit"]')
            page.wait_for_load_state("load")
            assert page.evaluate(ACTIVE_DOM) == [] and dialogs == [], payload
            page.goto(f"{base}/subscribe")
            page.fill('input[name="name"]', payload)
            page.fill('input[name="email"]', payload)
            page.click('form.subscribe-form [type="submit"]')
            page.wait_for_load_state("load")
            assert page.evaluate(ACTIVE_DOM) == [] and dialogs == [], payload
    finally:
        context.close()


def test_signed_in_pages_with_payload_names_run_nothing(served, browser):
    base = served["base"]
    context, page, dialogs = watched(browser)
    try:
        page.goto(f"{base}/signin")
        page.fill('input[name="email"]', served["admin"].email)
        page.fill('input[name="password"]', PASSWORD)
        page.click('form[action="/signin"] [type="submit"]')
        page.wait_for_load_state("load")
        for url in ("/account", "/account/people", "/desk"):
            inert(page, base + url, dialogs)
        for release in served["releases"][:10]:
            inert(page, f"{base}/desk/releases/{release.id}", dialogs)
    finally:
        context.close()


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_feeds_carry_nothing_executable(served, kind):
    """RSS and Atom through feedparser (its own sanitizing off: the wire's output is judged), the
    JSON Feed (which this feedparser does not read) as JSON."""
    import json

    import httpx

    r = httpx.get(f"{served['base']}/feeds/en.{kind}")
    assert r.status_code == 200
    if kind == "json":
        items = json.loads(r.content)["items"]
        texts = [t for i in items for t in (i.get("title", ""), i.get("summary", ""), i.get("content_html", ""))]
    else:
        parsed = feedparser.parse(r.content, response_headers={"content-type": r.headers["content-type"]},
                                  sanitize_html=False)
        assert not parsed.bozo, parsed.bozo_exception
        items = parsed.entries
        texts = [t for e in items for t in (e.get("title", ""), e.get("summary", ""),
                                            *(c.value for c in e.get("content", [])))]
    assert len(items) >= 10
    for text in texts:
        assert executable(text) == [], (kind, text[:200])


def test_e_mails_html_parts_are_inert(served):
    wire = served["wire"]
    for release in served["releases"]:
        message = email.message_from_bytes(email_format.render(release, "published", wire.site, "wire@xss.example"))
        [html] = [p for p in message.walk() if p.get_content_type() == "text/html"]
        document = html.get_payload(decode=True).decode()
        assert executable(document, allowed=("style", "meta")) == [], document[:300]
        assert "<script" not in document.lower()
