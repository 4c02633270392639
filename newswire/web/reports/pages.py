"""The report pages: an issuer's in the portal (its own releases), the desk's across issuers.
The same numbers as ``/api/v1/releases/{id}/report``, with the charts drawn on the server, and the
CSV and PDF through the signed-in session."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...domain.models import Role, User
from ...services.reports import ReportService
from ..api.reports import render_pdf
from ..pages import session
from ..pages.render import mark_page, page_language, render
from . import view

portal = APIRouter(prefix="/portal", include_in_schema=False, dependencies=[Depends(mark_page)])
desk = APIRouter(prefix="/desk", include_in_schema=False, dependencies=[Depends(mark_page)])
ROLES = {"/portal": (Role.ISSUER,), "/desk": (Role.EDITOR, Role.ADMIN)}


def routers() -> tuple[APIRouter, ...]:
    return portal, desk


def _service(request: Request) -> ReportService:
    return request.app.state.nw.reports


def _user(request: Request, area: str) -> User:
    return session.require(request, *ROLES[area])


def _resolve(request: Request, user: User, release_ref: str) -> int:
    """The release ``{release_ref}`` names for this user (``access.resolve``: the public id, or the
    number for who manages the release), else the 404 a missing one gets."""
    return request.app.state.nw.listings.resolve(user.principal, release_ref)


def _report_page(request: Request, area: str, release_ref: str):
    user = _user(request, area)
    report = _service(request).report(user.principal, _resolve(request, user, release_ref))
    lang = page_language(request, user)
    return render(request, "reports/report.html", {
        "area": area, "base": f"{area}/releases/{release_ref}/report", "lang": lang, **view.context(report, lang)},
        user=user)


def _dashboard_page(request: Request, area: str):
    user = _user(request, area)
    data = _service(request).dashboard(user.principal)
    lang = page_language(request, user)
    return render(request, "reports/dashboard.html", {
        "area": area, "dashboard": data, "lang": lang, "channel_names": view.names(lang),
        "months_svg": view.months_chart(data, lang) if data["months"] else ""}, user=user)


def _csv(request: Request, area: str, release_ref: str):
    user = _user(request, area)
    csv = _service(request).csv(user.principal, _resolve(request, user, release_ref))
    return Response(csv, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="release-{release_ref}-report.csv"'})


def _pdf(request: Request, area: str, release_ref: str):
    user = _user(request, area)
    report = _service(request).report(user.principal, _resolve(request, user, release_ref))
    return Response(render_pdf(request, report, page_language(request, user)), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="release-{release_ref}-report.pdf"'})


def _bind(area: str, router: APIRouter) -> None:
    def dashboard(request: Request):
        return _dashboard_page(request, area)

    def report(request: Request, release_ref: str):
        return _report_page(request, area, release_ref)

    def report_csv(request: Request, release_ref: str):
        return _csv(request, area, release_ref)

    def report_pdf(request: Request, release_ref: str):
        return _pdf(request, area, release_ref)

    router.add_api_route("/reports", dashboard, methods=["GET"], name=f"{area[1:]}_reports")
    router.add_api_route("/releases/{release_ref}/report", report, methods=["GET"], name=f"{area[1:]}_report")
    router.add_api_route("/releases/{release_ref}/report.csv", report_csv, methods=["GET"],
                         name=f"{area[1:]}_report_csv")
    router.add_api_route("/releases/{release_ref}/report.pdf", report_pdf, methods=["GET"],
                         name=f"{area[1:]}_report_pdf")


_bind("/portal", portal)
_bind("/desk", desk)
