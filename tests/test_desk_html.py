"""Every desk page passes the Nu Html Checker (vnu-jar): the queue, a release in each state that
shows other actions, the edit and correction forms, a refused form shown again, the history and the
side-by-side translation, rendered by the real app from a real database."""

from __future__ import annotations

import shutil

import pytest
from desk_flow import flagged_release, submitted_release
from vnu import check_pages
from web_helpers import csrf

pytestmark = pytest.mark.browser  # needs Java and node_modules, like the browser tests


@pytest.fixture
def database_url(request, tmp_path, sqlite_template):
    """SQLite only: the markup does not depend on the database."""
    target = tmp_path / "data" / "newswire.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def test_every_desk_page_is_valid_html(wire, editor, keys, sample, signed_in):
    rid, _ = flagged_release(wire, editor, sample)
    sub = submitted_release(wire, keys, sample, lead="Acme said on Tuesday, November 23, 2026 that it ships.")
    approved = submitted_release(wire, keys, sample, headline="Approved one")
    wire.releases.approve(editor, approved)
    desk = signed_in("editor")
    pages = {name: desk.get(path).text for name, path in {
        "queue": "/desk", "queue-ar": "/desk?lang=ar", "submitted": f"/desk/releases/{sub}",
        "approved": f"/desk/releases/{approved}", "published": f"/desk/releases/{rid}",
        "edit": f"/desk/releases/{sub}/edit", "correct": f"/desk/releases/{rid}/edit",
        "history": f"/desk/releases/{rid}/history", "translation": f"/desk/releases/{rid}/translations/es",
    }.items()}
    token = csrf(desk.get("/desk"))
    refused = {"approve-held": (f"/desk/releases/{sub}/approve", {}),
               "schedule-refused": (f"/desk/releases/{approved}/schedule",
                                    {"embargo_until": "soon", "time_zone": "Mars/Olympus"}),
               "queue-refused": None}
    for name, target in refused.items():
        if target is None:
            r = desk.get("/desk?status=nope")
        else:
            r = desk.post(target[0], data={"csrf": token, **target[1]})
        assert r.status_code in (409, 422), name
        pages[name] = r.text
    errors = check_pages(pages)
    assert errors == [], "\n".join(errors)
