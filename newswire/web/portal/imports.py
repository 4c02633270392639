"""Importing wire copy in the portal: paste or upload, see the importer's dry run (the fields it
found, the furniture it took out and where it went, what would be refused) before anything is saved,
then create the draft from it."""

from __future__ import annotations

from fastapi import Depends, Request
from starlette.datastructures import FormData, UploadFile

from ...domain.errors import InvalidInput, NewswireError
from ..pages import session
from ..pages.render import field_errors, redirect, render
from .routes import issuer, nw, router


def _language(form: FormData) -> str | None:
    return str(form.get("language", "") or "") or None


@router.get("/import")
def import_form(request: Request):
    user = issuer(request)
    nw(request).portal.releases(user.principal, limit=1)  # (issuers only, as every portal page)
    return render(request, "portal/import.html", {"values": {"name": "pasted.txt"}})


@router.post("/import")
async def dry_run(request: Request, form: FormData = Depends(session.checked_form)):
    user = issuer(request)
    upload = form.get("file")
    name, text = str(form.get("name", "") or "pasted.txt"), str(form.get("text", "") or "")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read()
        name = upload.filename
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return render(request, "portal/import.html", {"values": {"name": name}, "errors": {
                "file": "the file is not UTF-8 text"}}, status=422)
    values = {"name": name, "text": text, "language": _language(form) or ""}
    if not text.strip():
        return render(request, "portal/import.html", {"values": values, "errors": {
            "text": "paste the wire copy, or choose a file"}}, status=422)
    try:
        found = nw(request).releases.preview_import(user.principal, [(name, text)], _language(form))
    except InvalidInput as e:
        return render(request, "portal/import.html", {"values": values, "errors": field_errors(e)}, status=422)
    return render(request, "portal/import.html", {"values": values, "result": found[0]})


@router.post("/import/create")
def create(request: Request, form: FormData = Depends(session.checked_form)):
    user = issuer(request)
    name, text = str(form.get("name", "") or "pasted.txt"), str(form.get("text", "") or "")
    values = {"name": name, "text": text, "language": _language(form) or ""}
    try:
        done = nw(request).releases.import_texts(user.principal, [(name, text)], language=_language(form))
    except NewswireError as e:
        errors = field_errors(e) if isinstance(e, InvalidInput) else {"form": e.detail}
        return render(request, "portal/import.html", {"values": values, "errors": errors}, status=422)
    return redirect(f"/portal/releases/{done[0].id}/edit")
