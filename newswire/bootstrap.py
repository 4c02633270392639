"""The composition root: the one place that builds the wire's parts and connects them.

``build(settings)`` makes, once per process, the engine, the event bus, the one write path
(``Database``), every use-case service with its dependencies passed in, and the factories for
channels and workers. ``serve``, ``worker``, the CLI, the benchmarks and the tests all start here;
nothing else constructs infrastructure. ``Runtime`` runs a process's background parts (the
cross-process event listener, the live hub, the release clock and the workers); each factory below
subscribes its part to the events that wake it (docs/architecture.md has the whole table).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine, make_url

from .config import Settings
from .distribution.channels.base import Channel
from .distribution.channels.email import EmailChannel
from .distribution.channels.webhook import WebhookChannel
from .distribution.channels.websub import WebSubChannel
from .distribution.linkcheck import LinkChecker
from .distribution.mailer import Mailer
from .distribution.secrets import derived_key
from .domain.events import (
    DeliveriesQueued,
    EndpointChanged,
    EventBus,
    IssuerChanged,
    ListenerLost,
    ListenerReconnected,
    ReleaseEvent,
    ReleaseScheduled,
    TranslationQueued,
    TranslationReady,
    from_json,
)
from .formats.site import Site
from .services.accounts import AccountService
from .services.backup import Backups
from .services.browse import Browse
from .services.checks import CheckService
from .services.desk import DeskService
from .services.listings import Listings
from .services.media import MediaService
from .services.metrics import Metrics
from .services.ops import OpsService, Part
from .services.pagecache import PageCache
from .services.outlets import OutletService
from .services.portal import PortalService
from .services.ratelimits import RateLimiter
from .services.ratelimits import storage_for as ratelimit_storage
from .services.release_rules import Policy
from .services.releases import ReleaseService
from .services.report_events import ReaderEvents
from .services.reports import ReportService
from .services.routing import Router
from .services.signup import SignupService
from .services.subscriptions import SubscriptionService
from .services.translations import TranslationService
from .services.unit import Clock, Database, utcnow
from .services.links import Links
from .services.users import UserService
from .services.websub import WebSubService
from .storage import db, notify
from .storage.worker_db import WorkerDB
from .translation.memory import SqlMemory
from .translation.models import Registry as ModelRegistry
from .translation.models import models_dir
from .translation.pipeline import Pipeline
from .translation.registry import Registry
from .workers.clock import ReleaseClock
from .workers.delivery import DeliveryWorker, Tuning
from .workers.live import LiveHub
from .workers.live_broker import BrokerFeed, BrokerPublisher
from .workers.live_events import Events
from .workers.translation import TranslationWorker

log = logging.getLogger("newswire")


def default_worker_id(role: str = "worker") -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{role}"


@dataclass
class Container:
    """Everything one process uses, built once. Services are attributes; workers are made on demand."""

    settings: Settings
    engine: Engine
    clock: Clock
    bus: EventBus
    db: Database
    site: Site
    accounts: AccountService
    listings: Listings
    translations: TranslationService
    router: Router
    releases: ReleaseService
    checks: CheckService
    subscriptions: SubscriptionService
    websub: WebSubService
    media: MediaService
    users: UserService
    browse: Browse
    desk: DeskService
    signup: SignupService
    outlets: OutletService
    portal: PortalService
    reports: ReportService
    reader_events: ReaderEvents
    ops: OpsService
    metrics: Metrics
    pages: PageCache  # the rendered public pages and feeds (web/cache.py serves them)
    limiter: RateLimiter  # rate limits per address, key and account (services/ratelimits.py)

    def _wire(self, table: dict, handles: list | None) -> None:
        """Subscribe each handler to its events; ``handles`` collects the unsubscribers (a Runtime's)."""
        for kinds, handler in table.items():
            for kind in kinds:
                undo = self.bus.subscribe(kind, handler)
                if handles is not None:
                    handles.append(undo)

    def channels(self) -> dict[str, Channel]:
        """One instance per channel name, for one delivery worker."""
        return {"webhook": WebhookChannel(self.settings), "email": EmailChannel(self.settings),
                "websub": WebSubChannel(self.settings, self.site, lambda *a, **kw: self.listings.feed(*a, **kw).body)}

    # --- the background parts, each subscribed to the events that wake it ---------------------------

    def delivery_worker(self, worker_id: str | None = None, *, channels: dict[str, Channel] | None = None,
                        handles: list | None = None, **tuning) -> DeliveryWorker:
        worker = DeliveryWorker(WorkerDB(self.engine), self.listings, channels or self.channels(),
                                worker_id or default_worker_id(), clock=self.clock, settings=self.settings,
                                tuning=Tuning.from_settings(self.settings, **tuning), metrics=self.metrics)
        self._wire({(ReleaseEvent, DeliveriesQueued): worker.wake, (EndpointChanged,): worker.endpoint_changed,
                    (ListenerReconnected,): worker.reconnected}, handles)
        return worker

    def translation_worker(self, worker_id: str | None = None, *, handles: list | None = None,
                           **kw) -> TranslationWorker:
        worker = TranslationWorker(self.translations, worker_id or default_worker_id("translation"),
                                   metrics=self.metrics, **kw)
        self._wire({(TranslationQueued, ListenerReconnected): worker.wake}, handles)
        return worker

    def release_clock(self, *, handles: list | None = None) -> ReleaseClock:
        clock = ReleaseClock(self.releases, self.clock, tick=self.settings.scheduler_tick)
        self._wire({(ReleaseScheduled, ListenerReconnected): clock.poke}, handles)
        return clock

    def live_hub(self, *, handles: list | None = None) -> LiveHub:
        hub = LiveHub(Events(self.listings, self.site), on_sent=self.reader_events.live_readers)
        self.metrics.live_readers(lambda: hub.readers)
        self._wire({(ReleaseEvent,): hub.on_release_event, (ListenerLost,): hub.on_lost,
                    (ListenerReconnected,): hub.on_reconnect}, handles)
        return hub

    def live_publisher(self, *, handles: list | None = None) -> BrokerPublisher:
        """With a live broker: this process's committed release events, rendered, to the broker."""
        publisher = BrokerPublisher(self.settings.live_broker, self.settings.live_broker_channel,
                                    Events(self.listings, self.site))
        undo = self.bus.subscribe(ReleaseEvent, publisher.on_committed, local=True)
        if handles is not None:
            handles.append(undo)
        return publisher

    def runtime(self, *, live: bool = False, workers: bool = True, worker_id: str | None = None) -> "Runtime":
        return Runtime(self, live=live, workers=workers, worker_id=worker_id)

    def close(self) -> None:
        self.engine.dispose()


def translation_pipeline(settings: Settings, *, only: list[str] | None = None) -> Pipeline:
    """A pipeline without the wire's database (``newswire translate`` on files): the settings'
    engines, or ``only`` those, and a memory that lasts as long as the pipeline."""
    return Pipeline(Registry.from_settings(settings, only=only))


def model_registry(settings: Settings) -> ModelRegistry:
    """The installed CTranslate2 models (``newswire models …``), in the settings' models directory."""
    return ModelRegistry(models_dir(settings))


def backups(settings: Settings) -> Backups:
    """``newswire backup`` and ``restore``: the database's engine without migrating it first."""
    return Backups(settings, db.make_engine(settings.sqlalchemy_url))


def upgrade(settings: Settings) -> None:
    """Create or migrate the schema of the settings' database to the newest version."""
    db.upgrade(settings.sqlalchemy_url)


def redacted_url(settings: Settings) -> str:
    """The database URL to print: the password hidden."""
    return make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)


