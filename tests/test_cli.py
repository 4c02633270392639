"""The `newswire` command, run as a real process against a real database."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

NEWSWIRE = [sys.executable, "-m", "newswire.cli"]


def run(args, env, check=True):
    res = subprocess.run(NEWSWIRE + args, env=env, capture_output=True, text=True, timeout=120)
    if check:
        assert res.returncode == 0, res.stderr
    return res


@pytest.fixture
def env(settings):
    e = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    e["NEWSWIRE_DATABASE_URL"] = settings.sqlalchemy_url
    return e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_admin_commands(env, tmp_path):
    assert "up to date" in run(["db", "upgrade"], env).stdout
    assert "acme" in run(["issuer", "create", "acme", "--name", "Acme Corp"], env).stdout
    res = run(["apikey", "create", "--role", "issuer", "--name", "Acme PR", "--issuer", "acme"], env)
    key = res.stdout.strip().splitlines()[-1]
    assert key.startswith("nw_") and key not in res.stderr
    bad = run(["apikey", "create", "--role", "wizard", "--name", "x"], env, check=False)
    assert bad.returncode == 1 and "admin, editor, issuer" in bad.stderr
    dup = run(["issuer", "create", "acme", "--name", "Again"], env, check=False)
    assert dup.returncode == 1 and "exists already" in dup.stderr


def test_data_dir_flag_makes_a_sqlite_database(tmp_path):
    e = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    run(["issuer", "create", "acme", "--name", "Acme", "--data-dir", str(tmp_path / "d")], e)
    assert (tmp_path / "d" / "newswire.db").is_file()
    e["NEWSWIRE_DATA_DIR"] = str(tmp_path / "d")
    assert "acme" in run(["issuer", "list"], e).stdout


def start_server(env, port):
    proc = subprocess.Popen(NEWSWIRE + ["serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/languages", timeout=1)
            return proc
        except httpx.HTTPError:
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)


def test_serve_publishes_embargo_after_a_crash_and_restart(env):
    run(["issuer", "create", "acme", "--name", "Acme Corp"], env)
    key = run(["apikey", "create", "--role", "editor", "--name", "Desk"], env).stdout.strip().splitlines()[-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}"}
    proc = start_server(env, port)
    try:
        when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=3)
        r = httpx.post(f"{base}/api/v1/releases", headers=headers, json={
            "issuer": "acme", "headline": "Embargoed news", "body": "Text.", "language": "en",
            "embargo_until": when.isoformat()})
        assert r.status_code == 201, r.text
        rid = r.json()["id"]
        assert httpx.post(f"{base}/api/v1/releases/{rid}/publish", headers=headers).json()["status"] == "scheduled"
        assert r.json()["url"].startswith(base)
    finally:
        proc.send_signal(signal.SIGKILL)  # a crash, not a clean stop
        proc.wait()
    while dt.datetime.now(dt.timezone.utc) <= when:  # down until the release is overdue
        time.sleep(0.05)
    proc = start_server(env, port)
    try:
        deadline = time.monotonic() + 10
        while httpx.get(f"{base}/api/v1/releases/{rid}").status_code != 200:
            assert time.monotonic() < deadline, "the overdue release did not go out at start-up"
            time.sleep(0.1)
        body = httpx.get(f"{base}/api/v1/releases/{rid}").json()
        assert body["headlines"][0]["value"] == "Embargoed news"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
