"""The ASGI application: API, newsroom and feeds, plus the in-process worker."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..config import Settings
from ..distribution.clock import ReleaseClock
from ..workflow.wire import Wire
from . import problems

STATIC = Path(__file__).with_name("static")


def create_app(wire: Wire) -> FastAPI:
    settings: Settings = wire.settings

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        task = None
        if settings.run_worker:
            app.state.clock = ReleaseClock(wire, tick=settings.scheduler_tick)
            task = asyncio.create_task(app.state.clock.run())
        yield
        if task is not None:
            app.state.clock.stop()
            await task

    app = FastAPI(
        title=f"{settings.wire_name} API",
        version=__version__,
        description="Submit, review and publish press releases; read them as ninjs, NewsML-G2 and feeds. "
                    "Errors are RFC 9457 problem documents.",
        lifespan=lifespan,
    )
    app.state.wire = wire
    app.state.clock = None
    problems.install(app)
    from .newsroom.pages import make_templates

    app.state.templates = make_templates(settings)

    from .api import releases as api_releases
    from .api import vocab as api_vocab

    app.include_router(api_releases.router)
    app.include_router(api_vocab.router)
    for router in _newsroom_routers():
        app.include_router(router)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _newsroom_routers():
    """The public site's routers (pages, feeds, sitemap)."""
    from .newsroom import routes

    return routes.routers()