def build(settings: Settings, *, clock: Clock = utcnow, migrate: bool = True,
          pipeline: Pipeline | None = None) -> Container:
    """The wire for ``settings``. ``migrate`` brings the schema up to date first; ``pipeline``
    replaces the translation pipeline the settings choose (tests pin an engine)."""
    if migrate:
        db.upgrade(settings.sqlalchemy_url)
    engine = db.make_engine(settings.sqlalchemy_url)
    bus = EventBus()
    database = Database(engine, bus)
    site = Site.from_settings(settings)
    accounts = AccountService(database, clock)
    listings = Listings(database, clock, site)
    router = Router(database, clock)
    translations = TranslationService(
        database, clock, router, lambda: Pipeline(Registry.from_settings(settings), SqlMemory(engine, clock)))
    if pipeline is not None:
        translations.use_pipeline(pipeline)
    checks = CheckService(database, clock, LinkChecker(settings))
    releases = ReleaseService(database, clock, Policy(settings.max_body_bytes, settings.issuer_self_publish),
                              router, translations, checks)
    subscriptions = SubscriptionService(database, clock, settings, accounts)
    websub = WebSubService(database, clock, settings, listings)
    media = MediaService(database, clock, listings, translations, settings.data_dir / "media")
    users = UserService(database, clock, accounts, Links(site, Mailer(settings), clock), session_days=settings.session_days,
                        form_key=derived_key(settings, "csrf"))
    portal = PortalService(database, clock, releases.policy, translations, checks)
    signup = SignupService(database, clock, users, subscriptions)
    outlets = OutletService(database, clock, settings, site, subscriptions, accounts, users,
                            lambda: WebhookChannel(settings))
    ops = OpsService(database, clock)
    # On PostgreSQL the cache serves once the LISTEN connection is up (Runtime); on SQLite it looks
    # at the newest stream id for other processes' releases (services/pagecache.py).
    pages = PageCache(clock, max_bytes=settings.page_cache_mb * 2**20, ttl=settings.page_cache_seconds,
                      listening=not database.postgres, probe=None if database.postgres else listings.latest_stream_id)
    container = Container(settings, engine, clock, bus, database, site, accounts, listings, translations, router,
                          releases, checks, subscriptions, websub, media, users,
                          Browse(database, clock, listings), DeskService(database, clock),
                          signup, outlets, portal, ReportService(database, clock, site),
                          ReaderEvents(database, clock, settings, site), ops, Metrics(ops), pages,
                          RateLimiter(settings, ratelimit_storage(settings, engine)))
    container.metrics.register_cache("pages", pages)
    # every public change empties the page cache, in every process (for the life of the container)
    container._wire({(ReleaseEvent, TranslationReady, TranslationQueued, IssuerChanged): pages.invalidate,
                     (ListenerLost,): pages.suspend, (ListenerReconnected,): pages.resume}, None)
    return container


