"""Signing in to the web app from tests: real users (Argon2id), real sessions, real CSRF tokens
read from the page, as a browser would."""

from __future__ import annotations

import itertools
import re

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_count = itertools.count(1)


def person(wire, role: str, *, issuer: str | None = None, email: str | None = None, name: str | None = None,
           language: str = "en", subscriber_id: int | None = None):
    n = next(_count)
    return wire.users.create_user(email or f"{role}{n}@example.com", name or f"{role.title()} {n}", PASSWORD, role,
                                  issuer_slug=issuer, language=language, subscriber_id=subscriber_id)


def browser(app) -> TestClient:
    """A client on https://, so the Secure session cookie is sent back, like a browser's."""
    return TestClient(app, base_url="https://testserver")


def csrf(response) -> str:
    found = _CSRF.search(response.text)
    assert found, f"no CSRF token on {response.url}: {response.text[:300]}"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD):
    page = client.get("/signin")
    r = client.post("/signin", data={"csrf": csrf(page), "email": email, "password": password},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return r


def submit(client: TestClient, page_url: str, action: str, data: dict, **kw):
    """GET the page, then POST its form to ``action`` with the page's CSRF token (as a person would)."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    return client.post(action, data={"csrf": csrf(page), **data}, **kw)
