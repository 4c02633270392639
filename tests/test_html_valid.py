"""Every kind of page passes the Nu Html Checker (vnu-jar): the newsroom, the live desk and the
signed-in web app, rendered by the real app from a real database, checked in one JVM start."""

from __future__ import annotations

import pytest
from vnu import check_pages
from web_helpers import browser, csrf

from newswire.domain.models import SYSTEM

pytestmark = pytest.mark.browser  # needs Java and node_modules, like the browser tests


@pytest.fixture
def database_url(request, tmp_path, sqlite_template):
    """SQLite only: the markup does not depend on the database."""
    import shutil

    target = tmp_path / "data" / "newswire.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def public_pages(client, release) -> dict[str, str]:
    paths = {
        "home": "/en/", "home-ar": "/ar/", "release": f"/en/releases/{release.public_id}/{release.slug}",
        "issuer": "/en/issuers/acme", "industry": "/en/industries/medtop:04000000", "not-found": "/en/nothing-here",
        "live-desk": "/en/live", "search": "/en/search?q=skate", "search-empty": "/en/search",
        "industries": "/en/industries", "regions": "/en/regions", "region": "/en/regions/DE", "issuers": "/en/issuers",
        "release-ja": f"/ja/releases/{release.public_id}/{release.slug}", "subscribe": "/subscribe",
    }
    out = {}
    for name, path in paths.items():
        r = client.get(path)
        assert r.status_code in (200, 404), (path, r.status_code)
        out[name] = r.text
    return out


def subscriber_pages(wire, signed_in) -> dict[str, str]:
    outlet = wire.subscriptions.create(SYSTEM, {"kind": "outlet", "name": "The Paper"})
    c = signed_in("subscriber", subscriber_id=outlet.id)
    return {"subscriber": ok(c.get("/subscriber")), "endpoints": ok(c.get("/subscriber/endpoints"))}


def ok(r) -> str:
    assert r.status_code == 200 and "/signin" not in str(r.url), (r.url, r.status_code)
    return r.text


def signed_in_pages(app, signed_in) -> dict[str, str]:
    anonymous = browser(app)
    out = {"signin": anonymous.get("/signin").text, "reset": anonymous.get("/reset").text}
    admin = signed_in("admin")
    out["account"] = ok(admin.get("/account"))
    out["people"] = ok(admin.get("/account/people"))
    bad = anonymous.post("/signin", data={"csrf": csrf(anonymous.get("/signin")), "email": "x@example.com",
                                          "password": "wrong password"})
    out["signin-error"] = bad.text
    return out


def report_pages(release, signed_in) -> dict[str, str]:
    issuer, editor = signed_in("issuer", issuer="acme"), signed_in("editor")
    return {"portal-reports": ok(issuer.get("/portal/reports")),
            "portal-report": ok(issuer.get(f"/portal/releases/{release.id}/report")),
            "desk-reports": ok(editor.get("/desk/reports")),
            "desk-report": ok(editor.get(f"/desk/releases/{release.id}/report"))}


def test_every_page_kind_is_valid_html(client, app, wire, publish, signed_in):
    release = publish()
    pages = {**public_pages(client, release), **signed_in_pages(app, signed_in), **subscriber_pages(wire, signed_in),
             **report_pages(release, signed_in)}
    errors = check_pages(pages)
    assert errors == [], "\n".join(errors)
