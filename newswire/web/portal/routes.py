"""The issuer portal: the issuer's releases, composing a release (new and edit), and the compose
page's helpers (live preview, pre-checks, the topic search, the reachable target languages).

Only users with the issuer role open it (editors and admins have the desk: 403); every release is
looked up as the issuer's own (another issuer's is 404, like the API's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import FormData

from ...domain.errors import InvalidInput, NewswireError
from ...domain.models import Role, Status, User
from ...services.portal import time_zones
from ..pages import session
from ..pages.render import field_errors, mark_page, page_language, redirect, render
from . import forms
from .preview import render_preview

router = APIRouter(prefix="/portal", include_in_schema=False, dependencies=[Depends(mark_page)])
EDITABLE = (Status.DRAFT, Status.SUBMITTED)


def nw(request: Request):
    return request.app.state.nw


def issuer(request: Request) -> User:
    return session.require(request, Role.ISSUER)


def _own_id(request: Request, release_ref: str) -> int:
    """The internal id of the signed-in issuer's release that ``{release_ref}`` names (its public id,
    as the portal's links have it, or its number); 404 for any other."""
    return nw(request).portal.own(issuer(request).principal, release_ref).id


OwnId = Annotated[int, Depends(_own_id)]  # a portal handler's ``release_id: OwnId``
# Declared before ``OwnId`` in a form's handler, so that the CSRF check comes first (FastAPI solves
# dependencies in order): a post without its token is refused before anything is looked up.
CheckedForm = Annotated[FormData, Depends(session.checked_form)]


def here(request: Request, suffix: str = "") -> str:
    """The portal page of the release the request names, as it named it (links carry the public id)."""
    return f"/portal/releases/{request.path_params['release_ref']}{suffix}"


def _rows_context(request: Request, user: User, cursor: str | None = None) -> dict:
    items, next_cursor = nw(request).portal.releases(user.principal, cursor=cursor)
    counts = nw(request).portal.delivery_counts(user.principal, [r.id for r in items])
    return {"releases": items, "counts": counts, "next_cursor": next_cursor, "first_page": not cursor}


@router.get("")
def home(request: Request, cursor: str | None = None):
    user = issuer(request)
    return render(request, "portal/home.html", _rows_context(request, user, cursor or None))


@router.get("/rows")
def rows(request: Request, cursor: str | None = None):
    """The listing's rows alone: the page refreshes its delivery counts with them."""
    user = issuer(request)
    return render(request, "portal/_rows.html", _rows_context(request, user, cursor or None))


def compose_context(request: Request, user: User, values: dict, *, release=None, errors=None,
                    preview=None, report=None) -> dict:
    lang = page_language(request, user)
    return {
        "values": values, "errors": errors or {}, "release": release, "preview": preview, "report": report,
        "targets": nw(request).portal.targets(values.get("language") or "en"),
        "topics": forms.broad_topics(lang), "regions": forms.regions(lang), "zones": time_zones(),
        "self_publish": nw(request).releases.policy.issuer_self_publish,
        "action": f"/portal/releases/{release.public_id}/edit" if release else "/portal/new",
    }


def _compose(request: Request, user: User, values: dict, status: int = 200, **kw):
    return render(request, "portal/compose.html", compose_context(request, user, values, **kw), status=status)


@router.get("/new")
def new(request: Request):
    user = issuer(request)
    return _compose(request, user, forms.blank(user.language))


@router.get("/releases/{release_ref}/edit")
def edit(request: Request, release_id: OwnId):
    user = issuer(request)
    release = nw(request).portal.own(user.principal, release_id)
    if release.status not in EDITABLE:
        return redirect(here(request))
    return _compose(request, user, forms.values_from(release), release=release)


@router.post("/new")
def create(request: Request, form: FormData = Depends(session.checked_form)):
    return _save(request, issuer(request), form, None)


