"""The live stream across processes: a publish made through one `newswire serve` process reaches
SSE clients connected to another sharing the same PostgreSQL database (LISTEN/NOTIFY)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import httpx

from conftest import auth
from sse_client import TIMEOUT, Stream, free_port

NEWSWIRE = [sys.executable, "-m", "newswire.cli"]


def cli(args: list[str], env: dict) -> str:
    res = subprocess.run(NEWSWIRE + args, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip().splitlines()[-1]


def serve(env: dict, url: str, port: int, log) -> subprocess.Popen:
    proc = subprocess.Popen(NEWSWIRE + ["serve", "--port", str(port), "--database-url", url], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/languages", timeout=1)
            return proc
        except httpx.HTTPError:
            assert proc.poll() is None, "server exited"
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_a_publish_through_one_process_reaches_clients_of_another(postgres_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    env["NEWSWIRE_DATA_DIR"] = str(tmp_path)
    slug = f"xproc-{uuid.uuid4().hex[:8]}"  # the session's database is shared with other tests
    cli(["issuer", "create", slug, "--name", "Cross Process Ltd", "--database-url", postgres_url], env)
    key = cli(["apikey", "create", "--role", "editor", "--name", "Desk", "--database-url", postgres_url], env)
    ports = free_port(), free_port()
    procs, streams = [], []
    try:
        for port, name in zip(ports, "ab"):
            with open(tmp_path / f"{name}.log", "wb") as log:  # the child keeps its own descriptor
                procs.append(serve(env, postgres_url, port, log))
        a, b = (f"http://127.0.0.1:{p}" for p in ports)
        streams = [Stream(f"{b}/live?issuer={slug}"), Stream(f"{a}/live?issuer={slug}")]
        created = httpx.post(f"{a}/api/v1/releases", headers=auth(key), timeout=TIMEOUT, json={
            "issuer": slug, "headline": "Heard across processes", "body": "Text.", "language": "en"})
        assert created.status_code == 201, created.text
        rid = created.json()["id"]
        published = httpx.post(f"{a}/api/v1/releases/{rid}/publish", headers=auth(key), timeout=TIMEOUT)
        assert published.json()["status"] == "published", published.text
        on_b, on_a = (s.event() for s in streams)
        assert on_b["event"] == on_a["event"] == "release.published" and on_b["id"] == on_a["id"]
        assert on_b["data"]["id"] == rid and on_b["data"]["headline"] == "Heard across processes"
        assert on_b["data"]["url"].startswith(b)  # each process renders with its own address
    finally:
        for s in streams:
            s.close()
        for proc in procs:
            stop(proc)
