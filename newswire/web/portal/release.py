"""One of the issuer's releases in the portal: status and history, its language versions, live
delivery counts, pictures and documents (upload, remove, the files before publication), the
lifecycle's buttons, and corrections and withdrawals (directly where the wire lets issuers, else a
request to the desk)."""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile

from ...domain.errors import FieldError, InvalidInput, NewswireError, NotFound
from ...domain.models import Release, Status, User
from ...services.media import Upload
from ..pages.render import field_errors, redirect, render
from . import forms
from .routes import EDITABLE, CheckedForm, OwnId, compose_context, here, issuer, nw, router

PUBLISHABLE = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED)


def _languages(request: Request, user: User, release: Release) -> list[dict]:
    """Every language version: the original, each translation row with its state, and each target
    not queued yet (translation starts once the desk approves)."""
    _, rows = nw(request).translations.translations(user.principal, release.id)
    out = [{"language": release.language, "state": "original", "url": None}]
    seen = {release.language}
    for row in rows:
        seen.add(row.language)
        out.append({"language": row.language, "state": row.state_for(release.current.number), "done": row.done,
                    "total": row.total, "flagged": row.flagged})
    out += [{"language": t, "state": "waiting for approval"} for t in release.target_languages if t not in seen]
    return out


def _page(request: Request, user: User, release_id: OwnId, *, status: int = 200, **extra):
    portal, p = nw(request).portal, user.principal
    release = portal.own(p, release_id)
    policy = nw(request).releases.policy
    context = {
        "release": release, "history": nw(request).releases.history(p, release_id),
        "versions": _languages(request, user, release), "requests": portal.requests_of(p, release_id),
        "counts": portal.delivery_counts(p, [release_id]).get(release_id, {}),
        "editable": release.status in EDITABLE, "self_publish": policy.issuer_self_publish,
        "publishable": policy.issuer_self_publish and release.status in PUBLISHABLE,
        "live": release.published_at is not None and release.status != Status.WITHDRAWN,
        "saved": request.query_params.get("saved"), **extra,
    }
    context.setdefault("values", {"text": release.content.body_source or release.content.body_html})
    return render(request, "portal/release.html", context, status=status)


@router.get("/releases/{release_ref}")
def release_page(request: Request, release_id: OwnId):
    return _page(request, issuer(request), release_id)


@router.get("/releases/{release_ref}/deliveries")
def deliveries(request: Request, release_id: OwnId):
    """The live counts alone (the page refreshes them every few seconds)."""
    user = issuer(request)
    portal = nw(request).portal
    portal.own(user.principal, release_id)
    counts = portal.delivery_counts(user.principal, [release_id]).get(release_id, {})
    return render(request, "portal/_deliveries.html", {"counts": counts})


@router.get("/releases/{release_ref}/checks")
def release_checks(request: Request, release_id: OwnId):
    """The pre-checks of the release as saved, links included (a fragment, or the page's section)."""
    user = issuer(request)
    nw(request).portal.own(user.principal, release_id)
    result = nw(request).checks.on_demand(user.principal, release_id)
    return render(request, "portal/_saved_checks.html", {"result": result})


def _act(request: Request, user: User, release_id: OwnId, act, form_name: str, **typed):
    """Run one lifecycle action; on a refusal, the release page with the error beside its form
    (and ``typed``: what was typed in it)."""
    try:
        act()
    except NewswireError as e:
        errors = field_errors(e) if isinstance(e, InvalidInput) else {"form": e.detail}
        return _page(request, user, release_id, status=409 if not isinstance(e, InvalidInput) else 422,
                     errors=errors, failed=form_name, **typed)
    return redirect(here(request))


@router.post("/releases/{release_ref}/submit")
def submit(request: Request, form: CheckedForm, release_id: OwnId):
    user = issuer(request)
    nw(request).portal.own(user.principal, release_id)
    return _act(request, user, release_id, lambda: nw(request).releases.submit(user.principal, release_id), "submit")


@router.post("/releases/{release_ref}/publish")
def publish(request: Request, form: CheckedForm, release_id: OwnId):
    user = issuer(request)
    nw(request).portal.own(user.principal, release_id)
    return _act(request, user, release_id, lambda: nw(request).releases.publish(user.principal, release_id),
                "publish")


