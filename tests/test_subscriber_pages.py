"""The subscriber pages' rules: who opens which page (anonymous → sign-in, other roles → 403,
another subscriber's things → 404), CSRF on every form, preferences and e-mail timing saved
through the services, unsubscribe from all e-mail in one click, and an admin inviting an outlet."""

from __future__ import annotations

import pytest
from helpers import snapshot
from smtp_sink import add_journalist
from subscriber_flow import mail_settings, outlet
from web_helpers import PASSWORD, browser, csrf, person, sign_in

from newswire.storage import subscribers as subs
from newswire.storage import users as user_store

PAGES = ("/subscriber", "/subscriber/endpoints")
# every form of the subscriber area, with a body that would change something
FORMS = {
    "/subscriber": {"languages": ["de"], "timezone": "UTC", "delivery": "instant"},
    "/subscriber/unsubscribe": {},
    "/subscriber/resume": {},
    "/subscriber/confirmation": {},
    "/subscriber/endpoints": {"url": "https://93.184.215.14/in", "format": "ninjs"},
    "/subscriber/endpoints/{eid}/test": {},
    "/subscriber/endpoints/{eid}/rotate": {},
    "/subscriber/endpoints/{eid}/enable": {},
    "/subscriber/endpoints/{eid}/delete": {},
    "/subscriber/endpoints/deliveries/1/replay": {},
    "/subscriber/endpoints/keys": {"name": "CMS"},
    "/subscriber/endpoints/keys/1/revoke": {},
}


@pytest.fixture
def settings(tmp_path, database_url, smtp):
    return mail_settings(tmp_path, database_url, smtp)


def _journalist(wire, app, address="ada@paper.test", **prefs):
    eid, _ = add_journalist(wire, address, **prefs)
    with wire.engine.connect() as conn:
        sid = subs.get_endpoint_row(conn, eid).subscriber_id
    user = person(wire, "subscriber", subscriber_id=sid, email=address)
    c = browser(app)
    sign_in(c, user.email)
    c.user, c.sid, c.eid = user, sid, eid
    return c


def _webhook(wire, client, url="https://93.184.215.14/in"):
    issued = wire.subscriptions.add_endpoint(client.user.principal, client.sid, {"channel": "webhook", "url": url})
    return issued.endpoint.id


