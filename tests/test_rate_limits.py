"""Rate limits per address, API key and account (services/ratelimits.py, web/throttle.py): 429 with
Retry-After, a problem document on the API and the form again on pages; the counters in the
database hold across processes (two wires on one database) and count every concurrent hit."""

from __future__ import annotations

import threading

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from conftest import auth
from helpers import assert_problem, rewire, snapshot
from newswire.config import Settings, SettingsError
from newswire.domain.errors import TooManyRequests
from newswire.services.ratelimits import RateLimiter
from newswire.storage.ratelimits import DatabaseStorage
from newswire.web import throttle
from newswire.web.app import create_app
from web_helpers import PASSWORD, browser, csrf, person


@pytest.fixture
def limited(wire, smtp):
    """The wire with small limits: 3 of each per minute."""
    w = rewire(wire, rate_limit_signin="3/minute", rate_limit_signup="3/minute", rate_limit_reset="3/minute",
               rate_limit_api_writes="3/minute", rate_limit_tracking="3/minute",
               smtp_url=f"smtp://127.0.0.1:{smtp.port}", mail_from="Newswire <wire@newswire.test>")
    yield w
    w.close()


def post_form(client, page: str, action: str, data: dict):
    return client.post(action, data={"csrf": csrf(client.get(page)), **data}, follow_redirects=False)


def test_sign_in_is_limited_per_address_and_shows_the_form_again(limited, keys):
    user = person(limited, "editor")
    c = browser(create_app(limited))
    for _ in range(3):
        assert post_form(c, "/signin", "/signin", {"email": "nobody@example.com", "password": "x" * 12}).status_code == 401
    r = post_form(c, "/signin", "/signin", {"email": user.email, "password": PASSWORD})  # right, but too many
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "Too many sign-in attempts" in r.text and f'value="{user.email}"' in r.text
    assert 'name="password"' in r.text and "text/html" in r.headers["content-type"]
    assert c.get("/account", follow_redirects=False).status_code == 303  # not signed in


def test_per_account_and_per_address_are_counted_apart(limited):
    lim = limited.limiter
    for _ in range(3):
        lim.hit("signin", ip="198.51.100.1", account="ada@paper.test")
    with pytest.raises(TooManyRequests) as e:  # another address, the same account
        lim.hit("signin", ip="198.51.100.2", account="ADA@paper.test ")
    assert 1 <= e.value.retry_after <= 60
    with pytest.raises(TooManyRequests):  # the same address, another account
        lim.hit("signin", ip="198.51.100.1", account="bob@paper.test")
    lim.hit("signin", ip="198.51.100.3", account="carol@paper.test")  # neither spent
    lim.hit("signup", ip="198.51.100.1", account="ada@paper.test")  # another action has its own count


def test_the_lockout_after_five_failures_still_holds(wire, keys):
    user = person(wire, "editor")
    for _ in range(5):
        with pytest.raises(Exception):
            wire.users.sign_in(user.email, "wrong password here")
    with pytest.raises(Exception) as e:
        wire.users.sign_in(user.email, PASSWORD)
    assert "minute" in str(e.value)


def test_sign_up_is_limited_and_shows_the_form_again(limited, smtp):
    c = browser(create_app(limited))
    base = {"name": "Ada Reporter", "password": PASSWORD, "password_again": PASSWORD, "languages": ["en"],
            "delivery": "instant", "digest_hour": "7", "timezone": "Europe/Berlin"}
    for i in range(3):
        post_form(c, "/subscribe", "/subscribe", {**base, "email": f"ada{i}@paper.test"})
    before = snapshot(limited.engine)
    r = post_form(c, "/subscribe", "/subscribe", {**base, "email": "late@paper.test", "name": "Late Typist"})
    assert r.status_code == 429 and r.headers["retry-after"].isdigit()
    assert "Too many sign-ups" in r.text and "Late Typist" in r.text and "late@paper.test" in r.text
    assert snapshot(limited.engine) == before and not smtp.to("late@paper.test")