@dataclass
class Runtime:
    """A process's background parts: with ``live`` the SSE hub (``serve``), with ``workers`` the
    release clock and the delivery and translation workers; on PostgreSQL always the one
    LISTEN connection that brings other processes' events onto this process's bus."""

    container: Container
    live: bool = False
    workers: bool = True
    worker_id: str | None = None
    hub: LiveHub | None = None
    release_clock: ReleaseClock | None = None
    delivery: DeliveryWorker | None = None
    translation: TranslationWorker | None = None
    broker: list = field(default_factory=list)  # with NEWSWIRE_LIVE_BROKER: the publisher, and the feed in serve
    _tasks: list[asyncio.Task] = field(default_factory=list)
    _listener: asyncio.Task | None = None
    listening: bool | None = None  # None: no listener (SQLite); else whether LISTEN is connected now
    _handles: list = field(default_factory=list)  # bus subscriptions, undone on stop

    async def start(self) -> None:
        c = self.container
        if gone := c.media.clean_staging():  # a crashed process's half-written uploads
            log.info("removed %d stale media staging folder(s)", len(gone))
        if c.db.postgres:
            ready = asyncio.Event()
            self.listening = False
            self._listener = asyncio.create_task(
                notify.listen(db.psycopg_url(c.engine), self._heard, self._reconnected, ready, self._lost))
            try:  # so a client connected once the server is up hears every later commit
                await asyncio.wait_for(asyncio.shield(ready.wait()), timeout=10)
            except TimeoutError:
                log.warning("not listening to PostgreSQL yet; still trying (other processes' events wait)")
        if self.live:
            self.hub = c.live_hub(handles=self._handles)
            await self.hub.start()
        if c.settings.live_broker:
            self.broker = [c.live_publisher(handles=self._handles)]
            if self.hub is not None:
                self.broker.append(BrokerFeed(c.settings.live_broker, c.settings.live_broker_channel, self.hub))
            for part in self.broker:
                await part.start()
        if self.workers:
            wid = self.worker_id or default_worker_id()
            self.release_clock = c.release_clock(handles=self._handles)
            self.delivery = c.delivery_worker(wid, handles=self._handles)
            self.translation = c.translation_worker(wid + "-translation", handles=self._handles)
            self._tasks = [asyncio.create_task(x.run()) for x in (self.release_clock, self.delivery, self.translation)]
            for task in self._tasks:
                task.add_done_callback(_report_crash)

    def _heard(self, payload: str) -> None:
        decoded = from_json(payload)
        if decoded is not None and decoded[1] != self.container.bus.origin:  # ours were heard on commit
            self.container.bus.publish(decoded[0])

    def _reconnected(self) -> None:
        # Also after the first connection: harmless (the parts look once more), and it covers what
        # committed between this process's start and its LISTEN taking effect.
        self.listening = True
        self.container.bus.publish(ListenerReconnected())

    def _lost(self) -> None:
        self.listening = False
        self.container.bus.publish(ListenerLost())

    def parts(self) -> list[Part]:
        """The background parts this process runs, for ``/readyz`` (none when ``workers`` is off)."""
        if not self._tasks:
            return []
        now, lease = time.monotonic(), float(self.container.settings.lease_seconds)
        named = zip(("clock", "delivery", "translation"), (self.release_clock, self.delivery, self.translation),
                    self._tasks)
        # a translation's heartbeat goes round every lease/4 of its own (120 s) lease
        stale = {"clock": max(30.0, 4 * self.container.settings.scheduler_tick), "delivery": max(30.0, lease),
                 "translation": float(self.translation.lease) if self.translation else 120.0}
        return [Part(name, not task.done(), now - part.beat, stale[name]) for name, part, task in named]

    def stop_workers(self) -> None:
        """Begin a graceful drain (SIGTERM): in-flight sends finish, unstarted claims go back."""
        for part in (self.release_clock, self.delivery, self.translation):
            if part is not None:
                part.stop()

    async def wait(self) -> None:
        await asyncio.gather(*self._tasks)

    async def stop(self, translation_grace: float = 5.0) -> None:
        self.stop_workers()
        if self._tasks:
            clock_task, delivery_task, translation_task = self._tasks
            await asyncio.gather(clock_task, delivery_task, return_exceptions=True)  # (a crash was logged)
            try:  # a translation still running is left to its lease: the next start takes it up again
                await asyncio.wait_for(asyncio.shield(translation_task), translation_grace)
            except TimeoutError:
                log.warning("shutting down during a translation; it resumes on the next start")
            except Exception:
                pass
        for undo in self._handles:
            undo()
        self._handles.clear()
        for part in reversed(self.broker):
            await part.stop()
        if self.hub is not None:
            await self.hub.stop()
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self.container.pages.suspend()  # no longer hears other processes' changes


def _report_crash(task: asyncio.Task) -> None:
    """Each part outlives database hiccups on its own; one that still ends with an error is logged
    at once, not only when the process stops."""
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %s stopped", task.get_coro().__qualname__, exc_info=task.exception())
