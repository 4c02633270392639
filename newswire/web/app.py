"""The ASGI application: API, newsroom and feeds, plus the in-process worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..config import Settings
from ..distribution.clock import ReleaseClock
from ..distribution.live import LiveHub
from ..distribution.routing import Router
from ..distribution.service import build_channels
from ..distribution.worker import DeliveryWorker, default_worker_id
from ..domain.limits import request_body_bytes
from ..translation.worker import TranslationWorker
from ..workflow.wire import Wire
from . import edge, problems

STATIC = Path(__file__).with_name("static")
log = logging.getLogger("newswire.web")


def create_app(wire: Wire) -> FastAPI:
    settings: Settings = wire.settings

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        task = None
        app.state.live = LiveHub(wire)
        await app.state.live.start()
        app.state.on_commit.append(app.state.live.on_commit)
        worker = None
        if settings.run_worker:
            app.state.clock = ReleaseClock(wire, tick=settings.scheduler_tick)
            task = asyncio.create_task(app.state.clock.run())
            worker = DeliveryWorker(wire, build_channels(settings, wire), default_worker_id("serve"))
            app.state.on_commit.append(worker.on_commit)  # publishes in this process wake it at once
            worker_task = asyncio.create_task(worker.run())
            translator = TranslationWorker(wire, default_worker_id("serve-translation"))
            wire.on_translation_queued = translator.poke  # approvals in this process start at once
            translator_task = asyncio.create_task(translator.run())
        yield
        if task is not None:
            app.state.clock.stop()
            await task
        if worker is not None:
            app.state.on_commit.remove(worker.on_commit)
            worker.stop()  # finishes in-flight sends, gives unstarted claims back
            await worker_task
            wire.on_translation_queued = None
            translator.stop()
            try:  # a translation still running is left to its lease: the next start takes it up again
                await asyncio.wait_for(asyncio.shield(translator_task), 5)
            except TimeoutError:
                log.warning("shutting down during a translation; it resumes on the next start")
        app.state.on_commit.remove(app.state.live.on_commit)
        await app.state.live.stop()

    app = FastAPI(
        title=f"{settings.wire_name} API",
        version=__version__,
        description="Submit, review and publish press releases; read them as ninjs, NewsML-G2 and feeds. "
                    "Errors are RFC 9457 problem documents.",
        lifespan=lifespan,
        dependencies=[Depends(edge.checked_input)],  # before any route: text that cannot be stored is refused
    )
    app.add_middleware(edge.BodyLimit, max_bytes=request_body_bytes(settings.max_body_bytes))
    app.state.wire = wire
    app.state.clock = None
    _fan_out_commits(app, wire)
    problems.install(app)
    from .newsroom.pages import make_templates

    app.state.templates = make_templates(settings)

    from .api import releases as api_releases
    from .api import vocab as api_vocab

    app.include_router(api_releases.router)
    app.include_router(api_vocab.router)
    from .api import deliveries as api_deliveries
    from .api import subscribers as api_subscribers

    app.include_router(api_subscribers.router)
    app.include_router(api_deliveries.router)
    from .api import translations as api_translations

    app.include_router(api_translations.router)
    for router in _newsroom_routers():
        app.include_router(router)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _newsroom_routers():
    """The public site's routers (pages, feeds, sitemap)."""
    from .newsroom import routes

    return routes.routers()


def _fan_out_commits(app: FastAPI, wire: Wire) -> None:
    """The Router tells one callback after each commit (with the stream event id); several parts
    of the app want to hear it (live stream, delivery worker), so each appends to app.state.on_commit."""
    callbacks: list = []
    app.state.on_commit = callbacks

    def fan_out(event_id: int | None) -> None:
        for callback in list(callbacks):
            try:
                callback(event_id)
            except Exception:  # the transaction has committed: a failed wake-up must not fail the request
                log.exception("after-commit callback %r failed", callback)

    fan_out.fans_out = True

    for listener in wire.listeners:
        if isinstance(listener, Router):
            # One given to attach() keeps being called; an earlier app's fan-out does not.
            if listener.on_commit is not None and not getattr(listener.on_commit, "fans_out", False):
                callbacks.append(listener.on_commit)
            listener.on_commit = fan_out
