"""The operator view of the delivery ledger: per release, per subscriber, and replay of dead deliveries."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request

from ...domain.models import Principal
from ...services.subscriptions import DeliveryPage, SubscriptionService
from ..deps import ReleaseId, principal, subscriptions
from ..edge import ApiRoute
from . import models_subscribers as m
from .subscribers import ERRORS, READ

router = APIRouter(prefix="/api/v1", tags=["deliveries"], route_class=ApiRoute)
CHANNEL = Query(None, description="webhook, email or websub")
STATUS = Query(None, description="pending, delivered, dead or cancelled")
LIMIT = Query(100, ge=1, le=500)


def _page_json(request: Request, page: DeliveryPage) -> dict:
    items = [{k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in x.items()} for x in page.items]
    body = {"items": items, "next": None}
    if page.summary is not None:
        body = {"summary": page.summary, **body}
    if page.next_cursor:
        body["next"] = str(request.url.include_query_params(cursor=page.next_cursor))
    return body


@router.get("/releases/{release_id}/deliveries", response_model=m.DeliveryPage, response_model_exclude_unset=True,
            responses=READ,
            summary="Who the release went to, and how each delivery stands (its issuer, editors, admins)")
def release_deliveries(request: Request, release_id: ReleaseId, channel: str | None = CHANNEL,
                       status: str | None = STATUS, cursor: str | None = None, limit: int = LIMIT,
                       language: str | None = Query(None, description="the language version sent"),
                       region: str | None = Query(None, description="a region the recipient asked for ('any': none)"),
                       industry: str | None = Query(None, description="an industry the recipient asked for ('any')"),
                       attempted: bool | None = Query(None, description="tried at least once (pending: retrying)"),
                       opened: bool | None = Query(None, description="e-mail: its open pixel was fetched"),
                       clicked: bool | None = Query(None, description="e-mail: its tracked link was followed"),
                       p: Principal = Depends(principal), s: SubscriptionService = Depends(subscriptions)):
    return _page_json(request, s.release_deliveries(
        p, release_id, channel=channel, status=status, cursor=cursor, limit=limit, language=language, region=region,
        industry=industry, attempted=attempted, opened=opened, clicked=clicked))


@router.get("/subscribers/{subscriber_id}/deliveries", response_model=m.DeliveryPage,
            response_model_exclude_unset=True, responses=READ,
            summary="What was sent to a subscriber (admins, or its own key)")
def subscriber_deliveries(request: Request, subscriber_id: int, channel: str | None = CHANNEL,
                          status: str | None = STATUS, cursor: str | None = None, limit: int = LIMIT,
                          p: Principal = Depends(principal), s: SubscriptionService = Depends(subscriptions)):
    return _page_json(request, s.subscriber_deliveries(p, subscriber_id, channel=channel, status=status,
                                                       cursor=cursor, limit=limit))


@router.post("/deliveries/replay", response_model=m.Replayed, responses=ERRORS, summary="Make every dead delivery due again (admins)")
def replay_dead(dead: bool = Query(False, description="Must be true: replays every dead delivery"),
                p: Principal = Depends(principal), s: SubscriptionService = Depends(subscriptions)):
    return {"replayed": s.replay_dead(p, confirmed=dead)}


@router.post("/deliveries/{delivery_id}/replay", response_model=m.Replayed, responses=ERRORS,
             summary="Make one dead delivery due again with a fresh retry schedule (admins)")
def replay_one(delivery_id: int, p: Principal = Depends(principal), s: SubscriptionService = Depends(subscriptions)):
    return {"replayed": s.replay(p, delivery_id)}
