"""Pre-checks (issue 9, part 3): on submit and on demand, errors hold approval until an audited
override, warnings never hold anything. Links are asked of real local servers."""

from __future__ import annotations

import pytest
from helpers import assert_problem, audit_actions, snapshot

from conftest import auth

ROLES = ["anonymous", "subscriber", "globex", "acme", "editor", "admin"]

# A weekday that does not match its date (27 October 2021 was a Wednesday; the 26th a Tuesday),
# in a sentence long enough for the language detector to agree with the declared language.
MISMATCH = {
    "en": ("The company will present its results on Wednesday, October 26, 2021 in Berlin, "
           "followed by a conference call for analysts and investors.", "Wednesday"),
    "de": ("Das Unternehmen stellt seine Ergebnisse am Mittwoch, 26. Oktober 2021 in Berlin vor; "
           "anschließend findet eine Telefonkonferenz für Analysten und Investoren statt.", "Mittwoch"),
    "fr": ("La société présentera ses résultats le mercredi 26 octobre 2021 à Paris, suivis d'une "
           "conférence téléphonique pour les analystes et les investisseurs.", "mercredi"),
    "ja": ("当社は2021年10月26日（水曜日）に東京で決算を発表し、その後アナリストと投資家向けの電話会議を開催します。",
           "水曜日"),
    "ar": ("ستعلن الشركة عن نتائجها يوم الأربعاء 26 أكتوبر 2021 في دبي، يليها مؤتمر هاتفي للمحللين والمستثمرين.",
           "الأربعاء"),
    "th": ("บริษัทจะประกาศผลประกอบการในวันพุธที่ 26 ตุลาคม 2564 ที่กรุงเทพฯ และจะจัดประชุมทางโทรศัพท์สำหรับนักวิเคราะห์",
           "วันพุธ"),
    "es": ("La empresa presentará sus resultados el miércoles 26 de octubre de 2021 en Madrid, seguidos de "
           "una conferencia telefónica para analistas e inversores.", "miércoles"),
}


def draft(client, keys, sample, who="acme", **fields) -> int:
    body = {**sample, **fields}
    if who != "acme":
        body.setdefault("issuer", "acme")
    r = client.post("/api/v1/releases", json=body, headers=auth(keys[who]))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def checks(client, keys, rid, who="acme") -> dict:
    r = client.get(f"/api/v1/releases/{rid}/checks", headers=auth(keys[who]))
    assert r.status_code == 200, r.text
    return r.json()


def found(report: dict, check: str) -> list[dict]:
    return [x for x in report["results"] if x["check"] == check]


@pytest.mark.parametrize("lang", list(MISMATCH))
def test_a_weekday_that_does_not_match_its_date(client, keys, sample, lang):
    text, weekday = MISMATCH[lang]
    rid = draft(client, keys, sample, language=lang, headline=text[:60], lead="", subheadline="", body=text)
    hits = found(checks(client, keys, rid), "weekday")
    assert {h["field"] for h in hits} <= {"headline", "body"}  # (the headline holds the sentence's start)
    [hit] = [h for h in hits if h["field"] == "body"]
    assert hit["severity"] == "error"
    assert text[hit["offset"]:].startswith(weekday) and weekday in hit["quote"]
    assert "2021-10-26" in hit["message"] and "correct the weekday or the date" in hit["message"]
    right = text.replace("26", "27")
    rid = draft(client, keys, sample, language=lang, headline=right[:60], lead="", subheadline="", body=right)
    report = checks(client, keys, rid)
    assert found(report, "weekday") == [] and found(report, "language") == []


def test_isin_check_digit_and_unknown_exchange(client, keys, sample):
    body = sample["body"] + "\n\nThe shares (ISIN US0378331006) trade in New York; see also US0378331005."
    rid = draft(client, keys, sample, body=body, tickers=["FOO:ACME", "NYSE:ACME"])
    report = checks(client, keys, rid)
    [isin] = found(report, "isin")
    assert isin["severity"] == "error" and isin["quote"] == "US0378331006" and isin["field"] == "body"
    [exchange] = found(report, "exchange")
    assert exchange["field"] == "tickers[0]" and exchange["severity"] == "error" and "'FOO'" in exchange["message"]


