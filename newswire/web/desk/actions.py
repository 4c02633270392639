"""The desk's actions on a release, each one POST form through the release service the API uses:
approve (with an override note when the pre-checks found errors), send back with a note, publish
now, schedule or move the release time, edit, correct, withdraw. A refused action changes nothing
and re-shows the page with what was typed and the reason beside the field; a conflict (the
release's state does not allow it) is explained on the page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from ...domain.errors import Conflict, InvalidInput
from ...domain.models import Status
from ..deps import releases
from ..pages import session
from ..pages.render import field_errors, mark_page, redirect
from . import forms
from .pages import edit_page, release_page, staff

router = APIRouter(prefix="/desk/releases/{release_id}", include_in_schema=False, dependencies=[Depends(mark_page)])


def _refused(request, user, release_id: int, e: InvalidInput | Conflict, values: dict, page=release_page):
    if isinstance(e, Conflict):
        errors = {"form": e.detail}
        if e.extra.get("checks"):
            errors["override"] = "the pre-checks found errors: say why they may stand, or send the release back"
        return page(request, user, release_id, status=409, errors=errors, values=values,
                    held=e.extra.get("checks", []))
    return page(request, user, release_id, status=422, errors=field_errors(e), values=values)


def _act(request: Request, release_id: int, values: dict, do: Callable, done: str, page=release_page):
    user = staff(request)
    try:
        do(user.principal)
    except (InvalidInput, Conflict) as e:
        return _refused(request, user, release_id, e, values, page)
    return redirect(f"/desk/releases/{release_id}?done={done}")


@router.post("/approve")
def approve(request: Request, release_id: int, form: FormData = Depends(session.checked_form)):
    override = str(form.get("override", "")).strip()
    return _act(request, release_id, {"override": override},
                lambda p: releases(request).approve(p, release_id, override or None), "approve")


@router.post("/send-back")
def send_back(request: Request, release_id: int, form: FormData = Depends(session.checked_form)):
    note = str(form.get("note", ""))
    return _act(request, release_id, {"note": note},
                lambda p: releases(request).send_back(p, release_id, note), "send_back")


@router.post("/publish")
def publish(request: Request, release_id: int, form: FormData = Depends(session.checked_form)):
    return _act(request, release_id, {}, lambda p: releases(request).publish(p, release_id), "publish")


@router.post("/schedule")
def schedule(request: Request, release_id: int, form: FormData = Depends(session.checked_form)):
    """Schedule an approved release for a local time in a named zone, or move a scheduled one's time;
    the release clock publishes it at that second."""
    values = {"embargo_until": str(form.get("embargo_until", "")), "time_zone": str(form.get("time_zone", "UTC"))}

    def do(p):
        rs = releases(request)
        when = forms.utc_instant(values["embargo_until"], values["time_zone"])
        if rs.get(p, release_id).status == Status.SCHEDULED:
            rs.edit(p, release_id, {"embargo_until": when})
        else:
            rs.publish(p, release_id, when)

    shown = {**values, "embargo_until": forms.typed_local(values["embargo_until"])}
    return _act(request, release_id, shown, do, "schedule")


@router.post("/withdraw")
def withdraw(request: Request, release_id: int, form: FormData = Depends(session.checked_form)):
    reason = str(form.get("reason", ""))
    return _act(request, release_id, {"reason": reason},
                lambda p: releases(request).withdraw(p, release_id, reason), "withdraw")


@router.post("/edit")
def edit(request: Request, release_id: int, form: FormData = Depends(session.checked_form)):
    """A new version with the fields the editor changed (nothing changed: no new version)."""
    values = forms.typed(form)

    def do(p):
        rs = releases(request)
        changed = forms.changes(values, rs.get(p, release_id).content)
        if changed:
            rs.edit(p, release_id, changed)

    return _act(request, release_id, values, do, "edit", page=edit_page)


@router.post("/correct")
def correct(request: Request, release_id: int, form: FormData = Depends(session.checked_form)):
    """A published release's correction: a note readers see, and the new text."""
    values = {**forms.typed(form), "correction_note": str(form.get("correction_note", ""))}

    def do(p):
        rs = releases(request)
        changed = forms.changes(values, rs.get(p, release_id).content)
        rs.correct(p, release_id, {**changed, "correction_note": values["correction_note"]})

    return _act(request, release_id, values, do, "correct", page=edit_page)
