"""Rate limits at the HTTP edge (the rule and its counters: services/ratelimits.py).

``hit(request, ACTION, account=…)`` counts one request against the caller's address and the other
identities given; a spent limit raises ``TooManyRequests``. The API answers it with a 429 problem
document and ``Retry-After`` (web/problems.py); a form re-shows itself with the message and the
same header (``refused``); any other page gets the error page with it (pages/render.error_page).

``rate_limited(ACTION)`` is the same as a route dependency, by address and by API key when the
request carries one: ``dependencies=[Depends(rate_limited("pickup"))]`` on a pickup or tracking
route. The address is the connection's peer: behind a reverse proxy, run ``uvicorn`` with
``--proxy-headers --forwarded-allow-ips`` set to the proxy, so it is the client's.
"""

from __future__ import annotations

from fastapi import Request, Response

from ..domain.errors import TooManyRequests
from .deps import principal


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def hit(request: Request, action: str, *, by_address: bool = True, **who) -> None:
    request.app.state.nw.limiter.hit(action, ip=client_ip(request) if by_address else None, **who)


def rate_limited(action: str):
    """A dependency counting one request of ``action`` per address and per API key."""

    def dependency(request: Request) -> None:
        hit(request, action, key=principal(request).key_id)

    return dependency


def refused(response: Response, exc: TooManyRequests) -> Response:
    """A form re-shown with the limit's message (status 429): tell the browser when to come back."""
    response.headers["Retry-After"] = str(exc.retry_after)
    return response
