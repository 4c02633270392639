"""The issuer portal with the real app on both databases: the listing, composing (every typed field,
errors beside the fields, the embargo's time zone), the live preview through the newsroom's own
template, the pre-checks of a draft, the pickers and the target languages, pictures."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from helpers import audit_actions, use_apertium
from helpers import publish as publish_release
from media_files import image, pdf
from web_helpers import csrf

from newswire.domain.models import SYSTEM
from newswire.domain.models import Status

FORM = {
    "language": "en", "headline": "Acme unveils the Rocket Skate 3000", "subheadline": "Faster, safer, greener",
    "dateline_city": "Berlin", "dateline_date": "", "lead": "Acme today announced its new skate.",
    "body": "## Highlights\n\nThe **Rocket Skate 3000** is lighter.\n\n- 30% lighter\n- 2x range\n",
    "boilerplate": "", "attribution": "", "tickers": "NYSE:ACME", "keywords": "skates, sport",
    "type": "press_release", "industries": ["medtop:04000000"], "regions": ["DE"],
    "embargo_date": "", "embargo_time": "", "embargo_zone": "UTC",
    "contact-0-name": "Ada Press", "contact-0-email": "press@acme.example",
}


def post(client, url, data, page="/portal/new", **kw):
    token = csrf(client.get(page))
    return client.post(url, data={"csrf": token, **data}, follow_redirects=False, **kw)


def created_id(response, wire) -> int:
    """The internal id of the release a portal form made (its page's address has the public id)."""
    assert response.status_code == 303, response.text[:2000]
    public = re.search(r"/portal/releases/([a-z2-7]+)", response.headers["location"]).group(1)
    return wire.listings.resolve(SYSTEM, public)


def test_the_listing_shows_only_the_issuers_own_releases(signed_in, wire, keys, sample):
    acme = signed_in("issuer", issuer="acme")
    mine = wire.releases.create(wire.accounts.authenticate(keys["acme"]), {**sample, "headline": "Acme's own news"})
    wire.releases.create(wire.accounts.authenticate(keys["globex"]), {**sample, "headline": "Globex news"})
    page = acme.get("/portal")
    assert page.status_code == 200
    assert "Acme&#39;s own news" in page.text and "Globex news" not in page.text
    assert f'href="/portal/releases/{mine.public_id}"' in page.text and 'href="/portal/new"' in page.text
    assert "draft" in page.text
    rows = acme.get("/portal/rows")
    assert rows.status_code == 200 and "Acme&#39;s own news" in rows.text


def test_compose_saves_every_typed_field(signed_in, wire):
    acme = signed_in("issuer", issuer="acme")
    r = post(acme, "/portal/new", {**FORM, "action": "save", "embargo_date": "2030-01-15", "embargo_time": "09:30",
                                   "embargo_zone": "Europe/Berlin", "region_search": "United States (US)",
                                   "industry_search": "medtop:20000002"})
    rid = created_id(r, wire)
    release = wire.releases.get(acme.user.principal, rid)
    c = release.content
    assert (c.headline, c.subheadline, c.lead, c.dateline.city) == (
        FORM["headline"], FORM["subheadline"], FORM["lead"], "Berlin")
    assert "<h2>Highlights</h2>" in c.body_html and c.body_source == FORM["body"]
    assert c.industries == ("medtop:04000000", "medtop:20000002") and c.regions == ("DE", "US")
    assert c.tickers == ("NYSE:ACME",) and c.keywords == ("skates", "sport")
    assert c.contacts[0].name == "Ada Press" and c.contacts[0].email == "press@acme.example"
    assert c.boilerplate == "About Acme: makers of everything."  # the issuer's, when left empty
    # 09:30 in Berlin in January is 08:30 UTC, converted on the server
    assert release.embargo_until == dt.datetime(2030, 1, 15, 8, 30, tzinfo=dt.timezone.utc)
    assert release.status == Status.DRAFT
    page = acme.get(f"/portal/releases/{rid}/edit")
    assert page.status_code == 200 and 'value="Acme unveils the Rocket Skate 3000"' in page.text
    assert "08:30" in page.text  # the saved embargo, shown in UTC


def test_a_refused_form_shows_what_was_typed_with_errors_beside_the_fields(signed_in, wire):
    acme = signed_in("issuer", issuer="acme")
    r = post(acme, "/portal/new", {**FORM, "headline": "", "tickers": "NOT A TICKER", "embargo_date": "2020-01-01",
                                   "embargo_time": "10:00", "action": "save"})
    assert r.status_code == 422
    assert 'id="f-headline-error"' in r.text and 'id="f-tickers-error"' in r.text
    assert 'id="f-embargo-error"' in r.text and "in the past" in r.text
    assert "NOT A TICKER" in r.text and "Acme today announced its new skate." in r.text
    r = post(acme, "/portal/new", {**FORM, "embargo_zone": "Mars/Olympus", "embargo_date": "2030-01-01",
                                   "action": "save"})
    assert r.status_code == 422 and "is not an IANA time zone" in r.text
    r = post(acme, "/portal/new", {**FORM, "industry_search": "no such topic at all", "action": "save"})
    assert r.status_code == 422 and "is not a Media Topic" in r.text
    assert wire.portal.releases(acme.user.principal)[0] == []


def test_submit_from_the_compose_form(signed_in, wire):
    acme = signed_in("issuer", issuer="acme")
    rid = created_id(post(acme, "/portal/new", {**FORM, "action": "submit"}), wire)
    assert wire.releases.get(acme.user.principal, rid).status == Status.SUBMITTED
    assert ("release.submit", {}) in [(a, {}) for a, _ in audit_actions(wire, "release.")]
    # a submitted release can still be edited by its issuer; a new version
    r = post(acme, f"/portal/releases/{rid}/edit", {**FORM, "headline": "Acme unveils the Rocket Skate 3001",
                                                   "action": "save"}, page=f"/portal/releases/{rid}/edit")
    assert created_id(r, wire) == rid
    assert wire.releases.get(acme.user.principal, rid).content.headline.endswith("3001")


def test_publish_is_offered_only_when_issuers_may_self_publish(signed_in):
    acme = signed_in("issuer", issuer="acme")
    assert 'value="publish"' not in acme.get("/portal/new").text
    r = post(acme, "/portal/new", {**FORM, "action": "publish"})
    assert r.status_code == 409 and "Issuers may not publish" in r.text  # saved as a draft, and said so


def test_the_live_preview_renders_the_draft_through_the_newsroom_template(signed_in, wire):
    acme = signed_in("issuer", issuer="acme")
    r = post(acme, "/portal/preview", {**FORM, "body": "Hello **world**, <em>today</em>."})
    assert r.status_code == 200
    assert '<article class="release">' in r.text and "<h1>Acme unveils the Rocket Skate 3000</h1>" in r.text
    assert "<strong>world</strong>" in r.text and "<em>today</em>" in r.text and "BERLIN" in r.text
    assert "About Acme" in r.text and "Ada Press" in r.text
    # markup the wire would not publish is refused in the preview as on save, never rendered
    r = post(acme, "/portal/preview", {**FORM, "body": 'Hello <a href="javascript:alert(1)">x</a>'})
    assert "<article" not in r.text and "javascript: URL" in r.text and 'href="javascript' not in r.text
    r = post(acme, "/portal/preview", {**FORM, "embargo_date": "2030-06-01", "embargo_time": "12:00",
                                       "embargo_zone": "Asia/Seoul"})
    assert "In UTC" in r.text and "03:00" in r.text
    r = post(acme, "/portal/preview", {**FORM, "headline": ""})
    assert r.status_code == 200 and "headline" in r.text and "<article" not in r.text
    assert wire.portal.releases(acme.user.principal)[0] == []  # nothing saved


def test_the_pre_checks_run_on_the_draft_as_typed(signed_in, wire):
    acme = signed_in("issuer", issuer="acme")
    r = post(acme, "/portal/checks", {**FORM, "dateline_date": "2030-01-15",  # a Tuesday
                                      "body": "On Monday, January 15, 2030 we launch. ISIN US0378331006."})
    assert r.status_code == 200 and "error(s)" in r.text
    assert 'class="finding' in r.text
    clean = post(acme, "/portal/checks", FORM)
    assert clean.status_code == 200 and "error(s)" in clean.text
    assert wire.portal.releases(acme.user.principal)[0] == []


def test_the_no_script_preview_button_shows_preview_and_checks_on_the_page(signed_in):
    acme = signed_in("issuer", issuer="acme")
    r = post(acme, "/portal/new", {**FORM, "action": "preview"})
    assert r.status_code == 200 and '<article class="release">' in r.text and "error(s)" in r.text
    assert 'value="Acme unveils the Rocket Skate 3000"' in r.text


def test_topic_search_as_you_type_in_the_users_language(signed_in):
    acme = signed_in("issuer", issuer="acme", language="de")
    found = acme.get("/portal/topics", params={"q": "wirtschaft"}).json()["items"]
    assert found and all("wirtschaft" in t["label"].casefold() or t["qcode"] for t in found)
    assert any(t["qcode"] == "medtop:04000000" for t in found)
    assert acme.get("/portal/topics", params={"q": ""}).json()["items"] == []
    page = acme.get("/portal/new")
    assert 'list="topics-list"' in page.text and "(medtop:04000000)" in page.text  # the no-script list
    assert 'list="regions-list"' in page.text and "Deutschland (DE)" in page.text


def test_target_languages_offer_only_reachable_pairs(signed_in, wire):
    use_apertium(wire)  # en→es, and es→pt: pt through Spanish; nothing else
    acme = signed_in("issuer", issuer="acme")
    page = acme.get("/portal/targets", params={"source": "en"})
    assert page.status_code == 200
    assert 'name="target_languages" value="es">' in page.text and 'name="target_languages" value="pt">' in page.text
    assert 'value="de" disabled' in page.text and 'value="ja" disabled' in page.text
    assert "Not available: no translation engine on this wire translates English into German." in page.text
    assert 'value="en"' not in page.text  # not the release's own language
    assert 'value="es" disabled' in acme.get("/portal/targets", params={"source": "ko"}).text
    r = post(acme, "/portal/new", {**FORM, "target_languages": ["de"], "action": "save"})
    assert r.status_code == 422 and 'id="f-target_languages-error"' in r.text
    rid = created_id(post(acme, "/portal/new", {**FORM, "target_languages": ["es", "pt"], "action": "save"}), wire)
    assert wire.releases.get(acme.user.principal, rid).target_languages == ("es", "pt")
    assert 'value="es" checked' in acme.get(f"/portal/releases/{rid}/edit").text


def test_a_picture_with_alt_text_and_caption(signed_in, wire, client):
    acme = signed_in("issuer", issuer="acme")
    rid = created_id(post(acme, "/portal/new", {**FORM, "action": "save"}), wire)
    edit = f"/portal/releases/{rid}/edit"
    token = csrf(acme.get(edit))
    r = acme.post(f"/portal/releases/{rid}/media", data={"csrf": token, "alt_text": "", "caption": "The skate"},
                  files={"file": ("skate.png", image(), "image/png")}, follow_redirects=False)
    assert r.status_code == 422 and "The file was not added" in r.text and "The skate" in r.text
    r = acme.post(f"/portal/releases/{rid}/media", data={"csrf": token, "alt_text": "A red skate",
                                                          "caption": "The skate"},
                  files={"file": ("skate.png", image(), "image/png")}, follow_redirects=False)
    assert r.status_code == 303
    m = wire.media.list(acme.user.principal, rid)[0]
    assert (m.alt_text, m.caption) == ("A red skate", "The skate")
    url = f"/portal/releases/{rid}/media/{m.id}/{m.largest.filename}"
    assert url in acme.get(edit).text or f"/portal/releases/{wire.releases.get(acme.user.principal, rid).public_id}/media/{m.id}/" in acme.get(edit).text
    assert acme.get(url).status_code == 200
    preview = post(acme, "/portal/preview", {**FORM, "release_id": str(rid)}, page=edit)
    assert f"/portal/releases/{wire.releases.get(acme.user.principal, rid).public_id}/media/{m.id}/" in preview.text and 'alt="A red skate"' in preview.text
    assert client.get(f"/media/{m.token}/{m.largest.filename}").status_code == 404  # not public yet
    globex = signed_in("issuer", issuer="globex")
    assert globex.get(url).status_code == 404
    assert signed_in("editor").get(url).status_code == 403
    r = acme.post(f"/portal/releases/{rid}/media/{m.id}/delete", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and wire.media.list(acme.user.principal, rid) == ()


@pytest.mark.parametrize("page", ["/portal", "/portal/new"])
def test_portal_pages_are_in_the_users_language(signed_in, page):
    acme = signed_in("issuer", issuer="acme", language="de")
    r = acme.get(page)
    assert r.status_code == 200 and r.headers["content-language"] == "de" and 'lang="de"' in r.text


def test_an_html_release_stays_html_when_edited(signed_in, wire, keys, sample):
    acme = signed_in("issuer", issuer="acme")
    key = wire.accounts.authenticate(keys["acme"])
    release = wire.releases.create(key, {**sample, "body": "<p>Hello <b>world</b></p>", "body_format": "html"})
    edit = f"/portal/releases/{release.id}/edit"
    page = acme.get(edit)
    assert 'name="body_format" value="html"' in page.text and "Text (HTML)" in page.text
    r = post(acme, edit, {**FORM, "body_format": "html", "body": "<p>Hello <b>there</b></p>", "action": "save"},
             page=edit)
    assert created_id(r, wire) == release.id
    c = wire.releases.get(key, release.id).content
    assert c.body_format == "html" and "<b>there</b>" in c.body_html


def test_delivery_counts_only_for_the_issuers_own_releases(wire, keys, signed_in, editor, sample):
    admin = wire.accounts.authenticate(keys["admin"])
    outlet = wire.subscriptions.create(admin, {"kind": "journalist", "name": "Planet", "email": "d@planet.example"})
    wire.subscriptions.add_endpoint(admin, outlet.id, {"channel": "email", "address": "d@planet.example"})
    release = publish_release(wire, editor, sample)
    acme, globex = signed_in("issuer", issuer="acme").user, signed_in("issuer", issuer="globex").user
    assert wire.portal.delivery_counts(acme.principal, [release.id]) == {release.id: {"email": {"pending": 1}}}
    assert wire.portal.delivery_counts(globex.principal, [release.id]) == {}


def test_a_document_with_its_caption(signed_in, wire):
    acme = signed_in("issuer", issuer="acme")
    rid = created_id(post(acme, "/portal/new", {**FORM, "action": "save"}), wire)
    edit = f"/portal/releases/{rid}/edit"
    r = acme.post(f"/portal/releases/{rid}/media", data={"csrf": csrf(acme.get(edit)), "caption": "Fact sheet"},
                  files={"file": ("facts.pdf", pdf(), "application/pdf")}, follow_redirects=False)
    assert r.status_code == 303
    m = wire.media.list(acme.user.principal, rid)[0]
    assert (m.kind, m.caption) == ("document", "Fact sheet")
    preview = post(acme, "/portal/preview", {**FORM, "release_id": str(rid)}, page=edit)
    assert "Fact sheet" in preview.text and f"/portal/releases/{wire.releases.get(acme.user.principal, rid).public_id}/media/{m.id}/" in preview.text
