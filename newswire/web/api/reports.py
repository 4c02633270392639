"""Distribution reports through the API: a release's report (JSON, CSV, PDF), the dashboard's
totals, and outlets' pickup claims (docs/reports.md)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from ...domain.models import Principal
from ...services.report_events import ReaderEvents
from ...services.reports import ReportService
from ..deps import ReleaseId, principal
from ..edge import ApiRoute
from ..reports import view
from . import models_reports as m
from .openapi import BINARY, content, errors

router = APIRouter(prefix="/api/v1", tags=["reports"], route_class=ApiRoute)
READ = errors(401, 403, 404, 422)
ERRORS = errors(401, 403, 404, 409, 413, 422)
LANG = Query("en", description="The language of the PDF's labels", max_length=16)


def reports(request: Request) -> ReportService:
    return request.app.state.nw.reports


def events(request: Request) -> ReaderEvents:
    return request.app.state.nw.reader_events


@router.get("/releases/{release_id}/report", response_model=m.Report, responses=READ,
            summary="What happened to a release: every count from stored rows, with the delivery list behind it")
def release_report(release_id: ReleaseId, p: Principal = Depends(principal), s: ReportService = Depends(reports)):
    return s.report(p, release_id)


@router.get("/releases/{release_id}/report.csv", response_class=Response, responses={
    **READ, 200: content("text/csv", description="One row per delivery, from the ledger")},
    summary="A release's deliveries as CSV, one row each")
def release_report_csv(request: Request, release_id: ReleaseId, p: Principal = Depends(principal), s: ReportService = Depends(reports)):
    return Response(s.csv(p, release_id), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": _disposition(request, "attachment", "csv")})


@router.get("/releases/{release_id}/report.pdf", response_class=Response, responses={
    **READ, 200: content("application/pdf", schema=BINARY, description="The report, with its charts")},
    summary="A release's report as PDF, charts included")
def release_report_pdf(request: Request, release_id: ReleaseId, lang: str = LANG, p: Principal = Depends(principal),
                       s: ReportService = Depends(reports)):
    return Response(render_pdf(request, s.report(p, release_id), lang), media_type="application/pdf",
                    headers={"Content-Disposition": _disposition(request, "inline", "pdf")})


def _disposition(request: Request, how: str, ext: str) -> str:
    """The file's name after the reference the path gave (resolved, so a public id or a number)."""
    return f'{how}; filename="release-{request.path_params["release_id"]}-report.{ext}"'


def render_pdf(request: Request, report: dict, lang: str) -> bytes:
    from_lang = lang if lang in request.app.state.templates.env.globals["languages"] else "en"
    html = request.app.state.templates.get_template("reports/pdf.html").render(
        lang=from_lang, dir="ltr", **view.context(report, from_lang))
    return view.pdf(html, str(request.base_url))


@router.get("/reports", response_model=m.Dashboard, responses=READ,
            summary="Totals across releases by month and channel (an issuer's own; the desk's across issuers)")
def dashboard(p: Principal = Depends(principal), s: ReportService = Depends(reports)):
    return s.dashboard(p)


@router.post("/pickups", status_code=201, response_model=m.Pickup, responses=ERRORS,
             summary="Report a republication: the page is fetched and confirmed if it links to the release")
def claim_pickup(body: m.PickupClaim, p: Principal = Depends(principal), s: ReaderEvents = Depends(events)):
    return s.claim(p, body.model_dump())
