"""ninjs 2.1 output, validated offline against IPTC's JSON Schema (with its GeoJSON $ref served locally)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from functools import cache

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

import inmemory
from conftest import SHARED, auth
from helpers import published, written_in
from inmemory import SETTINGS
from newswire.distribution.payloads import ENVELOPE_SCHEMA, webhook_body
from newswire.domain.models import Release, Translated
from newswire.formats import ninjs
from newswire.formats.site import Site

T0 = dt.datetime(2026, 11, 20, 9, 0, 0, 250_000, tzinfo=dt.timezone.utc)
NINJS = SHARED / "standards" / "ninjs"
SUITE = NINJS / "test_suite" / "2.1"
HTML_BODY = (
    "<h2>Results</h2><p>Revenue rose, see <a href=\"https://acme.example/ir\">investor page</a>.</p>"
    "<ul><li>One</li><li>Two</li></ul><ol start=\"3\"><li>Three</li></ol>"
    "<blockquote><p>\u201cOur best year,\u201d said <em>Wile E. Coyote</em>.</p></blockquote>"
    "<table><thead><tr><th scope=\"col\">Year</th><th>Revenue</th></tr></thead>"
    "<tbody><tr><td>2026</td><td>1&nbsp;000 &amp; more</td></tr></tbody></table>"
)


def _schema(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def registry() -> Registry:
    """The 2.1 schema and its GeoJSON $ref, from the local copies. The registry has no retrieve
    function, so any other remote $ref fails instead of going online."""
    return Registry().with_resources([
        ("https://geojson.org/schema/GeoJSON.json", Resource.from_contents(_schema(NINJS / "GeoJSON-schema.json"))),
        (ninjs.SCHEMA, Resource.from_contents(_schema(NINJS / "ninjs-schema_2.1.json")))])


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(_schema(NINJS / "ninjs-schema_2.1.json"), registry=registry(),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def envelope_validator() -> Draft202012Validator:
    """The webhook envelope's own schema (newswire/distribution), its ``data`` by $ref to ninjs 2.1."""
    return Draft202012Validator(_schema(ENVELOPE_SCHEMA), registry=registry(),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _assert_no_errors(v: Draft202012Validator, doc: dict) -> dict:
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return doc


def assert_valid(doc: dict) -> dict:
    return _assert_no_errors(validator(), doc)


def assert_envelope(payload: dict) -> dict:
    """A webhook body: the envelope against its schema, and ``data`` on its own against ninjs 2.1."""
    _assert_no_errors(envelope_validator(), payload)
    assert_valid(payload["data"])
    release, data = payload["release"], payload["data"]
    assert (release["uri"], release["language"], str(release["version"])) == (data["uri"], data["language"],
                                                                             data["version"])
    return payload


def render(release) -> dict:
    return assert_valid(ninjs.render(release, Site.from_settings(SETTINGS)))


def by_role(items: list[dict]) -> dict:
    return {i.get("role"): i for i in items}


# --- the validator itself --------------------------------------------------------


def test_ninjs_schema_is_a_valid_2020_12_schema():
    Draft202012Validator.check_schema(validator().schema)


@pytest.mark.parametrize("path", sorted((SUITE / "should_pass").glob("*.json")), ids=lambda p: p.name)
def test_official_examples_that_should_pass_do(path):
    assert_valid(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", sorted((SUITE / "should_fail").glob("*.json")), ids=lambda p: p.name)
def test_official_examples_that_should_fail_do(path):
    assert not validator().is_valid(json.loads(path.read_text(encoding="utf-8")))


def test_validator_catches_what_2_1_does_not_allow():
    assert not validator().is_valid({"uri": "http://x.example/1", "headline": "1.x style"})
    assert not validator().is_valid({"uri": "http://x.example/1", "versioncreated": "yesterday"})
    assert not validator().is_valid({"uri": "not a uri"})


# --- rendering releases (built in memory: the renderer is the subject) -----------------


def publish(reference, sample, issuer="acme", now=T0, **fields) -> Release:
    """The sample release, with ``fields`` changed, as the desk editor publishes (or schedules) it."""
    return inmemory.published(reference.issuers[issuer], {**sample, "issuer": issuer, **fields}, now)


def test_published_release(reference, sample):
    release = publish(reference, sample)
    site = Site.from_settings(SETTINGS)
    doc = render(release)

    assert doc["standard"] == {"name": "ninjs", "version": "2.1",
                               "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"}
    assert doc["uri"] == site.release_guid(release) == f"http://testserver/releases/{release.public_id}"
    assert doc["type"] == "text" and doc["version"] == "1" and doc["language"] == "en"
    assert doc["pubstatus"] == "usable" and "embargoed" not in doc and "ednote" not in doc
    assert dt.datetime.fromisoformat(doc["firstcreated"]) == release.created_at.replace(microsecond=0)
    assert dt.datetime.fromisoformat(doc["versioncreated"]) == release.current.created_at.replace(microsecond=0)
    assert doc["headlines"] == [{"role": "main", "value": sample["headline"]},
                                {"role": "sub", "value": sample["subheadline"]}]
    assert doc["descriptions"] == [{"role": "summary", "contenttype": "text/plain", "value": sample["lead"]}]

    bodies = by_role(doc["bodies"])
    assert bodies["main"] == {"role": "main", "contenttype": "text/html", "value": release.content.body_html}
    assert "<strong>Rocket Skate 3000</strong>" in bodies["main"]["value"]
    assert bodies["boilerplate"]["value"] == "About Acme: makers of everything."  # the issuer's default
    assert bodies["contacts"]["value"] == "Ada Press, press@acme.example, +1 555 0100"
    assert doc["people"] == [{"name": "Ada Press", "rel": "contact", "contactinfo": [
        {"type": "email", "value": "press@acme.example"}, {"type": "phone", "value": "+1 555 0100"}]}]

    assert doc["by"] == doc["copyrightholder"] == "Acme Corporation"
    assert doc["located"] == "Berlin"
    assert doc["usageterms"] == SETTINGS.disclaimer
    assert "copyrightnotice" not in doc  # no attribution given
    (org,) = doc["organisations"]
    assert org == {"name": "Acme Corporation", "rel": "issuer", "literal": "acme",
                   "uri": "http://testserver/en/issuers/acme",
                   "symbols": [{"ticker": "ACME", "exchange": "NYSE"}],
                   "contactinfo": [{"type": "web", "value": "https://acme.example"}]}
    assert doc["subjects"] == [{"name": "economy, business and finance", "literal": "medtop:04000000",
                                "uri": "http://cv.iptc.org/newscodes/mediatopic/04000000"}]
    assert doc["places"] == [
        {"name": "Germany", "literal": "DE", "uri": "http://cvx.iptc.org/iso3166-1a2/DE"},
        {"name": "United States", "literal": "US", "uri": "http://cvx.iptc.org/iso3166-1a2/US"}]

    renditions = {r["name"]: r for r in doc["renditions"]}
    assert renditions["newsroom"]["href"] == site.release_url(release)
    assert renditions["newsml-g2"] == {"name": "newsml-g2", "contenttype": "application/vnd.iptc.g2.newsitem+xml",
                                       "href": f"http://testserver/api/v1/releases/{release.public_id}.xml"}
    created = release.created_at.strftime("%Y%m%d")
    assert doc["altids"] == [{"role": "newsml-g2-guid",
                               "value": f"urn:newsml:testserver:{created}:release-{release.public_id}"}]


def test_corrected_release(reference, sample):
    release = publish(reference, sample)
    corrected = inmemory.correct(release, {"correction_note": "Model number corrected.",
                                           "headline": "Rocket Skate 3001"}, T0 + dt.timedelta(hours=1))
    doc = render(corrected)
    assert doc["version"] == "2" and doc["pubstatus"] == "usable"
    assert by_role(doc["headlines"])["main"]["value"] == "Rocket Skate 3001"
    assert doc["ednote"] == "Corrected (version 2): Model number corrected."
    assert doc["versioncreated"] > doc["firstcreated"]


def test_withdrawn_release(reference, sample):
    release = publish(reference, sample)
    doc = render(inmemory.withdraw(release, "Issued in error.", T0 + dt.timedelta(minutes=1)))
    assert doc["pubstatus"] == "canceled"
    assert doc["ednote"] == "Withdrawn: Issued in error."


def test_scheduled_release_is_withheld_and_embargoed_until_it_goes_out(reference, sample):
    now = T0.replace(microsecond=0)
    release = publish(reference, sample, now=now, embargo_until=(now + dt.timedelta(hours=1)).isoformat())
    doc = render(release)
    assert release.status == "scheduled"
    assert doc["pubstatus"] == "withheld"
    assert dt.datetime.fromisoformat(doc["embargoed"]) == now + dt.timedelta(hours=1)

    doc = render(inmemory.release_due(release, now + dt.timedelta(hours=1, seconds=1)))
    assert doc["pubstatus"] == "usable" and "embargoed" not in doc


def test_draft_is_withheld(reference, sample):
    doc = render(inmemory.create(reference.issuers["acme"], sample, T0, by="Acme PR"))
    assert doc["pubstatus"] == "withheld" and doc["version"] == "1"


def test_rich_metadata(reference, sample):
    release = publish(
        reference, sample,
        industries=["medtop:04000000", "medtop:13000000"], regions=["KR", "JP", "DE"],
        tickers=["NASDAQ:ACME", "US0378331005"], keywords=["skates", "rockets"],
        attribution="Photos courtesy of NASA.",
        contacts=[{"name": "Ada Press", "role": "Head of PR", "organisation": "Acme Europe",
                   "email": "ada@acme.example"},
                  {"phone": "+49 30 1234"}])
    doc = render(release)
    assert [s.get("literal") for s in doc["subjects"]] == ["medtop:04000000", "medtop:13000000", None, None]
    assert doc["subjects"][1]["name"] == "science and technology"
    assert [s["name"] for s in doc["subjects"][2:]] == ["skates", "rockets"]
    assert [(p["literal"], p["name"]) for p in doc["places"]] == [
        ("KR", "Korea, Republic of"), ("JP", "Japan"), ("DE", "Germany")]
    assert doc["organisations"][0]["symbols"] == [
        {"ticker": "ACME", "exchange": "NASDAQ"},
        {"symbol": "US0378331005", "symboltype": "http://cvx.iptc.org/isin/"}]
    assert doc["copyrightnotice"] == "Photos courtesy of NASA."
    assert by_role(doc["bodies"])["contacts"]["value"] == (
        "Ada Press, Head of PR, Acme Europe, ada@acme.example\n+49 30 1234")
    assert doc["people"] == [
        {"name": "Ada Press", "rel": "contact", "contactinfo": [{"type": "email", "value": "ada@acme.example"}]},
        {"name": "+49 30 1234", "rel": "contact", "contactinfo": [{"type": "phone", "value": "+49 30 1234"}]}]


def test_release_without_optional_fields(reference):
    release = publish(reference, {}, issuer="globex", headline="Kurz", body="Nur Text.", language="de")
    doc = render(release)
    assert doc["headlines"] == [{"role": "main", "value": "Kurz"}]
    for absent in ("descriptions", "people", "subjects", "places", "located", "embargoed", "ednote"):
        assert absent not in doc
    assert doc["organisations"] == [{"name": "Globex GmbH", "rel": "issuer", "literal": "globex",
                                     "uri": "http://testserver/de/issuers/globex"}]
    assert by_role(doc["bodies"])["boilerplate"]["value"] == "Über Globex: Technik seit 1989."


@pytest.mark.parametrize("lang, headline, topic, region", [
    ("ko", "에이크미, 로켓 스케이트 3000 공개", "economy, business and finance", "독일"),  # IPTC has no ko labels
    ("ar", "أكمي تكشف عن لوح التزلج الصاروخي", "اقتصاد، اعمال ومال", "ألمانيا"),
])
def test_non_latin_release(reference, sample, lang, headline, topic, region):
    release = publish(reference, sample, language=lang, headline=headline, regions=["DE"],
                      body="نص البيان." if lang == "ar" else "보도자료 본문입니다.")
    doc = render(release)
    assert doc["language"] == lang
    assert doc["headlines"][0]["value"] == headline
    assert doc["subjects"][0]["name"] == topic
    assert doc["places"][0]["name"] == region
    assert doc["renditions"][0]["href"].startswith(f"http://testserver/{lang}/releases/")
    # The bytes a webhook carries are UTF-8 JSON with the text unescaped (the API's: below).
    hook = webhook_body(release, "release.published", Site.from_settings(SETTINGS))
    assert headline.encode() in hook and json.loads(hook)["data"]["headlines"] == doc["headlines"]


# --- the webhook envelope around it (every kind; end to end through a receiver in test_webhook.py) ---


def _envelope(release, event, fmt="ninjs") -> dict:
    return assert_envelope(json.loads(webhook_body(release, event, Site.from_settings(SETTINGS), fmt)))


def test_envelope_schema_is_a_valid_2020_12_schema():
    Draft202012Validator.check_schema(envelope_validator().schema)


def test_every_envelope_kind_is_valid_and_data_is_only_ninjs(reference, sample):
    first = publish(reference, sample, attribution="Photos: Acme.")
    fixed = inmemory.correct(first, {"correction_note": "Model number corrected."}, T0 + dt.timedelta(hours=1))
    gone = inmemory.withdraw(first, "Issued in error.", T0 + dt.timedelta(hours=2))
    spanish = first.in_language(replace(first.content, language="es", headline="Acme presenta el patín"),
                                Translated("en", 1, engines=("apertium",)))
    site = Site.from_settings(SETTINGS)

    hello = _envelope(first, "release.published")
    assert (hello["type"], hello["version"], hello["format"]) == ("release.published", 1, "ninjs")
    assert hello["data"] == ninjs.render(first, site)  # ninjs, exactly as the API serves it
    assert hello["release"] == {"id": first.public_id, "uri": site.release_guid(first), "url": site.release_url(first),
                                "language": "en", "original_language": "en", "machine_translated": False,
                                "version": 1, "attribution": "Photos: Acme.", "correction_note": None,
                                "withdraw_reason": None}
    assert dt.datetime.fromisoformat(hello["timestamp"]) == first.published_at.replace(microsecond=0)

    fix = _envelope(fixed, "release.corrected")
    assert fix["release"]["correction_note"] == "Model number corrected." and fix["release"]["version"] == 2
    kill = _envelope(gone, "release.withdrawn")
    assert kill["release"]["withdraw_reason"] == "Issued in error." and kill["data"]["pubstatus"] == "canceled"
    assert "bodies" not in kill["data"] and "descriptions" not in kill["data"]

    es = _envelope(spanish, "release.published")
    assert (es["release"]["language"], es["release"]["original_language"], es["release"]["machine_translated"]) == \
        ("es", "en", True)
    assert es["release"]["url"] == site.release_url(spanish) and "/es/releases/" in es["release"]["url"]

    g2 = _envelope(first, "release.published", "newsml-g2")
    assert g2["format"] == "newsml-g2" and "<newsItem xmlns=" in g2["newsml_g2"]
    assert "bodies" not in g2["data"]
    g2_kill = _envelope(gone, "release.withdrawn", "newsml-g2")
    assert "newsml_g2" not in g2_kill and g2_kill["release"]["withdraw_reason"] == "Issued in error."


def test_envelope_schema_refuses_what_receivers_could_not_trust(reference, sample):
    good = _envelope(publish(reference, sample), "release.published")
    old_style = {**good, "data": {**good["data"], "url": good["release"]["url"], "event": good["type"]}}
    unversioned = {k: v for k, v in good.items() if k != "version"}
    kill_with_text = {**good, "type": "release.withdrawn", "release": {**good["release"], "withdraw_reason": "x"}}
    note_on_publish = {**good, "release": {**good["release"], "correction_note": "x"}}
    g2_without_xml = {**good, "format": "newsml-g2"}
    assert isinstance(good["release"]["id"], str)  # the public id: a string, never the row's number
    numbered = [{**good, "release": {**good["release"], "id": n}} for n in (7, "7", "kq3x7aa2mfz5ubnc")]
    for bad in (old_style, unversioned, kill_with_text, note_on_publish, g2_without_xml, *numbered,
                {**good, "type": "release.deleted"}, {**good, "timestamp": "yesterday"}):
        assert not envelope_validator().is_valid(bad)


def test_html_body_is_carried_as_sanitized_html(reference, sample):
    release = publish(reference, sample, body=HTML_BODY, body_format="html")
    doc = render(release)
    main = by_role(doc["bodies"])["main"]
    assert main["contenttype"] == "text/html" and main["value"] == release.content.body_html
    for fragment in ("<table>", "<th scope=\"col\">", "<ol start=\"3\">", "<blockquote>",
                     "<a href=\"https://acme.example/ir\""):
        assert fragment in main["value"]


# --- through the HTTP API ----------------------------------------------------------


def test_the_api_sends_non_latin_text_unescaped(client, wire, keys, sample):
    headline = "에이크미, 로켓 스케이트 3000 공개"
    editor = wire.accounts.authenticate(keys["editor"])
    r = wire.releases.create(editor, {**sample, "issuer": "acme", **written_in("ko", headline)})
    wire.releases.publish(editor, r.id)
    raw = client.get(f"/api/v1/releases/{r.public_id}").content
    assert headline.encode() in raw and json.loads(raw)["headlines"][0]["value"] == headline


def test_api_serves_valid_ninjs(client, wire, keys, sample, clock):
    release = published(wire, keys, sample)
    public = client.get(f"/api/v1/releases/{release.public_id}")
    assert public.status_code == 200 and public.headers["content-type"].startswith("application/json")
    assert assert_valid(public.json())["uri"] == f"http://testserver/releases/{release.public_id}"
    assert client.get(f"/api/v1/releases/{release.public_id}.json").json() == public.json()

    listing = client.get("/api/v1/releases").json()
    assert [assert_valid(i)["uri"] for i in listing["items"]] == [public.json()["uri"]]

    # Staff see a scheduled release, embargo and all; the public does not see it at all.
    later = (clock() + dt.timedelta(hours=1)).replace(microsecond=0)
    scheduled = published(wire, keys, sample, embargo_until=later.isoformat())
    assert client.get(f"/api/v1/releases/{scheduled.public_id}").status_code == 404
    staff = client.get(f"/api/v1/releases/{scheduled.public_id}", headers=auth(keys["editor"])).json()
    assert assert_valid(staff)["pubstatus"] == "withheld"
    assert dt.datetime.fromisoformat(staff["embargoed"]) == later
