"""The editor desk (/desk): who may open it, CSRF on every form, the queue, and every action on a
release through the release service (a refused one changes nothing and says why on the page)."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import auth
from desk_flow import flagged_release, submitted_release, translate_all, use_standin
from helpers import snapshot
from lxml import html as lhtml
from web_helpers import browser, csrf

from newswire.storage import releases as store

WRONG_DAY = "Acme said on Tuesday, November 23, 2026 that the skate ships."  # (a Monday: a pre-check error)


def tree(response):
    return lhtml.fromstring(response.text)


def status_of(wire, rid) -> str:
    with wire.engine.connect() as conn:
        return store.load(conn, rid).status.value


@pytest.fixture
def desk(signed_in):
    return signed_in("editor")


def test_every_desk_page_is_for_editors_and_admins_only(app, wire, editor, sample, signed_in):
    rid, _ = flagged_release(wire, editor, sample)
    pages = ["/desk", f"/desk/releases/{rid}", f"/desk/releases/{rid}/edit", f"/desk/releases/{rid}/history",
             f"/desk/releases/{rid}/translations/es"]
    anonymous = browser(app)
    issuer, subscriber = signed_in("issuer", issuer="acme"), signed_in("subscriber")
    editor_client, admin = signed_in("editor"), signed_in("admin")
    for url in pages:
        r = anonymous.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/signin?next="), url
        for refused in (issuer, subscriber):  # the release's own issuer too: the desk is not theirs
            r = refused.get(url)
            assert r.status_code == 403 and "Not allowed" in r.text, url
        for staff in (editor_client, admin):
            assert staff.get(url).status_code == 200, url
    assert editor_client.get("/desk/releases/999").status_code == 404
    assert editor_client.get(f"/desk/releases/{rid}/translations/fr").status_code == 404


def test_every_desk_form_refuses_a_missing_or_wrong_csrf_token_and_other_roles(app, wire, editor, keys, sample,
                                                                                signed_in, desk):
    rid, seg = flagged_release(wire, editor, sample)
    sub = submitted_release(wire, keys, sample)
    forms = {f"/desk/releases/{sub}/approve": {}, f"/desk/releases/{sub}/send-back": {"note": "x"},
             f"/desk/releases/{sub}/publish": {}, f"/desk/releases/{sub}/withdraw": {"reason": "x"},
             f"/desk/releases/{sub}/schedule": {"embargo_until": "2099-01-01T09:00", "time_zone": "UTC"},
             f"/desk/releases/{sub}/edit": {"headline": "Changed"},
             f"/desk/releases/{rid}/correct": {"correction_note": "x", "headline": "Changed"},
             f"/desk/releases/{rid}/translations/es/segments": {"segment": seg["id"], "text": "x"}}
    issuer = signed_in("issuer", issuer="acme")
    issuer_token = csrf(issuer.get("/account"))
    before = snapshot(wire.engine)
    for url, data in forms.items():
        assert desk.post(url, data=data).status_code == 403, url
        assert desk.post(url, data={**data, "csrf": "forged"}).status_code == 403, url
        assert browser(app).post(url, data={**data, "csrf": "x"}).status_code == 403, url
        r = issuer.post(url, data={**data, "csrf": issuer_token})
        assert r.status_code == 403 and "Not allowed" in r.text, url
    assert snapshot(wire.engine) == before


def test_the_queue_in_release_time_order_with_checks_flags_and_filters(wire, editor, keys, sample, clock, desk):
    use_standin(wire)
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
    clock.set(start)
    submitted_release(wire, keys, sample, headline="First submitted", lead=WRONG_DAY)
    soon = wire.releases.create(editor, {**sample, "issuer": "acme", "headline": "Scheduled soon"})
    wire.releases.publish(editor, soon.id, (start + dt.timedelta(minutes=3)).isoformat())
    clock.advance(minutes=2)
    second = submitted_release(wire, keys, sample, headline="Second submitted")
    wire.releases.approve(editor, second)
    later = wire.releases.create(editor, {**sample, "issuer": "globex", "headline": "Scheduled later",
                                          "target_languages": ["es"]})
    wire.releases.publish(editor, later.id, (start + dt.timedelta(hours=2)).isoformat())
    wire.releases.create(editor, {**sample, "issuer": "acme", "headline": "Only a draft"})
    live = wire.releases.create(editor, {**sample, "issuer": "acme", "headline": "Out already"})
    wire.releases.publish(editor, live.id)
    [row] = translate_all(wire)
    assert row.flagged == 1

    page = tree(desk.get("/desk"))
    queue = page.xpath("//table[contains(@class,'desk-queue')]/tbody/tr")
    assert [r.xpath("td[2]/a/text()")[0] for r in queue] == [  # submitted 9:00, 9:02; embargoes 9:03, 11:00
        "First submitted", "Second submitted", "Scheduled soon", "Scheduled later"]
    assert "Errors: 1" in queue[0].text_content() and "no errors" in queue[2].text_content()
    assert "es: review" in queue[3].text_content() and "Flagged: 1" in queue[3].text_content()
    assert page.xpath("//ul[@class='desk-recent']//a/text()") == ["Out already"]
    assert page.xpath("//nav[@class='desk-nav']//a[@href='/requests']/text()") == ["Requests from issuers"]
    assert "Only a draft" not in desk.get("/desk").text

    def listed(query):
        return [r.xpath("td[2]/a/text()")[0] for r in tree(desk.get("/desk?" + query)).xpath(
            "//table[contains(@class,'desk-queue')]/tbody/tr")]

    assert listed("status=scheduled") == ["Scheduled soon", "Scheduled later"]
    assert listed("issuer=globex") == ["Scheduled later"]
    assert listed("language=de") == [] and listed("status=approved&issuer=acme") == ["Second submitted"]
    r = desk.get("/desk?status=draft&issuer=nobody&language=xx")
    assert r.status_code == 422
    errors = tree(r).xpath("//p[@class='error']/text()")
    assert len(errors) == 3 and "there is no issuer 'nobody'" in " ".join(errors)


def test_approve_and_the_conflicts_it_explains(wire, editor, keys, sample, desk):
    draft = wire.releases.create(editor, {**sample, "issuer": "acme"}).id
    url = f"/desk/releases/{draft}"
    before = snapshot(wire.engine)
    r = desk.post(url + "/approve", data={"csrf": csrf(desk.get(url))})
    assert r.status_code == 409 and "Cannot approve a release that is draft" in r.text
    assert tree(r).xpath("//div[@class='form-error']") and snapshot(wire.engine) == before

    held = submitted_release(wire, keys, sample, lead=WRONG_DAY)
    url = f"/desk/releases/{held}"
    before = snapshot(wire.engine)
    r = desk.post(url + "/approve", data={"csrf": csrf(desk.get(url))})
    assert r.status_code == 409 and "weekday" in r.text
    assert tree(r).xpath("//div[contains(@class,'invalid')]/textarea[@name='override']")
    assert snapshot(wire.engine) == before
    r = desk.post(url + "/approve", data={"csrf": csrf(desk.get(url)), "override": "The issuer confirmed the date"},
                  follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{url}?done=approve"
    assert status_of(wire, held) == "approved"
    assert "The release was approved." in desk.get(r.headers["location"]).text
    actions = [h["action"] for h in wire.releases.history(editor, held)]
    assert actions[-2:] == ["release.checks_override", "release.approve"]


def test_send_back_with_a_note_the_issuer_reads(client, wire, keys, sample, desk):
    rid = submitted_release(wire, keys, sample)
    url = f"/desk/releases/{rid}"
    before = snapshot(wire.engine)
    r = desk.post(url + "/send-back", data={"csrf": csrf(desk.get(url)), "note": "   "})
    assert r.status_code == 422 and tree(r).xpath("//textarea[@name='note'][@aria-invalid='true']")
    assert snapshot(wire.engine) == before
    r = desk.post(url + "/send-back", data={"csrf": csrf(desk.get(url)), "note": "Add the price, please."})
    assert r.status_code == 200 and status_of(wire, rid) == "draft"  # (the redirect followed)
    history = client.get(f"/api/v1/releases/{rid}/status", headers=auth(keys["acme"])).json()["history"]
    assert history[-1]["action"] == "release.send_back" and history[-1]["detail"]["note"] == "Add the price, please."
    page = desk.get(url + "/history")
    assert "Sent back to the issuer" in page.text and "Add the price, please." in page.text
    assert desk.user.name in page.text


def test_schedule_in_a_time_zone_move_it_and_publish_when_due(wire, editor, keys, sample, clock, desk):
    clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc))
    rid = submitted_release(wire, keys, sample)
    wire.releases.approve(editor, rid)
    url = f"/desk/releases/{rid}"

    def schedule(when, zone):
        return desk.post(url + "/schedule", data={"csrf": csrf(desk.get(url)), "embargo_until": when,
                                                  "time_zone": zone})

    before = snapshot(wire.engine)
    for when, zone, field in (("2026-12-01T08:00", "UTC", "embargo_until"),  # in the past
                              ("tomorrow", "UTC", "embargo_until"), ("2026-12-02T09:00", "Mars/Olympus", "time_zone"),
                              ("2027-03-28T02:30", "Europe/Berlin", "embargo_until")):  # skipped by the clocks
        r = schedule(when, zone)
        assert r.status_code == 422, (when, zone)
        assert tree(r).xpath(f"//*[@name='{field}'][@aria-invalid='true']"), (when, zone)
        assert tree(r).xpath("//*[@name='time_zone']/option[@selected]/@value") == [zone]  # what was typed
    assert snapshot(wire.engine) == before

    assert schedule("2026-12-02T09:00", "Asia/Tokyo").status_code == 200
    r = wire.releases.get(editor, rid)
    assert r.status.value == "scheduled" and r.embargo_until == dt.datetime(2026, 12, 2, 0, 0, tzinfo=dt.timezone.utc)
    assert schedule("2026-12-02T10:30", "Europe/Berlin").status_code == 200  # moved
    r = wire.releases.get(editor, rid)
    assert r.status.value == "scheduled" and r.embargo_until == dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.timezone.utc)
    clock.set(dt.datetime(2026, 12, 2, 9, 30, 1, tzinfo=dt.timezone.utc))
    assert wire.releases.release_due() == [rid]
    assert status_of(wire, rid) == "published"


def test_publish_now_edit_correct_and_withdraw(wire, editor, keys, sample, desk):
    rid = submitted_release(wire, keys, sample)
    url = f"/desk/releases/{rid}"
    edit = tree(desk.get(url + "/edit"))
    values = {f.get("name"): f.get("value") or (f.text or "") for f in edit.xpath("//form//input | //form//textarea")}
    values.update({f.get("name"): f.xpath("option[@selected]/@value")[0] for f in edit.xpath("//form//select")})
    assert values["headline"] == sample["headline"] and values["body_format"] == "markdown"

    before = snapshot(wire.engine)
    r = desk.post(url + "/edit", data={**values, "headline": ""})
    assert r.status_code == 422 and tree(r).xpath("//input[@name='headline'][@aria-invalid='true']")
    assert snapshot(wire.engine) == before
    assert desk.post(url + "/edit", data=values).status_code == 200  # nothing changed: no new version
    assert snapshot(wire.engine) == before
    assert desk.post(url + "/edit", data={**values, "headline": "Acme ships the Rocket Skate 3000"}).status_code == 200
    r = wire.releases.get(editor, rid)
    assert r.current.number == 2 and r.content.headline == "Acme ships the Rocket Skate 3000"
    assert r.content.lead == sample["lead"] and r.content.body_format == "markdown"

    wire.releases.approve(editor, rid)
    assert desk.post(url + "/publish", data={"csrf": values["csrf"]}).status_code == 200
    assert status_of(wire, rid) == "published"

    correction = tree(desk.get(url + "/edit"))
    assert correction.xpath(f"//form[@action='/desk/releases/{rid}/correct']")
    before = snapshot(wire.engine)
    r = desk.post(url + "/correct", data={**values, "lead": "Acme today shipped its new skate."})
    assert r.status_code == 422 and tree(r).xpath("//textarea[@name='correction_note'][@aria-invalid='true']")
    assert tree(r).xpath("//textarea[@name='lead']/text()") == ["Acme today shipped its new skate."]
    assert snapshot(wire.engine) == before
    r = desk.post(url + "/correct", data={**values, "lead": "Acme today shipped its new skate.",
                                          "correction_note": "The skate has shipped."})
    assert r.status_code == 200 and "The correction was published." in r.text
    r = wire.releases.get(editor, rid)
    assert r.status.value == "corrected" and r.content.lead == "Acme today shipped its new skate."

    before = snapshot(wire.engine)
    assert desk.post(url + "/withdraw", data={"csrf": values["csrf"], "reason": ""}).status_code == 422
    assert desk.post(url + "/approve", data={"csrf": values["csrf"]}).status_code == 409
    assert snapshot(wire.engine) == before
    r = desk.post(url + "/withdraw", data={"csrf": values["csrf"], "reason": "Published in error"})
    assert r.status_code == 200 and status_of(wire, rid) == "withdrawn"
    page = tree(r)
    assert not page.xpath("//form[contains(@action,'/withdraw')]")  # nothing left to do
    before = snapshot(wire.engine)
    r = desk.post(url + "/publish", data={"csrf": values["csrf"]})
    assert r.status_code == 409 and "Cannot publish a release that is withdrawn" in r.text
    assert snapshot(wire.engine) == before
    history = [x.text_content() for x in tree(desk.get(url + "/history")).xpath("//tbody/tr/td[3]")]
    assert history == ["Release created", "Submitted", "Edited", "Approved", "Published", "Corrected", "Withdrawn"]


def test_the_desk_pages_speak_the_page_language_with_unique_ids(wire, editor, keys, sample, desk):
    rid, _ = flagged_release(wire, editor, sample)
    sub = submitted_release(wire, keys, sample)
    pages = ["/desk", f"/desk/releases/{sub}", f"/desk/releases/{rid}", f"/desk/releases/{rid}/edit",
             f"/desk/releases/{rid}/history", f"/desk/releases/{rid}/translations/es"]
    for lang, heading in (("ar", "مكتب التحرير"), ("ja", "編集デスク")):
        for url in pages:
            r = desk.get(f"{url}?lang={lang}")
            assert r.status_code == 200 and r.headers["content-language"] == lang, url
            page = tree(r)
            assert page.get("lang") == lang and page.get("dir") == ("rtl" if lang == "ar" else "ltr")
            ids = page.xpath("//@id")
            assert len(ids) == len(set(ids)), (url, sorted(i for i in ids if ids.count(i) > 1))
            for label in page.xpath("//label[@for]"):
                assert page.xpath(f"//*[@id='{label.get('for')}']"), (url, label.get("for"))
        assert heading in desk.get(f"/desk?lang={lang}").text
    assert "Approve" not in desk.get(f"/desk/releases/{sub}?lang=ja").text  # every label translated
