"""Webhook fan-out benchmark (not a test).

Starts a receiver on 127.0.0.1 in its own process, creates N webhook subscribers, publishes one
release (routing writes N ledger rows in the publish transaction) and runs a DeliveryWorker until
the ledger shows every delivery done. Then, in the same run and against the same receiver, the
ceiling: N POSTs of the same body by a bare aiohttp loop with the same concurrency.

    python bench/fanout.py --n 10000
    python bench/fanout.py --n 100000 --database-url postgresql+psycopg://postgres@127.0.0.1/test
    python bench/fanout.py --workers 2      # two worker processes share the ledger and the concurrency

With a PostgreSQL URL it works in a fresh database it creates next to the given one and drops.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

# The repo instead of this folder: bench/email.py must not shadow the standard library's email package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import aiohttp  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

from newswire.bootstrap import build  # noqa: E402
from newswire.config import Settings  # noqa: E402
from newswire.distribution import secrets  # noqa: E402
from newswire.distribution.channels.base import Target  # noqa: E402
from newswire.distribution.channels.webhook import WebhookChannel  # noqa: E402
from newswire.storage import deliveries as ledger  # noqa: E402
from newswire.storage import subscribers as subs  # noqa: E402
from newswire.storage.tables import deliveries, endpoints, held_deliveries, releases, subscribers  # noqa: E402


def receive(port_out) -> None:
    """The receiver process: answers every POST with 204 after reading the body, and notes when
    the first POST since the last ``GET /first`` arrived (what a receiver would act upon)."""
    from aiohttp import web

    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    first: list[float] = []

    async def hook(request: web.Request) -> web.Response:
        if not first:
            first.append(time.time())
        await request.read()
        return web.Response(status=204)

    async def first_arrival(_request: web.Request) -> web.Response:
        seen = first[0] if first else 0.0
        first.clear()
        return web.json_response(seen)

    async def main():
        app = web.Application()
        app.router.add_post("/{tail:.*}", hook)
        app.router.add_get("/first", first_arrival)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        port_out.send(site._server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


def add_subscribers(wire, n: int, port: int, chunk: int = 5000) -> None:
    """N outlets, each with its own webhook URL and its own secret, in bulk inserts of ``chunk``."""
    now = dt.datetime.now(dt.timezone.utc)
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        with wire.db.transaction() as conn:
            first = (conn.execute(sa.select(sa.func.max(subscribers.c.id))).scalar() or 0) + 1
            subs.create_subscribers(conn, [
                {"id": first + i, "kind": "outlet", "name": f"Outlet {start + i}", "email": None, "languages": [],
                 "regions": [], "industries": [], "issuers": [], "timezone": "UTC", "active": True,
                 "created_at": now, "updated_at": now} for i in range(size)])
            conn.execute(sa.insert(endpoints), [
                {"subscriber_id": first + i, "channel": "webhook", "format": "ninjs", "max_in_flight": 4,
                 "address": f"http://127.0.0.1:{port}/hook/{start + i}", "status": "active", "disabled_reason": "",
                 "secret_enc": secrets.encrypt(wire.settings, secrets.new_webhook_secret()), "created_at": now}
                for i in range(size)])
        if wire.engine.dialect.name == "postgresql":
            with wire.engine.begin() as conn:  # explicit ids: move the sequence past them
                conn.execute(sa.text("SELECT setval('subscribers_id_seq', (SELECT max(id) FROM subscribers))"))


def extra_worker(settings: Settings, name: str, concurrency: int, batch: int, conn) -> None:
    """Another worker process on the same ledger, as `newswire worker` on a second core would be:
    started before the publish, it claims its share; it reports its CPU time when told to stop."""
    wire = build(settings)
    worker = wire.delivery_worker(name, channels={"webhook": WebhookChannel(settings)}, batch=batch,
                                  concurrency=concurrency, idle=0.05)

    async def main():
        task = asyncio.create_task(worker.run())
        conn.send("ready")
        await asyncio.to_thread(conn.recv)  # "stop"
        worker.stop()
        await task

    cpu = time.process_time()
    asyncio.run(main())
    conn.send(time.process_time() - cpu)


async def deliver(wire, release_id: int, concurrency: int, batch: int) -> None:
    worker = wire.delivery_worker("bench", channels={"webhook": WebhookChannel(wire.settings)}, batch=batch,
                                  concurrency=concurrency, idle=0.05)
    task = asyncio.create_task(worker.run())

    def done() -> bool:  # cheap (the due index), so watching costs the worker nothing to speak of
        with wire.engine.connect() as conn:
            return conn.execute(sa.select(deliveries.c.id).where(deliveries.c.status == ledger.PENDING,
                                                                 deliveries.c.release_id == release_id)
                                .limit(1)).first() is None

    while not await asyncio.to_thread(done):
        await asyncio.sleep(0.25)
    worker.stop()
    await task


async def ceiling(port: int, n: int, body: bytes, concurrency: int) -> float:
    """N POSTs by the plainest aiohttp loop we can write, same concurrency: the best we could do."""
    left = iter(range(n))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        async def one_lane():
            for i in left:
                async with session.post(f"http://127.0.0.1:{port}/hook/{i}", data=body,
                                        headers={"Content-Type": "application/json"}) as resp:
                    await resp.read()
                    assert resp.status == 204

        start = time.perf_counter()
        await asyncio.gather(*(one_lane() for _ in range(concurrency)))
        return time.perf_counter() - start


def first_arrival(port: int) -> dt.datetime | None:
    """When the receiver got its first POST since the last look (and start afresh)."""
    async def get():
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/first") as resp:
            return await resp.json()

    seen = asyncio.run(get())
    return dt.datetime.fromtimestamp(seen, dt.timezone.utc) if seen else None


async def scheduled(wire, editor, release_id: int, concurrency: int, batch: int) -> dt.datetime:
    """Schedule the release for a whole second 2–3 s ahead, with the release clock and a worker
    running on one loop as in ``newswire worker``; return that second once all is delivered."""
    handles: list = []
    worker = wire.delivery_worker("bench-clock", channels={"webhook": WebhookChannel(wire.settings)}, batch=batch,
                                  concurrency=concurrency, idle=0.05, handles=handles)
    clock = wire.release_clock(handles=handles)
    tasks = [asyncio.create_task(worker.run()), asyncio.create_task(clock.run())]
    now = dt.datetime.now(dt.timezone.utc)
    second = now.replace(microsecond=0) + dt.timedelta(seconds=3)
    await asyncio.to_thread(wire.releases.publish, editor, release_id, second.isoformat())

    def done() -> bool:  # live, all its rows in the ledger (none held: pre-routing) and none pending
        with wire.engine.connect() as conn:
            rows, pending = conn.execute(sa.select(sa.func.count(), sa.func.count().filter(
                deliveries.c.status == ledger.PENDING)).where(deliveries.c.release_id == release_id)).one()
            held = conn.execute(sa.select(sa.func.count()).select_from(held_deliveries)
                                .where(held_deliveries.c.release_id == release_id)).scalar()
            return rows > 0 and not pending and not held

    while not await asyncio.to_thread(done):
        await asyncio.sleep(0.25)
    clock.stop()
    worker.stop()
    await asyncio.gather(*tasks)
    for undo in handles:
        undo()
    return second


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_postgres(url: str):
    base = sa.engine.make_url(url)
    name = f"newswire_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return base.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="webhook subscribers (default 10,000)")
    ap.add_argument("--database-url", default="", help="PostgreSQL server to use; default: a temporary SQLite file")
    ap.add_argument("--concurrency", type=int, default=256, help="sends in flight, worker and ceiling alike")
    ap.add_argument("--batch", type=int, default=500, help="ledger rows per claim")
    ap.add_argument("--workers", type=int, default=1,
                    help="worker processes sharing the ledger (the concurrency is split between them)")
    args = ap.parse_args()

    parent, child = multiprocessing.get_context("spawn").Pipe()
    receiver = multiprocessing.get_context("spawn").Process(target=receive, args=(child,), daemon=True)
    receiver.start()
    port = parent.recv()
    url, drop = fresh_postgres(args.database_url) if args.database_url else ("", lambda: None)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), database_url=url, webhook_allow_private=True,
                                secret_key=Fernet.generate_key().decode(), run_worker=False)
            wire = build(settings)
            run(wire, args, port)
            wire.engine.dispose()
    finally:
        drop()
        receiver.kill()


def run(wire, args, port: int) -> None:
    n = args.n
    t = time.perf_counter()
    add_subscribers(wire, n, port)
    print(f"database: {wire.engine.dialect.name}; {n:,} subscribers created in {time.perf_counter() - t:.1f} s")
    wire.accounts.create_issuer("acme", "Acme Corporation", boilerplate="About Acme: makers of everything.")
    editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Bench"))
    release = wire.releases.create(editor, {"issuer": "acme", "headline": "Acme unveils the Rocket Skate 3000",
                                   "lead": "Acme today announced its new skate.", "language": "en",
                                   "body": "The **Rocket Skate 3000** goes faster.\n\n" * 20,
                                   "industries": ["medtop:04000000"], "regions": ["DE", "US"]})
    asyncio.run(ceiling(port, 1000, b"{}", args.concurrency))  # warm the receiver up
    share = max(1, args.concurrency // args.workers)
    extras = []
    for i in range(1, args.workers):
        here, there = multiprocessing.get_context("spawn").Pipe()
        proc = multiprocessing.get_context("spawn").Process(
            target=extra_worker, args=(wire.settings, f"bench-{i}", share, args.batch, there), daemon=True)
        proc.start()
        assert here.recv() == "ready"
        extras.append((proc, here))
    rss = [peak_rss_mb()]
    first_arrival(port)  # forget the warm-up

    published_at = dt.datetime.now(dt.timezone.utc)
    t, cpu = time.perf_counter(), time.process_time()
    wire.releases.publish(editor, release.id)
    publish_s, publish_cpu = time.perf_counter() - t, time.process_time() - cpu
    rss.append(peak_rss_mb())
    cpu = time.process_time()
    asyncio.run(deliver(wire, release.id, share, args.batch))
    worker_cpu = time.process_time() - cpu
    for proc, pipe in extras:
        pipe.send("stop")
        worker_cpu += pipe.recv()
        proc.join()
    with wire.engine.connect() as conn:
        first, last, ok = conn.execute(
            sa.select(sa.func.min(deliveries.c.delivered_at), sa.func.max(deliveries.c.delivered_at),
                      sa.func.count(deliveries.c.delivered_at)).where(deliveries.c.release_id == release.id)).one()
    end_to_end = (last - published_at).total_seconds()
    received_first = first_arrival(port)
    rss.append(peak_rss_mb())  # before the ceiling run

    target = Target(id=0, subscriber_id=None, address="", format="ninjs")  # the format the subscribers chose
    body = WebhookChannel(wire.settings).render(wire.releases.get(editor, release.id), "release.published", target)
    cpu = time.process_time()
    bare = asyncio.run(ceiling(port, n, body, args.concurrency))
    bare_cpu = time.process_time() - cpu
    rate, bare_rate = n / end_to_end, n / bare
    print(f"delivered:        {ok:,} of {n:,} (body {len(body):,} bytes, concurrency {args.concurrency}"
          + (f" over {args.workers} worker processes" if args.workers > 1 else "") + ")")
    print(f"publish (routing {n:,} ledger rows, one transaction): {publish_s:.2f} s")
    print(f"publish -> first delivery: {(received_first - published_at).total_seconds() * 1000:.0f} ms at the receiver, "
          f"{(first - published_at).total_seconds():.2f} s recorded in the ledger")
    print(f"publish -> last delivery:  {end_to_end:.2f} s")
    print(f"end to end:       {rate:,.0f} deliveries/s")
    print(f"ceiling:          {bare_rate:,.0f} POSTs/s (bare aiohttp loop, same receiver, {bare:.2f} s)")
    print(f"ratio:            {rate / bare_rate:.2f}  (target >= 0.8)")
    print(f"CPU per delivery: publish {publish_cpu / n * 1e6:.0f} µs + worker {worker_cpu / n * 1e6:.0f} µs; "
          f"bare loop {bare_cpu / n * 1e6:.0f} µs (sender processes only, all threads)")
    if args.workers == 1:
        second_release(wire, editor, args, port, bare_rate)
    print(f"peak RSS:         {rss[0]:.0f} MB after setup, {rss[1]:.0f} MB after publish, "
          f"{rss[2]:.0f} MB after delivery"
          + (f"; other worker processes at most {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB"
             if args.workers > 1 else ""))


def second_release(wire, editor, args, port: int, bare_rate: float) -> None:
    """A scheduled release to the same subscribers (the worker has seen their endpoints before):
    the release second, set by the embargo, to the first POST at the receiver, and its rate from
    the second to the last delivery against the ceiling's."""
    release = wire.releases.create(editor, {"issuer": "acme", "headline": "Acme's Rocket Skate 3000 ships today",
                                   "lead": "Acme ships its new skate.", "language": "en",
                                   "body": "The **Rocket Skate 3000** ships.\n\n" * 20,
                                   "industries": ["medtop:04000000"], "regions": ["DE", "US"]})
    first_arrival(port)
    second = asyncio.run(scheduled(wire, editor, release.id, args.concurrency, args.batch))
    received = first_arrival(port)
    with wire.engine.connect() as conn:
        published_at, = conn.execute(sa.select(releases.c.published_at).where(releases.c.id == release.id)).one()
        last, = conn.execute(sa.select(sa.func.max(deliveries.c.delivered_at))
                             .where(deliveries.c.release_id == release.id)).one()
    went_live = published_at if published_at.tzinfo else published_at.replace(tzinfo=dt.timezone.utc)
    span = (last.replace(tzinfo=dt.timezone.utc) - second).total_seconds()
    print(f"scheduled release (clock + worker, endpoints seen before): release second {second:%H:%M:%S} -> "
          f"went live +{(went_live - second).total_seconds() * 1000:.0f} ms, first delivery "
          f"+{(received - second).total_seconds() * 1000:.0f} ms at the receiver (target < 100 ms), "
          f"last +{span:.2f} s")
    print(f"scheduled release, second -> last: {args.n / span:,.0f} deliveries/s, ratio to the ceiling "
          f"{args.n / span / bare_rate:.2f}")


if __name__ == "__main__":
    main()
