"""Faults at size (not a test; tests/test_chaos_*.py run the same at CI size).

A fan-out of N webhook deliveries on PostgreSQL to a real receiver (tests/chaos_kit.py), with real
`newswire worker` processes, while the chosen fault happens; then the ledger and the receiver are
checked (every row delivered once, every webhook-id seen, repeats only under the same id) and the
figures printed.

    python bench/chaos.py --n 20000 --kill 10            # SIGKILL a worker 10 times during the fan-out
    python bench/chaos.py --n 20000 --cut 3              # pg_terminate_backend of every session, 3 times
    python bench/chaos.py --n 20000 --restart-postgres   # pg_ctlcluster restart (root; disturbs the server)
    python bench/chaos.py --n 5000 --flaky               # receivers failing 30 %, hanging, slow, resetting

It works in a fresh database it creates next to --database-url and drops afterwards.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
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

from chaos_kit import ChaosReceiver, Processes, assert_each_once, graceful, statuses, terminate_backends  # noqa: E402
from newswire.bootstrap import build  # noqa: E402
from newswire.config import Settings  # noqa: E402
from newswire.storage import db  # noqa: E402
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


def run(args, wire, receiver, procs: Processes) -> dict:
    n = args.n
    add_webhooks(wire, [receiver.url(f"/p{i}") for i in range(n)])
    if not args.flaky:
        receiver.delay.update({f"/p{i}": args.delay for i in range(n)})
    tuning = {"lease_seconds": 2} | ({"retry_schedule": "0.1,0.2,0.5,1", "webhook_timeout": 5} if args.flaky else {})
    live = {name: procs.worker(name, **tuning) for name in ("a", "b")}
    editor = wire.accounts.authenticate(wire.accounts.create_api_key("editor", "Desk"))
    wire.accounts.create_issuer("acme", "Acme Corporation")
    started = time.monotonic()
    r = wire.releases.create(editor, {"issuer": "acme", "headline": "Acme ships", "body": "It ships.", "language": "en"})
    wire.releases.publish(editor, r.id)
    faults = max(args.kill, args.cut, 1 if args.restart_postgres else 0)
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
            subprocess.run(["pg_ctlcluster", *args.cluster.split("/"), "restart"], check=True)
    wait(lambda: statuses(wire.engine)["delivered"] == n, 1800, live.values())
    took = time.monotonic() - started
    ledger = rows(wire)
    assert_each_once(ledger, receiver.hits)
    ids = Counter(h.headers["webhook-id"] for h in receiver.hits)
    exits = [graceful(p, 60) for p in live.values()]
    return {"deliveries": n, "faults": faults, "seconds": round(took, 1), "per_second": round(n / took),
            "receiver_requests": sum(getattr(receiver, "requests", ids).values()),
            "seen_twice": sum(c > 1 for c in ids.values()), "attempts_max": max(x.attempts for x in ledger),
            "fates": dict(getattr(receiver, "fates", {})), "exits": exits}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--kill", type=int, default=0, help="SIGKILL a worker this many times")
    ap.add_argument("--cut", type=int, default=0, help="terminate every session this many times")
    ap.add_argument("--restart-postgres", action="store_true")
    ap.add_argument("--cluster", default="15/main", help="VERSION/NAME for pg_ctlcluster")
    ap.add_argument("--flaky", action="store_true", help="receivers fail 30 %%, hang, answer slowly, reset")
    ap.add_argument("--delay", type=float, default=0.2, help="the receiver's answer time (not with --flaky)")
    ap.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    url, admin, name = fresh_database(args.database_url)
    tmp = Path(tempfile.mkdtemp(prefix="nw-chaos-"))
    settings = Settings(data_dir=tmp / "data", database_url=url, webhook_allow_private=True,
                        secret_key=Fernet.generate_key().decode(), run_worker=False)
    wire = build(settings, migrate=False)
    procs = Processes(settings, tmp)
    try:
        with (ChaosReceiver(hang=8.0, slow=0.3) if args.flaky else Receiver()) as receiver:
            figures = run(args, wire, receiver, procs)
    finally:
        procs.close()
        wire.close()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    for k, v in figures.items():
        print(f"{k:>18}: {v}")


if __name__ == "__main__":
    main()
