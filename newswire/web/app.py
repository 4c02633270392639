"""The ASGI application: API, newsroom and feeds. Its lifespan runs the process's background
parts (the live hub and, unless turned off, the in-process release clock and workers), which the
composition root builds."""

from __future__ import annotations

import contextlib
from pathlib import Path

from fastapi import Depends
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..bootstrap import Container, default_worker_id
from ..domain.limits import request_body_bytes, upload_body_bytes
from . import cache, edge, ops, problems
from .front import FrontedApp
from .account import profile as account_profile
from .account import routes as account_routes
from .api import deliveries as api_deliveries
from .api import imports as api_imports
from .api import media as api_media
from .api import openapi as api_openapi
from .api import releases as api_releases
from .api import reports as api_reports
from .api import subscribers as api_subscribers
from .api import translations as api_translations
from .api import vocab as api_vocab
from .desk import routes as desk_routes
from .newsroom import live as live_route
from .newsroom import routes as newsroom_routes
from . import portal
from .newsroom.pages import make_templates
from .reports import pages as report_pages
from .reports.feedcount import FeedFetches
from .reports import tracking as report_tracking
from .requestid import RequestId
from .subscriber import endpoints as subscriber_endpoints
from .subscriber import pages as subscriber_pages
from .subscriber import signup as subscriber_signup

STATIC = Path(__file__).with_name("static")


def create_app(nw: Container) -> FrontedApp:
    settings = nw.settings

    @contextlib.asynccontextmanager
    async def lifespan(app: FrontedApp):
        runtime = nw.runtime(live=True, workers=settings.run_worker, worker_id=default_worker_id("serve"))
        try:
            await runtime.start()
            app.state.live = runtime.hub
            app.state.runtime = runtime
            yield
        finally:
            await runtime.stop()

    app = FrontedApp(
        title=f"{settings.wire_name} API",
        version=__version__,
        description="Submit, review and publish press releases; read them as ninjs, NewsML-G2 and feeds. "
                    "Errors are RFC 9457 problem documents.",
        lifespan=lifespan,
        generate_unique_id_function=api_openapi.operation_id,
        dependencies=[Depends(edge.checked_input)],  # before any route: text that cannot be stored is refused
    )
    app.add_middleware(edge.BodyLimit, max_bytes=request_body_bytes(settings.max_body_bytes),
                       upload_bytes=upload_body_bytes())
    app.state.nw = nw
    problems.install(app)
    api_openapi.install(app)
    app.state.templates = make_templates(settings)
    report_tracking.install(app.state.templates.env, nw.reader_events)
    for router in (ops.router, api_releases.router, api_imports.router, api_vocab.router, api_subscribers.router,
                   api_deliveries.router, api_translations.router, api_media.router,
                   account_routes.router, account_profile.router, *desk_routes.routers(),
                   subscriber_signup.router, subscriber_endpoints.router, subscriber_pages.router, *portal.routers,
                   api_reports.router, report_tracking.router, *report_pages.routers(),
                   *newsroom_routes.routers()):
        app.include_router(router)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Before the framework (web/front.py): GET /live without its per-request state held for the
    # stream's life; every other answer gets its X-Request-ID (and log line); feed fetches are counted
    # outside the cache, so cached ones count too; a cached page costs neither the framework nor a route.
    app.front = live_route.FastPath(RequestId(FeedFetches(cache.ServeCached(app.framework, cache=nw.pages),
                                                          events=nw.reader_events), log_requests=settings.access_log))
    return app
