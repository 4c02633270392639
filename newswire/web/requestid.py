"""The request id (``X-Request-ID``): taken from the caller (a proxy's or a client's, if it looks
like an id) or made here, bound for the request (``domain/trace.py``: the audit log records it, the
release events carry it to the workers), returned in the response, and logged with the request's
line (``newswire.http``)."""

from __future__ import annotations

import logging
import time

from ..domain import trace

log = logging.getLogger("newswire.http")
HEADER = b"x-request-id"


class RequestId:
    def __init__(self, app, log_requests: bool = True):
        self.app, self.log_requests = app, log_requests  # NEWSWIRE_ACCESS_LOG: a line per request

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = next((v for k, v in scope["headers"] if k == HEADER), b"").decode("latin-1")
        request_id = trace.accept(given)
        token, started, status = trace.bind(request_id), time.perf_counter(), [0]

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != HEADER]
                headers.append((HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.log_requests:
                log.info("%s %s %s", scope["method"], scope["path"], status[0], extra={
                    "method": scope["method"], "path": scope["path"], "status": status[0],
                    "ms": round((time.perf_counter() - started) * 1000, 1)})
            trace.reset(token)