def test_warnings_on_the_parts_of_a_release(client, keys, sample):
    rid = draft(client, keys, {**sample, "issuer": "globex"}, who="editor",
                headline="ACME UNVEILS THE ROCKET SKATE 3000 " * 5, dateline={"city": "Berlin", "date": "2020-01-02"})
    report = checks(client, keys, rid, "editor")
    kinds = {(x["check"], x["severity"]) for x in report["results"]}
    assert {("headline", "warning"), ("dateline", "warning"), ("contact", "warning")} <= kinds
    assert len(found(report, "headline")) == 2  # too long, and in capitals
    assert report["counts"]["error"] == 0 and report["counts"]["warning"] >= 4


def test_no_boilerplate_is_a_warning():
    from newswire.domain.models import Contact, Content
    from newswire.intake.checks import completeness_findings

    [hit] = completeness_findings(Content(headline="Acme opens a plant", body_html="<p>x</p>", language="en",
                                          contacts=(Contact("Ada Press"),)))
    assert hit.check == "boilerplate" and hit.severity == "warning"


def test_the_declared_language_must_match_the_text(client, keys, sample):
    rid = draft(client, keys, sample, language="de")
    [hit] = found(checks(client, keys, rid), "language")
    assert hit["severity"] == "error" and "English" in hit["message"]


@pytest.fixture
def settings(settings):
    return settings.with_overrides(webhook_allow_private=True)


def test_dead_and_live_links_on_local_servers(client, keys, sample, receiver):
    receiver.plan["/gone"] = [404]
    body = f"See [the live page]({receiver.url('/ok')}) and [the dead one]({receiver.url('/gone')})."
    rid = draft(client, keys, sample, body=body)
    assert client.post(f"/api/v1/releases/{rid}/submit", headers=auth(keys["acme"])).status_code == 200
    [dead] = found(checks(client, keys, rid), "link")
    assert dead["severity"] == "warning" and dead["quote"] == receiver.url("/gone") and "HTTP 404" in dead["message"]
    asked = len(receiver.hits)
    assert asked == 2
    checks(client, keys, rid, "editor")  # answers are cached per URL: nothing asked again
    assert len(receiver.hits) == asked


def test_redirects_are_followed_hop_by_hop(wire, receiver):
    from newswire.distribution.linkcheck import LinkChecker

    receiver.plan["/moved"] = [302]  # to /redirected, which answers 204
    [result] = LinkChecker(wire.settings).check([receiver.url("/moved")]).values()
    assert result.ok and [h.path for h in receiver.hits] == ["/moved", "/redirected"]


def test_links_go_through_the_ssrf_guard(client, wire, keys, sample, receiver):
    from newswire.distribution.linkcheck import LinkChecker

    strict = LinkChecker(wire.settings.with_overrides(webhook_allow_private=False))
    [result] = strict.check([receiver.url("/ok")]).values()
    assert not result.ok and result.detail.startswith("refused") and receiver.hits == []


def test_a_near_duplicate_of_an_earlier_release(client, wire, keys, sample, publish):
    earlier = publish()
    rid = draft(client, keys, sample, body=sample["body"] + "\n\nNow also in red.")
    [dup] = found(checks(client, keys, rid), "duplicate")
    assert dup["severity"] == "warning" and f"release {earlier.id}" in dup["message"]
    assert dup["quote"] == sample["headline"]
    other = draft(client, keys, sample, headline="Globex opens a plant in Lyon",
                  lead="Globex will build turbines in France.",
                  body="The plant employs 400 people and opens in spring, the company said on its website today.")
    assert found(checks(client, keys, other), "duplicate") == []


def test_another_issuers_unpublished_release_is_not_named(client, wire, keys, sample):
    theirs = draft(client, keys, {**sample, "issuer": "globex"}, who="editor")
    editor = wire.accounts.authenticate(keys["editor"])
    wire.releases.submit(editor, wire.listings.resolve(editor, theirs))  # its signature is stored
    rid = draft(client, keys, sample)
    assert found(checks(client, keys, rid), "duplicate") == []


