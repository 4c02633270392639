"""The portal's pages are valid HTML (the Nu Html Checker, tests/vnu.py), in a left-to-right and a
right-to-left language, with forms showing errors and the import's dry run."""

from __future__ import annotations

import pytest
from helpers import publish as publish_release
from test_portal import FORM, created_id, post
from test_portal_release import WIRE_COPY
from vnu import check_pages


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_portal_pages_are_valid_html(signed_in, wire, editor, sample):
    pages = {}
    for language in ("en", "ar"):
        acme = signed_in("issuer", issuer="acme", language=language)
        rid = created_id(post(acme, "/portal/new", {**FORM, "action": "save"}), wire)
        published = publish_release(wire, editor, sample)
        post(acme, f"/portal/releases/{published.id}/correct", {"text": "x", "note": "Fixed"},
             page=f"/portal/releases/{published.id}")
        pages.update({
            f"{language} listing": acme.get("/portal").text,
            f"{language} new": acme.get("/portal/new").text,
            f"{language} errors": post(acme, "/portal/new", {**FORM, "headline": "", "action": "save"}).text,
            f"{language} no-script preview": post(acme, "/portal/new", {**FORM, "action": "preview"}).text,
            f"{language} edit": acme.get(f"/portal/releases/{rid}/edit").text,
            f"{language} draft page": acme.get(f"/portal/releases/{rid}").text,
            f"{language} published page": acme.get(f"/portal/releases/{published.id}").text,
            f"{language} import": acme.get("/portal/import").text,
            f"{language} dry run": post(acme, "/portal/import", {"text": WIRE_COPY}, page="/portal/import").text,
        })
    pages["requests"] = signed_in("editor").get("/requests").text
    errors = check_pages(pages)
    assert errors == [], "\n".join(errors)