def test_pages_refuse_the_signed_out_and_other_roles(app, wire, signed_in):
    anonymous = browser(app)
    for page in PAGES:
        r = anonymous.get(page, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/signin?next=%2Fsubscriber"), page
    assert anonymous.get("/subscribe").status_code == 200  # the one public page
    for role, issuer in (("admin", None), ("editor", None), ("issuer", "acme")):
        c = signed_in(role, issuer)
        for page in PAGES:
            assert c.get(page).status_code == 403, (role, page)
    unlinked = signed_in("subscriber")  # a subscriber account not linked to a subscription
    for page in PAGES:
        r = unlinked.get(page)
        assert r.status_code == 403 and "not linked" in r.text


def test_forms_refuse_other_roles_and_anonymous(app, wire, signed_in):
    for role, issuer in (("editor", None), ("issuer", "acme")):
        c = signed_in(role, issuer)
        token = csrf(c.get("/account"))
        before = snapshot(wire.engine)
        for action, data in FORMS.items():
            r = c.post(action.format(eid=1), data={"csrf": token, **data})
            assert r.status_code == 403, (role, action)
        assert snapshot(wire.engine) == before
    anonymous = browser(app)
    token = csrf(anonymous.get("/subscribe"))
    before = snapshot(wire.engine)
    for action, data in FORMS.items():
        r = anonymous.post(action.format(eid=1), data={"csrf": token, **data}, follow_redirects=False)
        assert r.status_code == 401, action
    assert snapshot(wire.engine) == before


def test_every_form_needs_its_csrf_token(app, wire, keys):
    c = outlet(wire, app)
    eid = _webhook(wire, c)
    before = snapshot(wire.engine)
    for action, data in FORMS.items():
        for token in (None, "forged"):
            body = {**data, **({"csrf": token} if token else {})}
            r = c.post(action.format(eid=eid), data=body)
            assert r.status_code == 403 and "Nothing was changed" in r.text, action
    for action in ("/subscribe", "/subscribe/resend", "/subscribe/confirm/whatever"):
        r = browser(app).post(action, data={"email": "ada@paper.test", "name": "Ada", "password": PASSWORD,
                                            "password_again": PASSWORD})
        assert r.status_code == 403, action
    assert snapshot(wire.engine) == before


def test_another_subscribers_things_are_404(app, wire, keys):
    ours, theirs = outlet(wire, app, "Ours"), outlet(wire, app, "Theirs")
    their_endpoint = _webhook(wire, theirs)
    their_key = wire.outlets.create_key(theirs.user.principal, theirs.sid, "their CMS")
    with wire.engine.connect() as conn:
        (key_row,) = subs.subscriber_keys(conn, theirs.sid)
    token = csrf(ours.get("/subscriber/endpoints"))
    before = snapshot(wire.engine)
    for action in ("test", "rotate", "enable", "delete"):
        r = ours.post(f"/subscriber/endpoints/{their_endpoint}/{action}", data={"csrf": token})
        assert r.status_code == 404, action
    assert ours.post(f"/subscriber/endpoints/keys/{key_row.id}/revoke", data={"csrf": token}).status_code == 404
    assert ours.post("/subscriber/endpoints/deliveries/1/replay", data={"csrf": token}).status_code == 404
    assert snapshot(wire.engine) == before
    assert their_key and "their CMS" not in ours.get("/subscriber/endpoints").text


def test_preferences_and_digest_are_saved(app, wire, keys):
    c = _journalist(wire, app)
    page = c.get("/subscriber")
    assert page.status_code == 200 and "each release at once" in page.text
    r = c.post("/subscriber", data={"csrf": csrf(page), "languages": ["en", "de"], "industries": ["medtop:04000000"],
                                    "regions": ["KR"], "issuers": ["globex"], "delivery": "digest",
                                    "digest_hour": "7", "timezone": "Asia/Seoul"}, follow_redirects=False)
    assert r.status_code == 303
    with wire.engine.connect() as conn:
        sub, row = subs.get_subscriber(conn, c.sid), subs.get_endpoint_row(conn, c.eid)
    p = sub.preferences
    assert (p.languages, p.industries, p.regions, p.issuers, sub.timezone, row.digest_hour) == (
        ("en", "de"), ("medtop:04000000",), ("KR",), ("globex",), "Asia/Seoul", 7)
    page = c.get("/subscriber")
    assert "one daily digest at 07:00 (Asia/Seoul)" in page.text
    assert '<option value="medtop:04000000" selected>' in page.text

    before = snapshot(wire.engine)
    r = c.post("/subscriber", data={"csrf": csrf(page), "languages": ["xx"], "delivery": "digest",
                                    "digest_hour": "25", "timezone": "Asia/Seoul"})
    assert r.status_code == 422 and "whole number from 0 to 23" in r.text
    r = c.post("/subscriber", data={"csrf": csrf(page), "languages": ["xx"], "timezone": "Asia/Seoul",
                                    "industries": ["medtop:04000000"], "delivery": "instant"})
    assert r.status_code == 422 and "is not a wire language" in r.text
    assert '<option value="medtop:04000000" selected>' in r.text  # what was typed, shown again
    assert snapshot(wire.engine) == before
    r = c.post("/subscriber", data={"csrf": csrf(page), "timezone": "UTC", "delivery": "instant"},
               follow_redirects=False)
    with wire.engine.connect() as conn:
        assert subs.get_endpoint_row(conn, c.eid).digest_hour is None


def test_unsubscribe_from_all_email_in_one_click_and_resume(app, wire, keys):
    c = _journalist(wire, app)
    page = c.get("/subscriber")
    r = c.post("/subscriber/unsubscribe", data={"csrf": csrf(page)}, follow_redirects=False)
    assert r.status_code == 303
    with wire.engine.connect() as conn:
        row = subs.get_endpoint_row(conn, c.eid)
    assert (row.status, row.disabled_reason) == ("disabled", "unsubscribed")
    page = c.get("/subscriber?unsubscribed=1")
    assert "You are unsubscribed from all e-mail" in page.text and "Start e-mail again" in page.text
    c.post("/subscriber/resume", data={"csrf": csrf(page)})
    with wire.engine.connect() as conn:
        assert subs.get_endpoint_row(conn, c.eid).status == "active"


def test_admin_invites_an_outlet_whose_person_manages_it(app, wire, keys, smtp, signed_in):
    admin = signed_in("admin")
    page = admin.get("/account/people")
    assert 'name="outlet"' in page.text
    before = snapshot(wire.engine)
    r = admin.post("/account/people", data={"csrf": csrf(page), "email": "not an address", "role": "subscriber",
                                            "outlet": "Daily Planet", "language": "en"})
    assert r.status_code == 422 and "Daily Planet" in r.text and snapshot(wire.engine) == before
    r = admin.post("/account/people", data={"csrf": csrf(page), "email": "desk@planet.test", "role": "subscriber",
                                            "outlet": "Daily Planet", "language": "en"})
    assert r.status_code == 200 and "desk@planet.test" in r.text
    (mail,) = smtp.to("desk@planet.test")
    path = "/invitations/" + mail.get_content().split("/invitations/")[1].split()[0]
    person_ = browser(app)
    form = person_.get(path)
    r = person_.post(path, data={"csrf": csrf(form), "name": "Perry White", "password": PASSWORD,
                                 "password_again": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/subscriber"
    with wire.engine.connect() as conn:
        user = user_store.to_user(user_store.find_by_email(conn, "desk@planet.test"))
        sub = subs.get_subscriber(conn, user.subscriber_id)
    assert (user.role.value, sub.kind.value, sub.name) == ("subscriber", "outlet", "Daily Planet")
    assert person_.get("/subscriber/endpoints").status_code == 200


def test_outlet_invitation_is_not_sent_when_the_mail_server_is_down(app, wire, keys, smtp, signed_in):
    admin = signed_in("admin")
    page = admin.get("/account/people")
    smtp.stop()
    before = snapshot(wire.engine)
    r = admin.post("/account/people", data={"csrf": csrf(page), "email": "desk@planet.test", "role": "subscriber",
                                            "outlet": "Daily Planet", "language": "en"})
    assert r.status_code == 503 and snapshot(wire.engine) == before  # no outlet without its invitation
    smtp.start()