def submitted_with_error(client, keys, sample) -> int:
    text, _ = MISMATCH["en"]
    rid = draft(client, keys, sample, body=text)
    assert client.post(f"/api/v1/releases/{rid}/submit", headers=auth(keys["acme"])).status_code == 200
    return rid


def test_errors_hold_approval_until_an_audited_override(client, wire, keys, sample):
    rid = submitted_with_error(client, keys, sample)
    stored = client.get(f"/api/v1/releases/{rid}/checks", headers=auth(keys["editor"])).json()["last_recorded"]
    assert [x["check"] for x in stored["results"] if x["severity"] == "error"] == ["weekday"]
    before = snapshot(wire.engine)
    body = assert_problem(client.post(f"/api/v1/releases/{rid}/approve", headers=auth(keys["editor"])), 409)
    assert [x["check"] for x in body["checks"]] == ["weekday"] and "override" in body["detail"]
    assert snapshot(wire.engine) == before
    assert_problem(client.post(f"/api/v1/releases/{rid}/approve", json={"override": "  "},
                               headers=auth(keys["editor"])), 422, "override")
    r = client.post(f"/api/v1/releases/{rid}/approve", json={"override": "The date is the event's, as planned"},
                    headers=auth(keys["editor"]))
    assert r.status_code == 200 and r.json()["status"] == "approved"
    [(_, detail)] = audit_actions(wire, "release.checks_override")
    assert detail["note"] == "The date is the event's, as planned" and detail["errors"][0]["check"] == "weekday"
    history = client.get(f"/api/v1/releases/{rid}/status", headers=auth(keys["acme"])).json()["history"]
    assert "release.checks_override" in [h["action"] for h in history]


def test_warnings_never_hold_approval(client, keys, sample):
    rid = draft(client, keys, sample, boilerplate="", headline="ACME UNVEILS THE ROCKET SKATE 3000")
    client.post(f"/api/v1/releases/{rid}/submit", headers=auth(keys["acme"]))
    r = client.post(f"/api/v1/releases/{rid}/approve", headers=auth(keys["editor"]))
    assert r.status_code == 200 and r.json()["status"] == "approved"


CHECKS = {"anonymous": 404, "subscriber": 404, "globex": 404, "acme": 200, "editor": 200, "admin": 200}


@pytest.mark.parametrize("who", ROLES)
def test_who_may_read_the_checks(client, keys, sample, publish, who):
    own = draft(client, keys, sample)
    published = publish().id
    headers = auth(None if who == "anonymous" else keys[who])
    for rid in (own, published):
        r = client.get(f"/api/v1/releases/{rid}/checks", headers=headers)
        assert r.status_code == CHECKS[who], r.text
        if r.status_code == 404:
            assert_problem(r, 404)
    assert_problem(client.get("/api/v1/releases/999999/checks", headers=headers), 404)


OVERRIDE = {"anonymous": 401, "subscriber": 404, "globex": 404, "acme": 403, "editor": 200, "admin": 200}


@pytest.mark.parametrize("who", ROLES)
def test_who_may_override(client, keys, sample, who):
    rid = submitted_with_error(client, keys, sample)
    r = client.post(f"/api/v1/releases/{rid}/approve", json={"override": "checked with the issuer"},
                    headers=auth(None if who == "anonymous" else keys[who]))
    assert r.status_code == OVERRIDE[who], r.text


def test_an_ambiguous_numeric_date_is_not_held_as_an_error(client, keys, sample):
    """03/01/2021 is 3 January in most of the world and 1 March in the US: a Monday either way? Only the
    latter; an error that holds a release must be certain, so an ambiguous date is not judged."""
    text = "Acme will meet its investors on Monday, 03/01/2021, in Berlin."
    rid = draft(client, keys, sample, body=text)
    assert found(checks(client, keys, rid), "weekday") == []
    text = "Acme will meet its investors on Monday, 25/01/2021, in Berlin."  # unambiguous, and a Monday
    assert found(checks(client, keys, draft(client, keys, sample, body=text)), "weekday") == []
    text = "Acme will meet its investors on Tuesday, 25/01/2021, in Berlin."  # unambiguous, and wrong
    assert [h["severity"] for h in found(checks(client, keys, draft(client, keys, sample, body=text)),
                                          "weekday")] == ["error"]
