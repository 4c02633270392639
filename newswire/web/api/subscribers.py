"""/api/v1/subscribers: subscribers, their endpoints and signing secrets (rules in services.subscriptions)."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from ...domain.models import Principal
from ...domain.subscriptions import Channel, Endpoint, Subscriber
from ...formats.site import Site
from ...services.subscriptions import Issued, SubscriptionService
from ..deps import principal, subscriptions
from ..deps import site as _site
from ..edge import ApiRoute
from . import models_subscribers as m
from . import schemas
from .openapi import errors

router = APIRouter(prefix="/api/v1/subscribers", tags=["subscribers"], route_class=ApiRoute)
READ = errors(401, 403, 404, 422)
ERRORS = errors(401, 403, 404, 409, 413, 422)  # a route that changes something


def subscriber_json(s: Subscriber, site: Site) -> dict:
    p = s.preferences
    return {
        "id": s.id, "kind": s.kind.value, "name": s.name, "email": s.email,
        "languages": list(p.languages), "regions": list(p.regions), "industries": list(p.industries),
        "issuers": list(p.issuers), "timezone": s.timezone, "active": s.active,
        "created_at": s.created_at.isoformat(),
        "endpoints_url": site.url(f"/api/v1/subscribers/{s.id}/endpoints"),
        "deliveries_url": site.url(f"/api/v1/subscribers/{s.id}/deliveries"),
    }


def endpoint_json(e: Endpoint) -> dict:
    """Never the secret: it is shown once, when made (``issued_json``)."""
    out = {"id": e.id, "subscriber_id": e.subscriber_id, "channel": e.channel.value}
    if e.channel == Channel.WEBHOOK:
        out.update(url=e.address, format=e.format)
    else:
        out.update(address=e.address, digest_hour=e.digest_hour)
    return {**out, "max_in_flight": e.max_in_flight, "status": e.status, "disabled_reason": e.disabled_reason,
            "created_at": e.created_at.isoformat()}


def issued_json(i: Issued) -> dict:
    out = endpoint_json(i.endpoint)
    if i.secret:
        out["secret"] = i.secret  # Standard Webhooks form (whsec_…); not retrievable again
    if i.previous_secret_expires_at:
        out["previous_secret_expires_at"] = i.previous_secret_expires_at.isoformat()
    return out


@router.post("", status_code=201, response_model=m.Subscriber, responses=ERRORS,
             summary="Create a subscriber (admins)")
def create_subscriber(request: Request, response: Response, body: schemas.SubscriberIn,
                      p: Principal = Depends(principal), s: SubscriptionService = Depends(subscriptions)):
    sub = s.create(p, schemas.fields_of(body))
    site = _site(request)
    response.headers["Location"] = site.url(f"/api/v1/subscribers/{sub.id}")
    return subscriber_json(sub, site)


@router.get("", response_model=m.SubscriberList, responses=READ, summary="List subscribers (admins; a subscriber key sees its own)")
def list_subscribers(request: Request, cursor: str | None = None, limit: int = Query(100, ge=1, le=500),
                     p: Principal = Depends(principal), s: SubscriptionService = Depends(subscriptions)):
    items, next_cursor = s.subscribers(p, cursor=cursor, limit=limit)
    site = _site(request)
    nxt = str(request.url.include_query_params(cursor=next_cursor)) if next_cursor else None
    return {"items": [subscriber_json(x, site) for x in items], "next": nxt}


@router.get("/{subscriber_id}", response_model=m.Subscriber, responses=READ, summary="A subscriber (admins, or its own key)")
def get_subscriber(request: Request, subscriber_id: int, p: Principal = Depends(principal),
                   s: SubscriptionService = Depends(subscriptions)):
    return subscriber_json(s.get(p, subscriber_id), _site(request))


@router.patch("/{subscriber_id}", response_model=m.Subscriber, responses=ERRORS, summary="Change a subscriber's name, e-mail or preferences")
def patch_subscriber(request: Request, subscriber_id: int, body: schemas.SubscriberPatch,
                     p: Principal = Depends(principal), s: SubscriptionService = Depends(subscriptions)):
    return subscriber_json(s.update(p, subscriber_id, schemas.fields_of(body)), _site(request))


@router.delete("/{subscriber_id}", status_code=204, responses=ERRORS,
               summary="Delete a subscriber with its endpoints, keys and delivery records")
def delete_subscriber(subscriber_id: int, p: Principal = Depends(principal), s: SubscriptionService = Depends(subscriptions)):
    s.delete(p, subscriber_id)
    return Response(status_code=204)


@router.post("/{subscriber_id}/keys", status_code=201, response_model=m.SubscriberKey, responses=ERRORS,
             summary="Mint an API key for this subscriber (admins); shown once")
def create_key(subscriber_id: int, body: schemas.SubscriberKeyIn | None = Body(None),
               p: Principal = Depends(principal), s: SubscriptionService = Depends(subscriptions)):
    token = s.create_key(p, subscriber_id, body.name if body else None)
    return {"subscriber_id": subscriber_id, "key": token}


@router.get("/{subscriber_id}/endpoints", response_model=m.EndpointList, response_model_exclude_unset=True,
            responses=READ, summary="The subscriber's endpoints (no secrets)")
def list_endpoints(subscriber_id: int, p: Principal = Depends(principal), s: SubscriptionService = Depends(subscriptions)):
    return {"items": [endpoint_json(e) for e in s.endpoints(p, subscriber_id)]}


@router.post("/{subscriber_id}/endpoints", status_code=201, response_model=m.IssuedEndpoint,
             response_model_exclude_unset=True, responses=ERRORS,
             summary="Add a webhook or e-mail endpoint; a webhook's signing secret is returned once")
def add_endpoint(request: Request, response: Response, subscriber_id: int, body: schemas.EndpointIn,
                 p: Principal = Depends(principal), s: SubscriptionService = Depends(subscriptions)):
    issued = s.add_endpoint(p, subscriber_id, schemas.fields_of(body))
    where = _site(request).url(f"/api/v1/subscribers/{subscriber_id}/endpoints/{issued.endpoint.id}")
    response.headers["Location"] = where
    return issued_json(issued)


@router.delete("/{subscriber_id}/endpoints/{endpoint_id}", status_code=204, responses=ERRORS,
               summary="Remove an endpoint (its pending deliveries go with it)")
def delete_endpoint(subscriber_id: int, endpoint_id: int, p: Principal = Depends(principal),
                    s: SubscriptionService = Depends(subscriptions)):
    s.remove_endpoint(p, subscriber_id, endpoint_id)
    return Response(status_code=204)


@router.post("/{subscriber_id}/endpoints/{endpoint_id}/rotate-secret", response_model=m.IssuedEndpoint,
             response_model_exclude_unset=True, responses=ERRORS,
             summary="New signing secret, returned once; the old one verifies until previous_secret_expires_at")
def rotate_secret(subscriber_id: int, endpoint_id: int, p: Principal = Depends(principal),
                  s: SubscriptionService = Depends(subscriptions)):
    return issued_json(s.rotate_secret(p, subscriber_id, endpoint_id))


@router.post("/{subscriber_id}/endpoints/{endpoint_id}/enable", response_model=m.Endpoint,
             response_model_exclude_unset=True, responses=ERRORS,
             summary="Re-enable a disabled endpoint (e.g. after it answered 410 Gone)")
def enable_endpoint(subscriber_id: int, endpoint_id: int, p: Principal = Depends(principal),
                    s: SubscriptionService = Depends(subscriptions)):
    return endpoint_json(s.enable_endpoint(p, subscriber_id, endpoint_id))