@router.post("/releases/{release_ref}/edit")
def save(request: Request, form: CheckedForm, release_id: OwnId):
    user = issuer(request)
    nw(request).portal.own(user.principal, release_id)
    return _save(request, user, form, release_id)


def _draft(request: Request, user: User, values: dict, release_id: int | None):
    """(preview HTML, pre-check report, errors, the embargo in UTC) of what was typed."""
    fields, errors = forms.to_fields(values, page_language(request, user))
    try:
        draft = nw(request).portal.draft(user.principal, fields, release_id)
    except InvalidInput as e:
        return None, None, {**field_errors(e), **errors}, None
    return render_preview(request, draft), draft.report, errors, draft.release.embargo_until


def _save(request: Request, user: User, form: FormData, release_id: int | None):
    values, action = forms.values_of(form), str(form.get("action", "save"))
    service, p = nw(request).releases, user.principal
    release = nw(request).portal.own(p, release_id) if release_id else None
    if action == "preview":  # (without JavaScript: the preview and checks on the page; nothing saved)
        preview, report, errors, _ = _draft(request, user, values, release_id)
        return _compose(request, user, values, release=release, errors=errors, preview=preview, report=report,
                        status=422 if errors else 200)
    fields, errors = forms.to_fields(values, page_language(request, user))
    if errors:  # with every other field's error too
        errors = {**_draft(request, user, values, release_id)[2], **errors}
        return _compose(request, user, values, release=release, errors=errors, status=422)
    try:
        saved = service.edit(p, release_id, fields) if release_id else service.create(p, fields)
    except InvalidInput as e:  # (the service stops at its first refusal: the draft's checks name every field)
        errors = {**_draft(request, user, values, release_id)[2], **field_errors(e)}
        return _compose(request, user, values, release=release, errors=errors, status=422)
    try:
        if action == "submit":
            service.submit(p, saved.id)
        elif action == "publish":
            service.publish(p, saved.id)
    except NewswireError as e:  # saved as a draft, not sent on: say so on the edit page
        return _compose(request, user, forms.values_from(saved), release=saved, status=409, errors={
            "form": f"{_saved_note(request, user)} {e.detail}"})
    return redirect(f"/portal/releases/{saved.public_id}?saved={action}")


def _saved_note(request: Request, user: User) -> str:
    gettext = request.app.state.templates.env.globals["_"]
    return gettext("The release was saved as a draft, but:", page_language(request, user))


@router.post("/preview")
def preview(request: Request, form: FormData = Depends(session.checked_form)):
    """The draft as typed, rendered by the newsroom's release template (a fragment for the compose page)."""
    user = issuer(request)
    html, _, errors, embargo = _draft(request, user, forms.values_of(form), _release_id(form))
    return render(request, "portal/_preview.html", {"preview": html, "errors": errors, "embargo": embargo})


@router.post("/checks")
def checks(request: Request, form: FormData = Depends(session.checked_form)):
    """The pre-checks of the draft as typed (a fragment beside the form)."""
    user = issuer(request)
    _, report, errors, _ = _draft(request, user, forms.values_of(form), _release_id(form))
    return render(request, "portal/_checks.html", {"report": report, "errors": errors})


def _release_id(form: FormData) -> str | None:
    """The release being edited (its public id, from the compose form), None for a new one."""
    return str(form.get("release_id", "") or "") or None


@router.get("/topics")
def topics(request: Request, q: str = ""):
    """Media Topics matching ``q`` in the user's language (the industry picker's search as you type)."""
    user = issuer(request)
    return JSONResponse({"items": forms.find_topics(q[:100], page_language(request, user))},
                        headers={"Cache-Control": "no-store"})


@router.get("/targets")
def targets(request: Request, source: str = "en"):
    """The target-language choices for a release written in ``source`` (a fragment of the form)."""
    user = issuer(request)
    chosen = request.query_params.getlist("selected")
    values = {"language": source, "target_languages": chosen}
    return render(request, "portal/_targets.html", {"values": values, "targets": nw(request).portal.targets(source)},
                  user=user)
