"""/api/v1/releases: submit, review, publish, correct, withdraw, read."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from ...domain import ids
from ...domain.errors import InvalidInput, NotFound
from ...domain.models import Principal, Release
from ...domain.queries import decode_cursor
from ...formats import newsml, ninjs
from ...formats.site import Site
from ...services.checks import CheckService
from ...services.listings import Listings
from ...services.releases import ReleaseService
from ..deps import ReleaseId, checks, listings, principal, releases
from ..deps import site as _site
from ..edge import ApiRoute
from . import models as m
from . import schemas
from .openapi import content, errors

router = APIRouter(prefix="/api/v1/releases", tags=["releases"], route_class=ApiRoute)
READ = errors(401, 403, 404, 422)
ERRORS = errors(401, 403, 404, 409, 413, 422)  # a route that takes a body
NEWSML = "application/vnd.iptc.g2.newsitem+xml"


def summary(release: Release, site: Site) -> dict:
    """The workflow view of a release: what the issuer and the desk need to track it."""
    return {
        "id": release.public_id,  # (domain/ids.py; the internal number is the desk's)
        "status": release.status.value,
        "url": site.release_url(release),
        "api_url": site.api_url(release),
        "issuer": release.issuer.slug,
        "language": release.language,
        "type": release.content.type,
        "target_languages": list(release.target_languages),
        "languages": list(release.languages),  # the original and each translation ready to read
        "headline": release.content.headline,
        "version": release.current.number,
        "embargo_until": release.embargo_until.isoformat() if release.embargo_until else None,
        "published_at": release.published_at.isoformat() if release.published_at else None,
        "withdrawn_at": release.withdrawn_at.isoformat() if release.withdrawn_at else None,
        "updated_at": release.updated_at.isoformat(),
    }


@router.post("", status_code=201, response_model=m.ReleaseSummary, responses=ERRORS,
             summary="Create a release (a draft)")
def create_release(request: Request, response: Response, body: schemas.ReleaseCreate,
                   p: Principal = Depends(principal), rs: ReleaseService = Depends(releases)):
    release = rs.create(p, schemas.fields_of(body))
    site = _site(request)
    response.headers["Location"] = site.api_url(release)
    return summary(release, site)


@router.get("", response_model=m.ReleaseList, responses=READ,
            summary="List published releases (ninjs), newest first")
def list_releases(request: Request, language: str | None = None, industry: str | None = None,
                  region: str | None = None, issuer: str | None = None,
                  since: str | None = Query(None, description="RFC 3339; only releases published since then"),
                  status: str | None = Query(None, description="Comma list; for issuers and the desk only"),
                  cursor: str | None = None, limit: int = Query(50, ge=1, le=200),
                  p: Principal = Depends(principal), ls: Listings = Depends(listings)):
    q = ls.query_for(p, language=language, industry=industry, region=region, issuer=issuer, since=since,
                    status=status)
    if cursor:
        try:
            decode_cursor(cursor)
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("cursor: not a cursor this API gave out; use the 'next' link of a listing") from None
    items, next_cursor = ls.list(q, limit=limit, cursor=cursor)
    site = _site(request)
    body = {"items": [ninjs.render(r, site) for r in items], "next": None}
    if next_cursor:
        params = dict(request.query_params)
        params["cursor"] = next_cursor
        body["next"] = str(request.url.replace_query_params(**params))
    return JSONResponse(body)  # (ninjs as rendered: documented by m.ReleaseList, not re-validated)


@router.get("/{release_ref}", response_model=m.Ninjs, responses={**READ, 200: content(NEWSML)},
            summary="A release as ninjs 2.x JSON, or as a NewsML-G2 newsItem with the .xml suffix")
def get_release(request: Request,
                release_ref: str = Path(description=ids.REF_DESCRIPTION + " With `.xml`: NewsML-G2.",
                                        json_schema_extra={"pattern": ids.REF_PATTERN[:-1] + r"(?:\.(?:xml|json))?$"}),
                lang: str | None = Query(None, description="A language version, e.g. es: its translation"),
                p: Principal = Depends(principal), ls: Listings = Depends(listings)):
    stem, _, ext = release_ref.partition(".")  # '42', 'kq3x…' and either with '.xml'
    release = ls.get(p, stem, lang)
    site = _site(request)
    if ext == "xml":
        return Response(newsml.render(release, site), media_type=NEWSML)
    if ext not in ("", "json"):
        raise NotFound(f"No format '.{ext}'; use /api/v1/releases/{stem} (ninjs) or .xml (NewsML-G2).")
    return JSONResponse(ninjs.render(release, site))


@router.get("/{release_id}/status", response_model=m.ReleaseStatus, responses=READ, summary="Workflow status (issuer, editors, admins)")
def release_status(request: Request, release_id: ReleaseId, p: Principal = Depends(principal), rs: ReleaseService = Depends(releases)):
    history = rs.history(p, release_id)
    release = rs.get(p, release_id)
    first = rs.first_delivered_at(p, release_id)
    return {**summary(release, _site(request)), "first_delivered_at": first.isoformat() if first else None,
            "history": [
        {**h, "at": h["at"].isoformat()} for h in history]}


@router.patch("/{release_id}", response_model=m.ReleaseSummary, responses=ERRORS, summary="Edit a release before it is published (new version)")
def edit_release(request: Request, release_id: ReleaseId, body: schemas.ReleaseEdit, p: Principal = Depends(principal),
                 rs: ReleaseService = Depends(releases)):
    return summary(rs.edit(p, release_id, schemas.fields_of(body)), _site(request))


@router.post("/{release_id}/submit", response_model=m.ReleaseSummary, responses=ERRORS, summary="Submit a draft for review")
def submit(request: Request, release_id: ReleaseId, p: Principal = Depends(principal), rs: ReleaseService = Depends(releases)):
    return summary(rs.submit(p, release_id), _site(request))


@router.get("/{release_id}/checks", response_model=m.CheckReport, response_model_exclude_unset=True,
            responses=READ,
            summary="The pre-checks of a release as it stands (its issuer, editors, admins)")
def release_checks(release_id: ReleaseId, p: Principal = Depends(principal), cs: CheckService = Depends(checks)):
    return cs.on_demand(p, release_id)


@router.post("/{release_id}/approve", response_model=m.ReleaseSummary, responses=ERRORS,
             summary="Approve a submitted release (editors); pre-check errors hold it unless overridden")
def approve(request: Request, release_id: ReleaseId, body: schemas.ApproveIn | None = Body(None),
            p: Principal = Depends(principal), rs: ReleaseService = Depends(releases)):
    return summary(rs.approve(p, release_id, body.override if body else None), _site(request))


@router.post("/{release_id}/send-back", response_model=m.ReleaseSummary, responses=ERRORS,
             summary="Send a submitted or approved release back to its issuer as a draft, with a note (editors)")
def send_back(request: Request, release_id: ReleaseId, body: schemas.SendBackIn, p: Principal = Depends(principal),
              rs: ReleaseService = Depends(releases)):
    return summary(rs.send_back(p, release_id, body.note or ""), _site(request))


@router.post("/{release_id}/publish", response_model=m.ReleaseSummary, responses=ERRORS,
             summary="Publish now, or schedule when the release has a future embargo; pre-check errors "
                     "hold a release not approved unless overridden")
def publish(request: Request, release_id: ReleaseId, body: schemas.PublishIn | None = Body(None),
            p: Principal = Depends(principal), rs: ReleaseService = Depends(releases)):
    embargo, override = (body.embargo_until, body.override) if body else (None, None)
    return summary(rs.publish(p, release_id, embargo, override), _site(request))


@router.post("/{release_id}/correct", response_model=m.ReleaseSummary, responses=ERRORS, summary="Correct a published release (new version)")
def correct(request: Request, release_id: ReleaseId, body: schemas.CorrectIn, p: Principal = Depends(principal),
            rs: ReleaseService = Depends(releases)):
    return summary(rs.correct(p, release_id, schemas.fields_of(body)), _site(request))


@router.post("/{release_id}/withdraw", response_model=m.ReleaseSummary, responses=ERRORS, summary="Withdraw (kill) a release")
def withdraw(request: Request, release_id: ReleaseId, body: schemas.WithdrawIn, p: Principal = Depends(principal),
             rs: ReleaseService = Depends(releases)):
    return summary(rs.withdraw(p, release_id, body.reason or ""), _site(request))