@router.post("/releases/{release_ref}/withdraw")
def withdraw(request: Request, form: CheckedForm, release_id: OwnId):
    """Withdraw a release that is not yet published (a published one: a request to the desk)."""
    user = issuer(request)
    nw(request).portal.own(user.principal, release_id)
    reason = str(form.get("reason", ""))
    return _act(request, user, release_id,
                lambda: nw(request).releases.withdraw(user.principal, release_id, reason), "withdraw",
                withdraw_values={"reason": reason})


@router.post("/releases/{release_ref}/correct")
def correct(request: Request, form: CheckedForm, release_id: OwnId):
    """Where issuers may publish, they correct directly; elsewhere this stores a request to the desk."""
    user = issuer(request)
    nw(request).portal.own(user.principal, release_id)
    text, note = str(form.get("text", "")), str(form.get("note", ""))
    try:
        if nw(request).releases.policy.issuer_self_publish:
            if not note.strip():
                raise InvalidInput("note: say what was corrected", errors=[FieldError("note", "is required")])
            nw(request).releases.correct(user.principal, release_id, {
                "body": text, "body_format": "markdown", "correction_note": note})
        else:
            nw(request).portal.request(user.principal, release_id, "correction", note, text)
    except NewswireError as e:
        errors = field_errors(e) if isinstance(e, InvalidInput) else {"form": e.detail}
        return _page(request, user, release_id, status=422 if isinstance(e, InvalidInput) else 409,
                     values={"text": text, "note": note}, errors=errors, failed="correct")
    return redirect(here(request))


@router.post("/releases/{release_ref}/request-withdrawal")
def request_withdrawal(request: Request, form: CheckedForm, release_id: OwnId):
    user = issuer(request)
    nw(request).portal.own(user.principal, release_id)
    note = str(form.get("note", ""))
    try:
        nw(request).portal.request(user.principal, release_id, "withdrawal", note)
    except InvalidInput as e:
        return _page(request, user, release_id, status=422, errors=field_errors(e), failed="request-withdrawal",
                     withdrawal_values={"note": note})
    return redirect(here(request))


# --- pictures and documents -------------------------------------------------------------------


@router.post("/releases/{release_ref}/media")
async def upload(request: Request, form: CheckedForm, release_id: OwnId):
    user = issuer(request)
    release = nw(request).portal.own(user.principal, release_id)
    file = form.get("file")
    texts = {k: str(form.get(k, "") or "") for k in ("alt_text", "caption", "credit")}
    data = await file.read() if isinstance(file, UploadFile) else b""
    name = (file.filename or "") if isinstance(file, UploadFile) else ""
    try:
        await run_in_threadpool(nw(request).media.upload, user.principal, release_id,
                                Upload(data, name, texts["alt_text"], texts["caption"], texts["credit"]))
    except InvalidInput as e:
        context = compose_context(request, user, forms.values_from(release), release=release)
        return render(request, "portal/compose.html", {**context, "media_errors": field_errors(e) or {"file": e.detail},
                                                       "media_values": texts}, status=422)
    return redirect(here(request, "/edit#media"))


@router.post("/releases/{release_ref}/media/{media_id}/delete")
def delete_media(request: Request, form: CheckedForm, release_id: OwnId, media_id: int):
    user = issuer(request)
    nw(request).portal.own(user.principal, release_id)
    nw(request).media.delete(user.principal, release_id, media_id)
    return redirect(here(request, "/edit#media"))


@router.get("/releases/{release_ref}/media/{media_id}/{filename}")
def media_file(request: Request, release_id: OwnId, media_id: int, filename: str):
    """A rendition of the issuer's own release before (and after) publication: the preview's pictures."""
    user = issuer(request)
    nw(request).portal.own(user.principal, release_id)
    found = nw(request).media.open_for(user.principal, release_id, media_id, filename)
    if not found.path.is_file():
        raise NotFound("The file is missing from the media store; upload it again.")
    return FileResponse(found.path, media_type=found.mime, filename=found.filename,
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})