def test_password_reset_is_limited(limited, smtp):
    user = person(limited, "editor")
    c = browser(create_app(limited))
    for _ in range(3):
        assert post_form(c, "/reset", "/reset", {"email": user.email}).status_code == 200
    mails = len(smtp.to(user.email))
    r = post_form(c, "/reset", "/reset", {"email": user.email})
    assert r.status_code == 429 and r.headers["retry-after"].isdigit() and user.email in r.text
    assert len(smtp.to(user.email)) == mails


def test_api_writes_are_limited_per_key_with_a_problem(limited, keys, sample):
    client = TestClient(create_app(limited))
    for _ in range(3):
        assert client.post("/api/v1/releases", headers=auth(keys["acme"]), json=sample).status_code == 201
    before = snapshot(limited.engine)
    r = client.post("/api/v1/releases", headers=auth(keys["acme"]), json=sample)
    body = assert_problem(r, 429)
    assert body["type"].endswith("/too-many-requests") and int(r.headers["retry-after"]) >= 1
    assert snapshot(limited.engine) == before
    # another key has its own count; reads are not writes
    assert client.post("/api/v1/releases", headers=auth(keys["globex"]), json={**sample}).status_code == 201
    assert client.get("/api/v1/releases", headers=auth(keys["acme"])).status_code == 200


def test_the_openapi_document_names_the_429_of_every_write(client):
    doc = client.get("/openapi.json").json()
    for url, path in doc["paths"].items():
        for method, op in path.items():
            if url.startswith("/api/") and method in ("post", "put", "patch", "delete"):
                assert "Retry-After" in op["responses"]["429"]["headers"], (method, url)


def test_the_dependency_for_other_routes(limited):
    """What pickups and tracking use: ``Depends(throttle.rate_limited("tracking"))``."""
    app = create_app(limited)
    app.add_api_route("/api/v1/track-test", lambda: {"ok": True}, methods=["GET"],
                      dependencies=[Depends(throttle.rate_limited("tracking"))])
    client = TestClient(app)
    assert [client.get("/api/v1/track-test").status_code for _ in range(3)] == [200] * 3
    r = client.get("/api/v1/track-test")
    assert_problem(r, 429) and r.headers["retry-after"].isdigit()


def test_counters_hold_across_processes_and_concurrent_hits(wire):
    """Two wires on one database (two processes' worth of services) share each count, and hits
    at the same moment from many threads are each counted once (the upsert is atomic)."""
    other = rewire(wire, rate_limit_tracking="40/minute")
    mine = rewire(wire, rate_limit_tracking="40/minute")
    try:
        refused: list[int] = []

        def hammer(w):
            for _ in range(10):
                try:
                    w.limiter.hit("tracking", ip="203.0.113.7")
                except TooManyRequests:
                    refused.append(1)

        threads = [threading.Thread(target=hammer, args=(w,)) for w in (mine, other, mine, other, mine)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(refused) == 50 - 40
        storage = mine.limiter.strategy.storage
        assert isinstance(storage, DatabaseStorage)
    finally:
        other.close()
        mine.close()


def test_memory_storage_and_off(tmp_path):
    s = Settings(data_dir=tmp_path, rate_limit_storage="memory://", rate_limit_signin="1/minute",
                 rate_limit_signup="off")
    from limits.storage import MemoryStorage

    lim = RateLimiter(s, MemoryStorage())
    lim.hit("signin", ip="a")
    with pytest.raises(TooManyRequests):
        lim.hit("signin", ip="a")
    for _ in range(100):
        lim.hit("signup", ip="a")


@pytest.mark.parametrize("name,value", [("rate_limit_signin", "ten per minute"), ("rate_limit_signin", "5/fortnight"),
                                        ("rate_limit_storage", "mysql://x")])
def test_bad_rate_settings_are_refused(tmp_path, name, value):
    with pytest.raises(SettingsError):
        Settings(data_dir=tmp_path, **{name: value})
