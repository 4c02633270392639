"""Live stream benchmark (not a test): N SSE readers on one `newswire serve` process.

Starts a real `newswire serve` (no worker) on a fresh database, connects N readers (raw asyncio
sockets, split over a few processes) to GET /live, publishes one release through the API and times
when each reader has its frame. Prints connect time, delivery p50/p99 (publish request
sent → frame read by the reader; the request's own time is printed beside) and the serve process's memory per reader (RSS after connecting minus
RSS before, over N), each beside its target: 20,000 readers a process, p99 < 500 ms, < 10 KB each.

    python bench/live.py                 # 5,000 readers
    python bench/live.py --n 19900 --clients 3   # the most this machine's descriptor limit allows
    python bench/live.py --broker redis://127.0.0.1:6379/0   # the stream fed through Redis

The readers' own CPU counts in the delivery times (they share the machine with the server), so
each reader is a bare ``asyncio.Protocol``: no HTTP client, no coroutine. One process holds at most
its descriptor limit of sockets (``ulimit -Hn``; raised to it here, and above it where allowed):
where that is 20,000, 20,000 readers plus the server's own files do not fit in one process.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

# The repo instead of this folder: bench/email.py must not shadow the standard library's email package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import httpx  # noqa: E402

from newswire.bootstrap import build  # noqa: E402
from newswire.config import Settings  # noqa: E402

TARGET_READERS, TARGET_P99_MS, TARGET_KB = 20_000, 500, 10
OWN_FILES = 96  # the serve process's own descriptors: database, listening socket, logs, event loop


def raise_fd_limit(want: int = 262_144) -> int:
    """As many file descriptors as allowed: above the hard limit too where the user may (root)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
            return want
        except (ValueError, OSError):
            want = hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


class Reader(asyncio.Protocol):
    """One SSE reader on a raw socket: no HTTP client, no coroutine, no buffer beyond the last few
    bytes, so the readers' CPU stays small beside the server's (they share the machine)."""

    def __init__(self, request: bytes, connected, arrived: list):
        self.request, self.connected, self.arrived = request, connected, arrived
        self.tail, self.stage, self.t = b"", 0, time.perf_counter()

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        seen = self.tail + data
        if self.stage == 0 and b": connected" in seen:
            self.stage = 1
            self.connected.set_result(time.perf_counter() - self.t)
            seen = seen[seen.index(b": connected") + 11:]
        if self.stage == 1 and b"\nid: " in seen:
            self.stage = 2
            self.arrived.append(time.time())
            self.transport.close()
        self.tail = seen[-16:]

    def connection_lost(self, exc) -> None:
        if not self.connected.done():
            self.connected.set_exception(exc or ConnectionError("closed before ': connected'"))


