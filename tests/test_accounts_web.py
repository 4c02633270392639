"""Accounts in the browser: sign-in, sessions and their cookies, CSRF, password reset and
invitations through a real SMTP server (aiosmtpd), personal API keys, roles on every account page."""

from __future__ import annotations

import re
import threading

import pytest
import sqlalchemy as sa
from helpers import until_sync
from web_helpers import PASSWORD, browser, csrf, person, sign_in, submit

from newswire.domain.models import Notice
from newswire.storage.tables import account_tokens, api_keys, users, web_sessions

LINK = re.compile(r"https?://\S+/(reset|invitations)/(\S+)")


@pytest.fixture
def settings(settings, smtp):
    return settings.with_overrides(smtp_url=f"smtp://127.0.0.1:{smtp.port}", mail_from="Newswire <wire@newswire.test>")


def count(wire, table) -> int:
    with wire.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def mailed_link(smtp, address: str) -> str:
    messages = smtp.to(address)
    assert messages, f"no e-mail to {address}"
    found = LINK.search(messages[-1].get_content())
    assert found, messages[-1].get_content()
    return f"/{found.group(1)}/{found.group(2)}"


def test_sign_in_sets_a_secure_http_only_lax_session_cookie(app, wire, keys):
    user = person(wire, "issuer", issuer="acme")
    c = browser(app)
    r = sign_in(c, user.email)
    assert r.headers["location"] == "/portal"
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("nw_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    page = c.get("/account")
    assert page.status_code == 200 and user.email in page.text
    assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"
    # Only a hash of the token is kept: the cookie's value is not in the table.
    token = c.cookies["nw_session"]
    with wire.engine.connect() as conn:
        ids = conn.execute(sa.select(web_sessions.c.id)).scalars().all()
    assert token not in ids and len(ids) == 1


def test_a_wrong_password_re_shows_the_form_and_changes_nothing(app, wire, keys):
    user = person(wire, "editor")
    c = browser(app)
    page = c.get("/signin")
    r = c.post("/signin", data={"csrf": csrf(page), "email": user.email, "password": "not the password"})
    assert r.status_code == 401
    assert f'value="{user.email}"' in r.text and "not right" in r.text
    assert count(wire, web_sessions) == 0 and "nw_session" not in c.cookies
    unknown = c.post("/signin", data={"csrf": csrf(page), "email": "nobody@example.com", "password": "x" * 12})
    assert unknown.status_code == 401 and "not right" in unknown.text  # the same answer: no account is revealed


def test_sign_in_always_opens_a_new_session(app, wire, keys):
    """Session fixation: a session token planted before sign-in, or an earlier session's, is not reused."""
    user = person(wire, "editor")
    c = browser(app)
    c.cookies.set("nw_session", "planted-by-an-attacker", domain="testserver.local")
    sign_in(c, user.email)
    first = c.cookies["nw_session"]
    assert first != "planted-by-an-attacker"
    other = browser(app)
    sign_in(other, user.email)
    assert other.cookies["nw_session"] != first and count(wire, web_sessions) == 2


def test_sign_out_ends_the_session_on_the_server(app, wire, keys):
    user = person(wire, "admin")
    c = browser(app)
    sign_in(c, user.email)
    token = c.cookies["nw_session"]
    r = submit(c, "/account", "/signout", {}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    replay = browser(app)
    replay.cookies.set("nw_session", token, domain="testserver.local")  # a copy of the old cookie
    assert replay.get("/account", follow_redirects=False).status_code == 303
    assert count(wire, web_sessions) == 0


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(app, wire, keys):
    user = person(wire, "issuer", issuer="acme")
    c = browser(app)
    sign_in(c, user.email)
    before = count(wire, api_keys)
    for data in ({"name": "cms"}, {"name": "cms", "csrf": "forged"}):
        r = c.post("/account/keys", data=data)
        assert r.status_code == 403 and "Nothing was changed" in r.text and "<!doctype html>" in r.text
    # Another person's valid token does not open this person's forms.
    stranger = browser(app)
    stranger_token = csrf(stranger.get("/signin"))
    assert c.post("/account/keys", data={"name": "cms", "csrf": stranger_token}).status_code == 403
    assert count(wire, api_keys) == before
    # Signed out: the sign-in form's token is bound to the visitor's own cookie.
    assert browser(app).post("/signin", data={"csrf": stranger_token, "email": user.email,
                                              "password": PASSWORD}).status_code == 403
    assert count(wire, web_sessions) == 1


def test_password_reset_by_e_mail_works_once(app, wire, keys, smtp, clock):
    user = person(wire, "editor")
    other_device = browser(app)
    sign_in(other_device, user.email)
    c = browser(app)
    r = submit(c, "/reset", "/reset", {"email": user.email.upper()})
    assert r.status_code == 200 and "on its way" in r.text
    link = mailed_link(smtp, user.email)
    message = smtp.to(user.email)[-1]
    assert message["Subject"] == "Reset your Newswire password" and message["From"] == "Newswire <wire@newswire.test>"
    short = submit(c, link, link, {"password": "short", "password_again": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    done = submit(c, link, link, {"password": "a brand new passphrase", "password_again": "a brand new passphrase"},
                  follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/signin?reset=1"
    again = c.get(link)
    assert again.status_code == 404 and "has been used or has expired" in again.text
    assert other_device.get("/account", follow_redirects=False).status_code == 303  # every session ended
    sign_in(browser(app), user.email, "a brand new passphrase")
    old = browser(app)
    page = old.get("/signin")
    assert old.post("/signin", data={"csrf": csrf(page), "email": user.email, "password": PASSWORD}).status_code == 401


def test_a_reset_link_expires_and_an_unknown_address_gets_no_mail(app, wire, keys, smtp, clock):
    user = person(wire, "editor")
    c = browser(app)
    submit(c, "/reset", "/reset", {"email": "nobody@example.com"})
    assert smtp.received == [] and count(wire, account_tokens) == 0
    submit(c, "/reset", "/reset", {"email": user.email})
    link = mailed_link(smtp, user.email)
    clock.advance(hours=2, minutes=1)
    assert c.get(link).status_code == 404
    bad = submit(c, "/reset", "/reset", {"email": "not an address"})
    assert bad.status_code == 422 and 'value="not an address"' in bad.text


def test_when_the_mail_server_is_down_nothing_is_stored(app, wire, keys, smtp):
    user = person(wire, "editor")
    smtp.stop()
    c = browser(app)
    r = submit(c, "/reset", "/reset", {"email": user.email})
    assert r.status_code == 503 and "could not be sent" in r.text and f'value="{user.email}"' in r.text
    assert count(wire, account_tokens) == 0


def test_a_hung_mail_server_holds_no_write_transaction_open(wire, smtp):
    """The link is mailed before its token is stored (services/links.py): while the SMTP server
    sits on a reset mail, other writers (on SQLite, the release clock too) are not kept waiting."""
    user = person(wire, "editor")
    smtp.hold = threading.Event()
    reset = threading.Thread(target=wire.users.request_reset,
                             args=(user.email, lambda link, language: Notice(subject="Reset", text=link)))
    written = []
    writer = threading.Thread(target=lambda: written.append(wire.accounts.create_issuer("initech", "Initech")))
    reset.start()
    try:
        until_sync(lambda: smtp.holding)
        writer.start()
        until_sync(lambda: written or not writer.is_alive())
        assert written and reset.is_alive() and count(wire, account_tokens) == 0
    finally:
        smtp.hold.set()
        reset.join()
        writer.join()
    assert count(wire, account_tokens) == 1 and mailed_link(smtp, user.email).startswith("/reset/")


def test_an_admin_invites_an_editor_who_accepts_once(app, wire, keys, smtp, signed_in):
    admin = signed_in("admin")
    r = submit(admin, "/account/people", "/account/people",
               {"email": "new.editor@example.com", "role": "editor", "issuer": "", "language": "de"})
    assert r.status_code == 200 and "new.editor@example.com" in r.text
    message = smtp.to("new.editor@example.com")[-1]
    assert admin.user.name in message["Subject"] and "eingeladen" in message["Subject"]  # in the invitee's language
    link = mailed_link(smtp, "new.editor@example.com")
    guest = browser(app)
    page = guest.get(link)
    assert page.status_code == 200 and "new.editor@example.com" in page.text
    mismatch = guest.post(link, data={"csrf": csrf(page), "name": "Eve", "language": "de", "password": PASSWORD,
                                      "password_again": "something else"})
    assert mismatch.status_code == 422 and 'value="Eve"' in mismatch.text and count(wire, users) == 1
    done = guest.post(link, data={"csrf": csrf(page), "name": "Eve", "language": "de", "password": PASSWORD,
                                  "password_again": PASSWORD}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/desk"
    account = guest.get("/account")
    assert "Eve" in account.text and 'lang="de"' in account.text  # her pages are in German
    assert browser(app).get(link).status_code == 404  # the invitation works once
    assert wire.users.everyone()[-1].role.value == "editor"


def test_an_issuer_invites_colleagues_of_its_own_issuer_only(app, wire, keys, smtp, signed_in):
    acme = signed_in("issuer", issuer="acme")
    # The form offers no role to an issuer's user; a forged one is ignored: the colleague is an acme issuer user.
    submit(acme, "/account/people", "/account/people", {"email": "colleague@acme.example", "role": "admin"})
    link = mailed_link(smtp, "colleague@acme.example")
    invitation = wire.users.invitation(link.rsplit("/", 1)[1])
    assert invitation.role.value == "issuer" and invitation.issuer_name == "Acme Corporation"
    taken = submit(acme, "/account/people", "/account/people", {"email": acme.user.email})
    assert taken.status_code == 409 and "has an account already" in taken.text


@pytest.mark.parametrize("role", ["editor", "subscriber"])
def test_only_admins_and_issuers_see_the_people_page(signed_in, role, smtp):
    c = signed_in(role)
    assert c.get("/account/people").status_code == 403
    r = c.post("/account/people", data={"csrf": csrf(c.get("/account")), "email": "x@example.com", "role": "admin"})
    assert r.status_code == 403 and smtp.received == []


@pytest.mark.parametrize("path", ["/account", "/account/people"])
def test_account_pages_send_the_signed_out_to_sign_in(app, path):
    r = browser(app).get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/signin?next={path.replace('/', '%2F')}"


@pytest.mark.parametrize("action", ["/account/keys", "/account/keys/1/revoke", "/account/language",
                                    "/account/password", "/account/people", "/signout"])
def test_account_forms_refuse_the_signed_out(app, action):
    c = browser(app)
    token = csrf(c.get("/signin"))
    r = c.post(action, data={"csrf": token, "name": "x", "email": "x@example.com"}, follow_redirects=False)
    assert r.status_code in (401, 403) or (action == "/signout" and r.status_code == 303)


def test_personal_api_keys_act_as_their_person_until_revoked(app, wire, keys, signed_in):
    acme = signed_in("issuer", issuer="acme")
    r = submit(acme, "/account", "/account/keys", {"name": "newsroom CMS"})
    token = re.search(r'<code class="token">(nw_[^<]+)</code>', r.text).group(1)
    api = browser(app)
    created = api.post("/api/v1/releases", headers={"Authorization": f"Bearer {token}"},
                       json={"headline": "Acme ships", "body": "Big news.", "language": "en",
                             "dateline": {"city": "Berlin"}})
    assert created.status_code == 201, created.text
    assert created.json()["issuer"] == "acme"  # the key acts for the user's own issuer
    key_id = int(re.search(r'/account/keys/(\d+)/revoke', acme.get("/account").text).group(1))
    # Someone else cannot revoke it.
    other = signed_in("issuer", issuer="acme")
    assert submit(other, "/account", f"/account/keys/{key_id}/revoke", {}).status_code == 404
    assert api.get("/api/v1/releases", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    submit(acme, "/account", f"/account/keys/{key_id}/revoke", {})
    wire.accounts.forget_keys()
    assert api.get("/api/v1/releases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    blank = submit(acme, "/account", "/account/keys", {"name": " "})
    assert blank.status_code == 422 and "give the key a name" in blank.text


def test_the_account_page_changes_language_and_password(app, wire, keys, signed_in):
    c = signed_in("editor")
    r = submit(c, "/account", "/account/language", {"language": "ja"})
    assert 'lang="ja"' in r.text
    wrong = submit(c, "/account", "/account/password", {"current": "wrong", "password": "x", "password_again": "x"})
    assert wrong.status_code == 422 and "is not your current password" in wrong.text
    ok = submit(c, "/account", "/account/password", {"current": PASSWORD, "password": "another good passphrase",
                                                     "password_again": "another good passphrase"})
    assert ok.status_code == 200 and c.get("/account").status_code == 200  # this session stays
    sign_in(browser(app), c.user.email, "another good passphrase")


def test_next_after_sign_in_stays_on_this_site(app, wire, keys):
    user = person(wire, "editor")
    for target, expected in (("/account", "/account"), ("https://evil.example/", "/desk"), ("//evil.example", "/desk"),
                             ("/\\evil.example", "/desk")):
        c = browser(app)
        page = c.get(f"/signin?next={target}")
        r = c.post("/signin", data={"csrf": csrf(page), "email": user.email, "password": PASSWORD, "next": target},
                   follow_redirects=False)
        assert r.headers["location"] == expected


def test_sessions_expire_after_the_idle_time(app, wire, keys, clock):
    user = person(wire, "editor")
    c = browser(app)
    sign_in(c, user.email)
    clock.advance(days=13)
    assert c.get("/account", follow_redirects=False).status_code == 200  # used: the end moves forward
    clock.advance(days=13)
    assert c.get("/account", follow_redirects=False).status_code == 200
    clock.advance(days=15)
    assert c.get("/account", follow_redirects=False).status_code == 303


def test_the_signed_in_pages_follow_the_browser_language(app, wire, keys):
    user = person(wire, "editor", language="en")
    c = browser(app)
    assert 'lang="fr"' in c.get("/signin", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}).text
    assert 'lang="zh-Hant"' in c.get("/signin", headers={"Accept-Language": "zh-TW"}).text
    sign_in(c, user.email)
    assert 'lang="en"' in c.get("/account", headers={"Accept-Language": "fr"}).text  # the user's own choice wins


def test_five_wrong_passwords_rest_the_account_until_a_reset_or_the_wait(app, wire, keys, smtp, clock):
    user = person(wire, "editor")
    c = browser(app)
    token = csrf(c.get("/signin"))

    def attempt(password):
        return c.post("/signin", data={"csrf": token, "email": user.email, "password": password},
                      follow_redirects=False)

    for _ in range(5):
        assert attempt("wrong password").status_code == 401
    rested = attempt(PASSWORD)  # even the right password waits now
    assert rested.status_code == 401 and "sign-in rests for 15 more minutes" in rested.text
    clock.advance(minutes=15, seconds=1)
    assert attempt(PASSWORD).status_code == 303
    for _ in range(5):
        attempt("wrong password")
    submit(c, "/reset", "/reset", {"email": user.email})
    link = mailed_link(smtp, user.email)
    submit(c, link, link, {"password": "a brand new passphrase", "password_again": "a brand new passphrase"})
    sign_in(browser(app), user.email, "a brand new passphrase")  # a reset lifts the rest
