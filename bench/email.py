"""E-mail fan-out benchmark: N journalists, one release, EmailChannel through the delivery worker,
against a local aiosmtpd sink in another process; then, in the same run, the ceiling: the same
number of messages sent by a bare aiosmtplib loop over one connection to the same sink.

    .venv/bin/python bench/email.py                 # 10,000 journalists, SQLite in a temp dir
    .venv/bin/python bench/email.py --n 50000 --database-url postgresql+psycopg://…/bench

The database given must be empty or disposable: the benchmark migrates it and adds rows.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and this file is named like the
# stdlib's ``email`` package that aiosmtplib imports: put the repository there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse
import asyncio
import multiprocessing as mp
import resource
import secrets
import socket
import tempfile
import time

import aiosmtplib
from sqlalchemy import func, insert, select

from newswire.bootstrap import Container, build
from newswire.config import Settings
from newswire.distribution.channels.email import EmailChannel
from newswire.storage.tables import deliveries, endpoints, subscribers

RELEASE = {
    "headline": "Acme unveils the Rocket Skate 3000", "issuer": "acme", "language": "en",
    "lead": "Acme today announced its new skate.", "dateline": {"city": "Berlin", "date": "2026-11-20"},
    "body": "## Highlights\n\n" + "The **Rocket Skate 3000** goes faster, lighter and further. " * 40,
    "body_format": "markdown", "industries": ["medtop:04000000"], "regions": ["DE"],
}


def sink(port: int, count, ready) -> None:
    """The SMTP server, in its own process so it does not share the event loop being measured."""
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with count.get_lock():
                count.value += len(envelope.rcpt_tos)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(wire: Container, n: int) -> None:
    now = wire.clock()
    with wire.db.transaction() as conn:
        for start in range(0, n, 5000):
            conn.execute(insert(subscribers), [
                {"kind": "journalist", "name": f"Journalist {i}", "email": f"j{i}@bench.test", "languages": [],
                 "regions": [], "industries": [], "issuers": [], "timezone": "UTC", "active": True,
                 "created_at": now, "updated_at": now} for i in range(start, min(n, start + 5000))])
        ids = conn.execute(select(subscribers.c.id).order_by(subscribers.c.id)).scalars().all()
        for start in range(0, n, 5000):
            conn.execute(insert(endpoints), [
                {"subscriber_id": sid, "channel": "email", "format": "email", "address": f"j{i}@bench.test",
                 "max_in_flight": 4, "status": "active", "disabled_reason": "",
                 "unsubscribe_token": secrets.token_urlsafe(24), "created_at": now}
                for i, sid in enumerate(ids[start:start + 5000], start)])


def delivered(wire: Container) -> int:
    with wire.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(deliveries)
                            .where(deliveries.c.status == "delivered")).scalar_one()


async def through_worker(wire: Container, channel: EmailChannel, editor, release_id: int, n: int):
    """Publish, wait until the ledger records all n delivered: seconds (total, publish, first, CPU)."""
    worker = wire.delivery_worker("bench", channels={"email": channel})  # publishes wake it through the bus
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.2)  # the worker's first idle look, outside the measured time
    t0, cpu = time.perf_counter(), time.process_time()
    await asyncio.to_thread(wire.releases.publish, editor, release_id)
    published = time.perf_counter() - t0
    first = None
    while (done := await asyncio.to_thread(delivered, wire)) < n:
        if done and first is None:
            first = time.perf_counter() - t0
        await asyncio.sleep(0.05)
    total, cpu = time.perf_counter() - t0, time.process_time() - cpu
    worker.stop()
    await task
    return total, published, first or total, cpu


async def ceiling(port: int, payload: bytes, n: int) -> tuple[float, float]:
    """The same bytes with the same per-recipient headers, by a bare loop over one connection."""
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await smtp.connect()
    t0, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        head = (f"To: j{i}@bench.test\r\nMessage-ID: <c.{i}@bench.test>\r\n"
                f"List-Unsubscribe: <http://127.0.0.1:8000/unsubscribe/{secrets.token_urlsafe(24)}>\r\n"
                "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n").encode()
        await smtp.sendmail("wire@bench.test", [f"j{i}@bench.test"], head + payload)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu
    await smtp.quit()
    return elapsed, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000, help="journalists (default 10,000)")
    ap.add_argument("--database-url", default="", help="default: SQLite in a temporary directory")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="newswire-bench-email-"))
    port = free_port()
    ctx = mp.get_context("spawn")
    count, ready = ctx.Value("q", 0), ctx.Event()
    proc = ctx.Process(target=sink, args=(port, count, ready), daemon=True)
    proc.start()
    ready.wait(30)
    try:
        settings = Settings(data_dir=tmp, database_url=args.database_url, run_worker=False,
                            smtp_url=f"smtp://127.0.0.1:{port}", mail_from="Bench <wire@bench.test>")
        wire = build(settings)
        wire.accounts.create_issuer("acme", "Acme Corporation", boilerplate="About Acme: makers of everything.")
        seed(wire, args.n)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        channel = EmailChannel(settings)
        editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Bench Editor"))
        release = wire.releases.create(editor, RELEASE)
        payload = channel.render(release, "release.published", None)
        # The ceiling is taken before and after the run and averaged: on a shared machine the sink's
        # speed drifts, and one sample would flatter or wrong whichever ran at a quiet moment.
        bare = [asyncio.run(ceiling(port, payload, args.n))]
        start = count.value
        total, published, first, cpu = asyncio.run(through_worker(wire, channel, editor, release.id, args.n))
        sent = count.value - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        bare.append(asyncio.run(ceiling(port, payload, args.n)))
    finally:
        proc.terminate()

    bare_s, bare_cpu = sum(b[0] for b in bare) / 2, sum(b[1] for b in bare) / 2
    ours, top = args.n / total, args.n / bare_s
    print(f"journalists: {args.n:,}  database: {'SQLite' if settings.is_sqlite else 'PostgreSQL'}  "
          f"message: {len(payload):,} bytes")
    print(f"EmailChannel via worker: {total:.2f} s  {ours:,.0f} msg/s  (publish+routing {published:.2f} s, "
          f"first delivery recorded {first:.2f} s, connections {channel.connections}, sink received {sent:,})")
    print(f"bare aiosmtplib loop:    {bare_s:.2f} s  {top:,.0f} msg/s  "
          f"(mean of a run before and one after: {bare[0][0]:.2f} s, {bare[1][0]:.2f} s)")
    print(f"sender CPU per message:  {cpu / args.n * 1e6:,.0f} µs via worker (database included), "
          f"{bare_cpu / args.n * 1e6:,.0f} µs bare")
    print(f"ratio: {ours / top:.2f}x the ceiling   peak RSS: {rss / 1024:.0f} MiB "
          f"(after seeding {rss_before / 1024:.0f} MiB)")
    wire.engine.dispose()


if __name__ == "__main__":
    main()
