"""Every page of the web app, found from the app itself: signed out, each is either public or sends
the visitor to sign in; each role opens exactly the areas it should; every form refuses a POST
without its CSRF token. A new page that fits no rule here fails until it is classified."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from web_helpers import browser, csrf

from newswire.domain.models import SYSTEM
from newswire.web.pages.render import mark_page

# Pages anyone may open signed out (sign-in, reset, invitations, journalists' sign-up and its confirmation).
PUBLIC = re.compile(r"^/(signin|reset|invitations|subscribe|confirm)(/|$)")
# Who opens what, by path prefix (longest first); every signed-in page must fall under one.
AREAS = [
    ("/account/people", {"admin", "issuer"}),
    ("/account", {"admin", "editor", "issuer", "subscriber"}),
    ("/portal", {"issuer"}),
    ("/requests", {"admin", "editor"}),
    ("/desk", {"admin", "editor"}),
    ("/subscriber", {"subscriber"}),
]
ROLES = ["admin", "editor", "issuer", "subscriber"]


def _routes(routes, prefix: str = ""):
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI keeps included routers as such
        if included is not None:
            yield from _routes(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            yield prefix, route


def page_routes(app) -> list[tuple[str, str]]:
    out = []
    for prefix, route in _routes(app.routes):
        if any(d.dependency is mark_page for d in route.dependencies):
            for method in sorted(route.methods - {"HEAD"}):
                out.append((method, prefix + route.path))
    return out


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def area_of(path: str) -> set[str]:
    for prefix, roles in AREAS:
        if path == prefix or path.startswith(prefix + "/"):
            return roles
    raise AssertionError(f"{path} is a signed-in page in no area: add it to AREAS in {__file__}")


def test_the_pages_are_found(app):
    found = page_routes(app)
    assert ("GET", "/signin") in found and ("POST", "/account/keys") in found and len(found) > 10


def test_signed_out_every_page_is_public_or_asks_to_sign_in(app):
    c = browser(app)
    for method, path in page_routes(app):
        if method != "GET" or PUBLIC.match(path):
            continue
        area_of(path)
        r = c.get(concrete(path), follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/signin?next="), (path, r.status_code)


def test_every_form_refuses_a_post_without_its_token(app, wire, keys):
    c = browser(app)
    for method, path in page_routes(app):
        if method != "POST":
            continue
        r = c.post(concrete(path), data={"name": "x", "email": "x@example.com"}, follow_redirects=False)
        assert r.status_code == 403 and "Nothing was changed" in r.text, (path, r.status_code)


def test_signed_out_a_form_with_a_valid_token_still_needs_sign_in(app, wire, keys):
    c = browser(app)
    token = csrf(c.get("/signin"))
    for method, path in page_routes(app):
        if method != "POST" or PUBLIC.match(path) or path == "/signout":
            continue
        r = c.post(concrete(path), data={"csrf": token}, follow_redirects=False)
        assert r.status_code in (401, 303), (path, r.status_code)
        assert r.status_code == 401 or r.headers["location"].startswith("/signin"), path


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_its_areas_and_no_other(app, wire, signed_in, role):
    linked = {}
    if role == "subscriber":  # a subscriber account belongs to a subscription (an outlet here)
        linked["subscriber_id"] = wire.subscriptions.create(SYSTEM, {"kind": "outlet", "name": "Paper"}).id
    c = signed_in(role, issuer="acme" if role == "issuer" else None, **linked)
    for method, path in page_routes(app):
        if method != "GET" or PUBLIC.match(path):
            continue
        r = c.get(concrete(path), follow_redirects=False)
        if role in area_of(path):
            assert r.status_code in (200, 303, 404), (role, path, r.status_code)
        else:
            assert r.status_code == 403, (role, path, r.status_code)
        # A person gets a page (or what a page's script fetches: a fragment, picker suggestions),
        # never a problem document.
        assert "problem" not in r.headers.get("content-type", ""), (role, path)
