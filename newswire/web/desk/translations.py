"""A translation side by side with its original: each segment's source beside its translation,
the flagged ones highlighted with their problems, and a small form per flagged (or already
fixed) segment that saves through the translation service's segment edit, the API's PATCH. The
machine never overwrites an editor's wording (services/translations.py); the page shows a saved
segment as the editor's at once, while the worker reassembles the version around it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData

from ...domain.errors import InvalidInput
from ..deps import translations
from ..pages import session
from ..pages.render import mark_page, redirect, render
from .pages import staff

router = APIRouter(prefix="/desk/releases/{release_id}/translations", include_in_schema=False,
                   dependencies=[Depends(mark_page)])


def segments_view(row) -> list[dict]:
    """Each segment with what to show: the editor's wording once saved (status ``human``)."""
    out = []
    for i, s in enumerate(row.segments, 1):
        saved = row.human.get(s["id"])
        out.append({**s, "n": i, "text": saved if saved is not None else s.get("text", ""),
                    "status": "human" if saved is not None else s.get("status", ""),
                    "editable": saved is not None or s.get("status") in ("flagged", "human")})
    return out


def _page(request: Request, user, release_id: int, lang: str, *, status: int = 200, **extra):
    release, row = translations(request).translation(user.principal, release_id, lang)
    segs = segments_view(row)
    return render(request, "desk/translation.html", {
        "release": release, "row": row, "segments": segs, "state": row.state_for(release.current.number),
        "flagged": sum(1 for s in segs if s["status"] == "flagged"),
        "saved": request.query_params.get("saved", ""), **extra}, status=status, user=user)


@router.get("/{lang}")
def side_by_side(request: Request, release_id: int, lang: str):
    return _page(request, staff(request), release_id, lang)


@router.post("/{lang}/segments")
def fix_segment(request: Request, release_id: int, lang: str, form: FormData = Depends(session.checked_form)):
    user = staff(request)
    sid, text = str(form.get("segment", "")), str(form.get("text", ""))
    try:
        _, row = translations(request).edit_translation(user.principal, release_id, lang, [{"id": sid, "text": text}])
    except InvalidInput as e:
        message = e.errors[0].message if e.errors else e.detail
        return _page(request, user, release_id, lang, status=422, errors={"form": message, sid: message},
                     values={sid: text})
    n = next((i for i, s in enumerate(row.segments, 1) if s["id"] == sid), 1)
    return redirect(f"/desk/releases/{release_id}/translations/{row.language}?saved=1#seg-{n}")