def readers(url: str, n: int, pipe) -> None:
    """A reader process: ``n`` streams; reports connect times, then when each read its first event."""
    raise_fd_limit()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    parts = urlsplit(url)
    request = (f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: text/event-stream\r\n\r\n").encode()

    async def main():
        loop = asyncio.get_running_loop()
        gate = asyncio.Semaphore(200)  # connects in flight (the server's listen backlog)
        connected, arrived, readers_ = [], [], []

        async def one():
            async with gate:
                done = loop.create_future()
                _t, reader = await loop.create_connection(lambda: Reader(request, done, arrived),
                                                          parts.hostname, parts.port)
                readers_.append(reader)
                connected.append(await done)

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        pipe.send(("connected", connected, time.perf_counter() - start))
        deadline = time.monotonic() + 120
        while len(arrived) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        pipe.send(("arrived", arrived))
        for reader in readers_:
            reader.transport.close()

    asyncio.run(main())


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def start_serve(env: dict, port: int, log) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "newswire.cli", "serve", "--port", str(port), "--no-worker"]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/languages", timeout=1)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("newswire serve did not start")
            time.sleep(0.2)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5_000, help="readers (default 5,000)")
    ap.add_argument("--clients", type=int, default=2, help="reader processes the readers are split over")
    ap.add_argument("--broker", default="", help="NEWSWIRE_LIVE_BROKER for the serve process (redis://…)")
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    fds = raise_fd_limit()  # serve and the readers inherit it
    if fds < args.n + OWN_FILES:
        raise SystemExit(f"the file descriptor limit ({fds:,}, `ulimit -Hn`) leaves room for at most "
                         f"{fds - OWN_FILES:,} readers in one serve process, not {args.n:,}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), run_worker=False)
        wire = build(settings)
        wire.accounts.create_issuer("acme", "Acme Corporation")
        key = wire.accounts.create_api_key("editor", "Bench")
        wire.engine.dispose()
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
        env.update(NEWSWIRE_DATA_DIR=tmp, PYTHONPATH=sys.path[0])
        if args.broker:
            env.update(NEWSWIRE_LIVE_BROKER=args.broker, NEWSWIRE_LIVE_BROKER_CHANNEL=f"bench.{uuid.uuid4().hex}")
        with open(Path(tmp) / "serve.log", "wb") as log:
            proc = start_serve(env, args.port, log)
        try:
            run(args, proc, f"http://127.0.0.1:{args.port}", key)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def run(args, proc: subprocess.Popen, base: str, key: str) -> None:
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60)
    def draft(headline: str) -> int:
        return api.post("/api/v1/releases", json={"issuer": "acme", "headline": headline, "language": "en",
                                                  "body": "The skate goes faster."}).json()["id"]

    # A first publish warms the pre-publication checks (language models, indexes) up, before any reader.
    assert api.post(f"/api/v1/releases/{draft('Acme opens a new plant')}/publish").status_code == 200
    rid = draft("Acme unveils the Rocket Skate 3000")
    with httpx.stream("GET", f"{base}/live", timeout=10) as warm:  # the first stream's imports and caches
        next(warm.iter_bytes())
    before = rss_kb(proc.pid)
    ctx = multiprocessing.get_context("spawn")
    shares = [args.n // args.clients + (i < args.n % args.clients) for i in range(args.clients)]
    pipes, procs = [], []
    for share in shares:
        here, there = ctx.Pipe()
        p = ctx.Process(target=readers, args=(f"{base}/live", share, there), daemon=True)
        p.start()
        pipes.append(here)
        procs.append(p)
    connects, spans = [], []
    for pipe in pipes:
        kind, times, span = pipe.recv()
        connects += times
        spans.append(span)
    time.sleep(1.0)  # let the server settle (not a test)
    after = rss_kb(proc.pid)
    sent = time.time()  # the readers' clock is this machine's too
    published = api.post(f"/api/v1/releases/{rid}/publish")
    api_ms = (time.time() - sent) * 1000
    assert published.status_code == 200, published.text
    arrived = []
    for pipe in pipes:
        kind, times = pipe.recv()
        arrived += times
    for p in procs:
        p.join(timeout=30)
    lat = [(t - sent) * 1000 for t in arrived]
    per_reader = (after - before) / args.n
    p99 = pct(lat, 0.99) if lat else float("inf")
    print(f"readers:        {args.n:,} on one serve process ({args.clients} reader processes"
          + (f", broker {args.broker}" if args.broker else "") + ")")
    print(f"connect:        all in {max(spans):.1f} s; each p50 {pct(connects, .5) * 1000:.0f} ms, "
          f"p99 {pct(connects, .99) * 1000:.0f} ms")
    print(f"delivered:      {len(lat):,} of {args.n:,}; publish request sent -> frame read: "
          f"p50 {pct(lat, .5):.0f} ms, p99 {p99:.0f} ms, max {max(lat):.0f} ms (the publish request itself: {api_ms:.0f} ms)")
    print(f"memory:         serve RSS {before / 1024:.0f} MB before, {after / 1024:.0f} MB with the readers: "
          f"{per_reader:.1f} KB a reader")
    print(f"ratio to target: readers {args.n / TARGET_READERS:.2f} of {TARGET_READERS:,}; "
          f"p99 {TARGET_P99_MS / p99:.2f} (target {TARGET_P99_MS} ms / measured); "
          f"memory {TARGET_KB / per_reader if per_reader > 0 else float('inf'):.2f} (target {TARGET_KB} KB / measured)")


if __name__ == "__main__":
    main()
