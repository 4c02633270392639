"""Request-scoped dependencies shared by the API and the newsroom: the services, the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from ..domain import ids
from ..domain.errors import Unauthenticated
from ..domain.models import Principal
from ..formats.site import Site
from ..services.accounts import AccountService
from ..services.browse import Browse
from ..services.checks import CheckService
from ..services.listings import Listings
from ..services.media import MediaService
from ..services.releases import ReleaseService
from ..services.subscriptions import SubscriptionService
from ..services.translations import TranslationService
from ..services.websub import WebSubService


def site(request: Request) -> Site:
    return request.app.state.nw.site


def releases(request: Request) -> ReleaseService:
    return request.app.state.nw.releases


def checks(request: Request) -> CheckService:
    return request.app.state.nw.checks


def listings(request: Request) -> Listings:
    return request.app.state.nw.listings


def browse(request: Request) -> Browse:
    return request.app.state.nw.browse


def media(request: Request) -> MediaService:
    return request.app.state.nw.media


def translations(request: Request) -> TranslationService:
    return request.app.state.nw.translations


def subscriptions(request: Request) -> SubscriptionService:
    return request.app.state.nw.subscriptions


def websub(request: Request) -> WebSubService:
    return request.app.state.nw.websub


def principal(request: Request) -> Principal:
    """The caller, from 'Authorization: Bearer <key>'; anonymous without one."""
    header = request.headers.get("authorization", "")
    token = None
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated("Send the API key as 'Authorization: Bearer <key>'.")
        token = value.strip()
    return request.app.state.nw.accounts.authenticate(token)


def accounts(request: Request) -> AccountService:
    return request.app.state.nw.accounts


def resolve_release(request: Request, release_id: str = Path(description=ids.REF_DESCRIPTION,
                                                              json_schema_extra={"pattern": ids.REF_PATTERN}),
                    p: Principal = Depends(principal)) -> int:
    """The internal id of the release a path's ``{release_id}`` names for the caller: a public id
    for whoever may see the release, an internal number only for who may manage it; anything else
    is the 404 a missing release gets, after the same one query (``services/access.py``)."""
    return request.app.state.nw.listings.resolve(p, release_id)


ReleaseId = Annotated[int, Depends(resolve_release)]  # a handler's ``release_id: ReleaseId``
