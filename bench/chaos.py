"""Faults at size (not a test; tests/test_chaos_*.py run the same at CI size).

A fan-out of N webhook deliveries on PostgreSQL to a real receiver (tests/chaos_kit.py), with real
`newswire worker` processes, while the chosen fault happens; then the ledger and the receiver are
checked (every row delivered once, every webhook-id seen, repeats only under the same id) and the
figures printed.

    python bench/chaos.py --n 20000 --kill 10            # SIGKILL a worker 10 times during the fan-out
    python bench/chaos.py --n 20000 --cut 3              # pg_terminate_backend of every session, 3 times
    python bench/chaos.py --n 20000 --restart-postgres   # pg_ctl restart -m fast of a private server
    python bench/chaos.py --n 20000 --restart-postgres --down 5   # stopped for 5 s, then started
    python bench/chaos.py --n 5000 --flaky               # receivers failing 30 %, hanging, slow, resetting

It works in a fresh database it creates next to --database-url and drops afterwards; with
--restart-postgres on a private PostgreSQL server of its own instead (tests/pgcluster.py: initdb in
a temporary folder, a free port), which a `newswire serve` shares with the workers, so the restart
disturbs nobody else. Its figures: how long the server was away, when the ledger moved again, when
`serve`'s /readyz was ready and every process listening again, and deliveries/s before and after
(after / before: the ratio to the ceiling measured in the same run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (bench/email.py)
sys.path.insert(1, str(Path(__file__).resolve().parents[1] / "tests"))

import sqlalchemy as sa  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

import httpx  # noqa: E402

from chaos_kit import (ChaosReceiver, Processes, assert_each_once, free_port, graceful, statuses,  # noqa: E402
                       terminate_backends)
from helpers import postgres_listeners  # noqa: E402
from newswire.bootstrap import build  # noqa: E402
from newswire.config import Settings  # noqa: E402
from newswire.storage import db, notify  # noqa: E402
from newswire.storage.tables import deliveries  # noqa: E402
from pgcluster import Cluster  # noqa: E402
from webhook_receiver import Receiver, add_webhooks, rows  # noqa: E402


def fresh_database(admin_url: str) -> tuple[str, sa.Engine, str]:
    name = f"nw_chaos_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    db.upgrade(url)
    return url, admin, name


def wait(check, timeout: float, procs=()) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        for p in procs:
            if p.poll() is not None and p.returncode not in (0, -signal.SIGKILL):
                raise SystemExit(f"a worker died: {Path(p.log_path).read_text()[-2000:]}")
        time.sleep(0.1)


def run(args, wire, receiver, procs: Processes, cluster: Cluster | None) -> dict:
    n = args.n
    add_webhooks(wire, [receiver.url(f"/p{i}") for i in range(n)])
    if not args.flaky:
        receiver.delay.update({f"/p{i}": args.delay for i in range(n)})
    tuning = {"lease_seconds": 2} | ({"retry_schedule": "0.1,0.2,0.5,1", "webhook_timeout": 5} if args.flaky else {})
    live = {name: procs.worker(name, **tuning) for name in ("a", "b")}
    serve = None
    if cluster is not None:  # serve too: its pool and its LISTEN connection go through the restart
        port = free_port()
        serve = (f"http://127.0.0.1:{port}", procs.serve(port))
        wait(lambda: postgres_listeners(wire.engine, notify.CHANNEL) == 3 and ready(serve[0]), 120,
             [*live.values(), serve[1]])
    editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Desk"))
    wire.accounts.create_issuer("acme", "Acme Corporation")
    started = time.monotonic()
    r = wire.releases.create(editor, {"issuer": "acme", "headline": "Acme ships", "body": "It ships.", "language": "en"})
    wire.releases.publish(editor, r.id)
    faults = max(args.kill, args.cut, 1 if cluster is not None else 0)
    recovery = {}
    for k in range(1, faults + 1):
        wait(lambda k=k: statuses(wire.engine)["delivered"] >= k * n // (faults + 1), 600, live.values())
        if args.kill:
            name = "ab"[k % 2]
            live[name].send_signal(signal.SIGKILL)
            live[name].wait(10)
            live[name] = procs.worker(name, **tuning)
        elif args.cut:
            terminate_backends(wire.engine)
        else:
            recovery = restart(cluster, args.down, wire, serve, live)
    wait(lambda: statuses(wire.engine)["delivered"] == n, 1800, live.values())
    took = time.monotonic() - started
    ledger = rows(wire)
    assert_each_once(ledger, receiver.hits, wire.settings)
    ids = Counter(h.headers["webhook-id"] for h in receiver.hits)
    exits = [graceful(p, 60) for p in live.values()]
    figures = {"deliveries": n, "faults": faults, "seconds": round(took, 1), "per_second": round(n / took),
               "lost": n - Counter(x.status for x in ledger)["delivered"],
               "receiver_requests": sum(getattr(receiver, "requests", ids).values()),
               "seen_twice": sum(c > 1 for c in ids.values()), "attempts_max": max(x.attempts for x in ledger),
               "fates": dict(getattr(receiver, "fates", {})), "exits": exits}
    if recovery:
        figures |= rates(wire, recovery)
    return figures


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def restart(cluster: Cluster, down: float, wire, serve, live) -> dict:
    """Restart the private server; then poll until serve's /readyz is ready and the three processes
    listen again. Returns when each happened (monotonic seconds after the restart began)."""
    at, t0 = utcnow(), time.monotonic()
    cluster.restart(down)
    back, t1 = utcnow(), time.monotonic()
    seen: dict[str, float] = {}
    while len(seen) < 2:
        if "ready" not in seen and ready(serve[0]):
            seen["ready"] = time.monotonic() - t0
        if "listening" not in seen and postgres_listeners(wire.engine, notify.CHANNEL) == 3:
            seen["listening"] = time.monotonic() - t0
        if time.monotonic() - t1 > 300:
            raise SystemExit(f"not back 300 s after the restart: {seen}")
        for p in (*live.values(), serve[1]):
            if p.poll() is not None:
                raise SystemExit(f"a process died: {Path(p.log_path).read_text()[-2000:]}")
        time.sleep(0.02)
    return {"at": at, "back": back, "down": t1 - t0, **seen}


def rates(wire, r: dict) -> dict:
    """From the ledger's delivered_at (each outcome's write time): the rate from the first delivery to
    the restart, the first write after it, and the rate from then to the last."""
    with wire.engine.connect() as conn:
        times = sorted(conn.execute(sa.select(deliveries.c.delivered_at)).scalars())
    before = [t for t in times if t < r["at"]]
    after = [t for t in times if t >= r["back"]]
    moved = (after[0] - r["at"]).total_seconds() if after else float("nan")
    rate_before = (len(before) - 1) / max((r["at"] - before[0]).total_seconds(), 1e-9) if before else 0.0
    rate_after = (len(after) - 1) / max((after[-1] - after[0]).total_seconds(), 1e-9) if len(after) > 1 else 0.0
    return {"server_down_s": round(r["down"], 2), "ledger_moved_after_s": round(moved, 2),
            "serve_ready_after_s": round(r["ready"], 2), "all_listening_after_s": round(r["listening"], 2),
            "delivered_before": len(before), "written_during_restart": len(times) - len(before) - len(after),
            "per_second_before": round(rate_before), "per_second_after": round(rate_after),
            "after_over_before": round(rate_after / rate_before, 2) if rate_before else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--kill", type=int, default=0, help="SIGKILL a worker this many times")
    ap.add_argument("--cut", type=int, default=0, help="terminate every session this many times")
    ap.add_argument("--restart-postgres", action="store_true", help="restart a private PostgreSQL server mid-fan-out")
    ap.add_argument("--down", type=float, default=0.0,
                    help="with --restart-postgres: stay stopped this many seconds (0: pg_ctl restart -m fast)")
    ap.add_argument("--flaky", action="store_true", help="receivers fail 30 %%, hang, answer slowly, reset")
    ap.add_argument("--delay", type=float, default=0.2, help="the receiver's answer time (not with --flaky)")
    ap.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    cluster = Cluster().start() if args.restart_postgres else None
    try:
        if cluster is not None:
            url, admin, name = cluster.create_database("newswire"), None, None
            db.upgrade(url)
        else:
            url, admin, name = fresh_database(args.database_url)
        tmp = Path(tempfile.mkdtemp(prefix="nw-chaos-"))
        settings = Settings(data_dir=tmp / "data", database_url=url, webhook_allow_private=True,
                            secret_key=Fernet.generate_key().decode(), run_worker=False)
        wire = build(settings, migrate=False)
        procs = Processes(settings, tmp)
        try:
            with (ChaosReceiver(hang=8.0, slow=0.3) if args.flaky else Receiver()) as receiver:
                figures = run(args, wire, receiver, procs, cluster)
        finally:
            procs.close()
            wire.close()
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        if cluster is not None:
            cluster.close()
    for k, v in figures.items():
        print(f"{k:>22}: {v}")


if __name__ == "__main__":
    main()
