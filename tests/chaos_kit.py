"""What the fault tests (tests/test_chaos_*.py) and bench/chaos.py share: real `newswire worker`
and `newswire serve` processes, a receiver that misbehaves on purpose, and the ledger's checks.

A misbehaving receiver decides each request's fate from (path, how many requests that path had
before), never from a random draw at run time, so a run is the same however the requests
interleave, and the test knows in advance that no delivery needs more tries than the schedule has.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import sqlalchemy as sa
from aiohttp import web

from webhook_receiver import Hit, Receiver, webhook_id

ROOT = Path(__file__).resolve().parents[1]


def fate(path: str, n: int, *, fail: float = 0.3, slow: float = 0.1, most: int = 3) -> str:
    """The ``n``-th request (0-based) to ``path``: with probability ``fail`` a failure ("fail" 503,
    "hang" past the timeout, "reset" the connection), with probability ``slow`` a late but good
    answer, else at once. A path never fails more than ``most`` times in a row, so a schedule of
    ``most`` retries is always enough."""
    if n >= most:
        return "ok"
    digest = hashlib.blake2b(f"{path}#{n}".encode(), digest_size=8).digest()
    draw, pick = struct.unpack(">II", digest)
    if draw / 2**32 < fail:
        return ("fail", "hang", "reset")[pick % 3]
    return "slow" if draw / 2**32 < fail + slow else "ok"


class ChaosReceiver(Receiver):
    """The test receiver, misbehaving as ``fate`` says: 503, hanging ``hang`` seconds (past the
    sender's timeout), answering after ``slow`` seconds, or resetting the connection (RST)."""

    def __init__(self, *, hang: float = 5.0, slow: float = 0.2, **fate_kw):
        super().__init__()
        self.hang, self.slow, self.fate_kw = hang, slow, fate_kw
        self.requests: dict[str, int] = defaultdict(int)
        self.fates: Counter[str] = Counter()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        n = self.requests[path]
        self.requests[path] += 1
        what = fate(path, n, **self.fate_kw)
        self.fates[what] += 1
        body = await request.read()
        if what == "reset":
            sock = request.transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            request.transport.abort()  # RST: the sender sees a connection reset mid-request
            raise asyncio.CancelledError
        if what == "hang":
            await asyncio.sleep(self.hang)
            return web.Response(status=204)  # too late: the sender gave up already
        if what == "slow":
            await asyncio.sleep(self.slow)
        if what == "fail":
            return web.Response(status=503, text="receiver says 503")
        self.hits.append(Hit(path, dict(request.headers), body, time.monotonic()))
        return web.Response(status=204)


class Processes:
    """Starts `python -m newswire.cli worker|serve` processes on one database; kills what is left."""

    def __init__(self, settings, logs: Path):
        self.settings, self.logs = settings, logs
        self.procs: list[subprocess.Popen] = []
        self._names: Counter[str] = Counter()

    def env(self, **overrides) -> dict[str, str]:
        s = self.settings
        return {**os.environ, "PYTHONPATH": str(ROOT), "NEWSWIRE_DATA_DIR": str(s.data_dir),
                "NEWSWIRE_SECRET_KEY": s.secret_key, "NEWSWIRE_WEBHOOK_ALLOW_PRIVATE": "1",
                "NEWSWIRE_DATABASE_URL": s.database_url,
                **{f"NEWSWIRE_{k.upper()}": str(v) for k, v in overrides.items()}}

    def _start(self, name: str, argv: list[str], **overrides) -> subprocess.Popen:
        self._names[name] += 1
        log = open(self.logs / f"{name}-{self._names[name]}.log", "wb")
        p = subprocess.Popen([sys.executable, "-m", "newswire.cli", *argv], env=self.env(**overrides),
                             stdout=log, stderr=subprocess.STDOUT, cwd=self.logs)
        p.log_path = log.name
        self.procs.append(p)
        return p

    def worker(self, name: str, **overrides) -> subprocess.Popen:
        return self._start(name, ["worker", "--id", name], **overrides)

    def serve(self, port: int, **overrides) -> subprocess.Popen:
        return self._start("serve", ["serve", "--port", str(port), "--no-worker"], **overrides)

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout: float, what: str, procs=(), every: float = 0.05) -> None:
    """Poll ``check`` until it holds; fail on the timeout or when one of ``procs`` exited."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        dead = [p for p in procs if p.poll() is not None]
        assert not dead, f"a process exited early: {Path(dead[0].log_path).read_text()[-3000:]}"
        time.sleep(every)


def statuses(engine) -> Counter[str]:
    """The ledger's rows by status (one query, cheap enough to poll)."""
    with engine.connect() as conn:
        return Counter(dict(conn.execute(sa.text("SELECT status, count(*) FROM deliveries GROUP BY status")).all()))


def terminate_backends(engine) -> int:
    """End every other session on this PostgreSQL database (the wire's pools, LISTEN connections
    and workers' own connections), as a server restart would, without touching other databases."""
    with engine.connect() as conn:
        ended = conn.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
        conn.commit()
    return ended


def assert_each_once(ledger_rows, hits, settings) -> None:
    """Every row delivered; the receiver saw each row's ``webhook-id`` at least once, no id it does
    not know, and a repeated id always carried the same body (a resend, not a second delivery)."""
    assert Counter(r.status for r in ledger_rows) == {"delivered": len(ledger_rows)}
    seen: dict[str, set[bytes]] = defaultdict(set)
    for h in hits:
        seen[h.headers["webhook-id"]].add(h.body)
    assert set(seen) == {webhook_id(settings, r.id) for r in ledger_rows}
    assert all(len(bodies) == 1 for bodies in seen.values()), "one webhook-id carried two payloads"


def graceful(p: subprocess.Popen, timeout: float = 30) -> str:
    """SIGTERM, wait for the exit (code 0) and return the worker's exit line with its counts. (A worker
    still starting has no handler yet: it is waited for until it says it is running.)"""
    wait_for(lambda: " running against " in Path(p.log_path).read_text(), timeout, "the worker to start", [p])
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout) == 0, Path(p.log_path).read_text()[-3000:]
    return next(line for line in Path(p.log_path).read_text().splitlines() if " stopped: " in line)
