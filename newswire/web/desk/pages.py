"""The editor desk's pages: the queue, one release (its text as it will be published, the
pre-checks, its translations and the actions its state allows), the edit or correction form, and
the audit trail. Editors and admins only; everything is read through the services."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from ...domain import languages, lifecycle
from ...domain.errors import InvalidInput
from ...domain.models import LIVE, Role, Status, User
from ...services.desk import QUEUE_STATUSES, DeskService
from ..deps import accounts, checks, releases
from ..pages import session
from ..pages.render import field_errors, mark_page, render
from . import forms

router = APIRouter(prefix="/desk", include_in_schema=False, dependencies=[Depends(mark_page)])

ACTIONS = ("approve", "send_back", "edit", "correct", "withdraw")
# Audit actions as the history page names them (English; translated in desk/_labels.html).
HISTORY_LABELS = {
    "release.create": "Release created", "release.edit": "Edited", "release.submit": "Submitted",
    "release.approve": "Approved", "release.send_back": "Sent back to the issuer",
    "release.schedule": "Scheduled", "release.publish": "Published", "release.correct": "Corrected",
    "release.withdraw": "Withdrawn", "release.checks_override": "Pre-check errors overridden",
    "import.furniture": "Imported", "translation.edit": "Translation edited",
    "translation.retry": "Translation started again",
}


def desk_service(request: Request) -> DeskService:
    return request.app.state.nw.desk


def staff(request: Request) -> User:
    return session.require(request, Role.EDITOR, Role.ADMIN)


@router.get("")
def queue(request: Request):
    user = staff(request)
    desk = desk_service(request)
    asked = {k: request.query_params.get(k, "") for k in ("status", "issuer", "language")}
    errors, items = {}, []
    try:
        items = desk.queue(user.principal, desk.parse_filter(**asked))
    except InvalidInput as e:
        errors = field_errors(e)
    return render(request, "desk/queue.html", {
        "items": items, "recent": desk.recent(user.principal), "values": asked, "errors": errors,
        "statuses": [s.value for s in QUEUE_STATUSES], "issuers": accounts(request).issuers(),
        "languages_all": languages.SUPPORTED}, status=422 if errors else 200, user=user)


def release_page(request: Request, user: User, release_id: int, *, status: int = 200, **extra):
    """The release's desk page; actions that failed re-render it with ``errors`` and ``values``."""
    item = desk_service(request).item(user.principal, release_id)
    r = item.release
    report = checks(request).on_demand(user.principal, release_id)
    allowed = {a: r.status in lifecycle.ALLOWED_FROM[a] for a in ACTIONS}
    allowed["schedule"] = r.status in (Status.APPROVED, Status.SCHEDULED)  # (publish with a time; or move it)
    allowed["publish"] = r.status == Status.APPROVED
    values = {"embargo_until": forms.local_value(r.embargo_until), "time_zone": "UTC", **extra.pop("values", {})}
    return render(request, "desk/release.html", {
        "item": item, "release": r, "report": report, "allowed": allowed, "zones": forms.ZONES,
        "values": values, "public": r.status in LIVE and r.is_public(desk_service(request).clock()),
        "done": request.query_params.get("done", ""), **extra}, status=status, user=user)


@router.get("/releases/{release_id}")
def release(request: Request, release_id: int):
    return release_page(request, staff(request), release_id)


def edit_page(request: Request, user: User, release_id: int, *, status: int = 200, **extra):
    r = releases(request).get(user.principal, release_id)
    correcting = r.status in lifecycle.ALLOWED_FROM["correct"]
    editable = correcting or r.status in lifecycle.ALLOWED_FROM["edit"]
    values = {**forms.values_of(r.content), "correction_note": "", **extra.pop("values", {})}
    return render(request, "desk/edit.html", {"release": r, "correcting": correcting, "editable": editable,
                                              "values": values, **extra}, status=status, user=user)


@router.get("/releases/{release_id}/edit")
def edit(request: Request, release_id: int):
    return edit_page(request, staff(request), release_id)


@router.get("/releases/{release_id}/history")
def history(request: Request, release_id: int):
    user = staff(request)
    rs = releases(request)
    entries = rs.history(user.principal, release_id)
    return render(request, "desk/history.html", {"release": rs.get(user.principal, release_id),
                                                 "entries": entries, "labels": HISTORY_LABELS}, user=user)
