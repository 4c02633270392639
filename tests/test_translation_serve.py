"""The translation worker inside a real `newswire serve` process (SQLite, engines from the
environment): approving a release over HTTP gets it translated in the background, with progress in
the API, and publishing it puts the Spanish version online."""

from __future__ import annotations

import os
import time

import httpx

from conftest import auth
from test_live_processes import cli, serve, stop
from sse_client import free_port

SAMPLE = {"issuer": "acme", "headline": "The company opened a new office in Madrid", "language": "en",
          "lead": "The new office opened today.", "dateline": {"city": "Madrid"},
          "body": "The board approved the plan. See [the office](https://acme.example/madrid).",
          "body_format": "markdown", "target_languages": ["es"]}


def test_serve_translates_an_approved_release_in_the_background(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    env.update(NEWSWIRE_DATA_DIR=str(tmp_path), NEWSWIRE_TRANSLATION_ENGINES="apertium")
    cli(["issuer", "create", "acme", "--name", "Acme"], env)
    key = cli(["apikey", "create", "--role", "editor", "--name", "Desk"], env)
    port = free_port()
    with open(tmp_path / "serve.log", "wb") as log:
        proc = serve(env, f"sqlite:///{tmp_path}/newswire.db", port, log)
    base, h = f"http://127.0.0.1:{port}", auth(key)
    try:
        rid = httpx.post(f"{base}/api/v1/releases", json=SAMPLE, headers=h).json()["id"]
        for action in ("submit", "approve"):
            assert httpx.post(f"{base}/api/v1/releases/{rid}/{action}", headers=h).status_code == 200
        deadline, item = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            [item] = httpx.get(f"{base}/api/v1/releases/{rid}/translations", headers=h).json()["items"]
            if item["status"] not in ("queued", "translating"):
                break
            time.sleep(0.2)
        assert item["status"] == "ready", (item, (tmp_path / "serve.log").read_text())
        assert item["progress"]["done"] == item["progress"]["total"] > 0
        assert httpx.get(f"{base}/api/v1/releases/{rid}?lang=es").status_code == 404  # not yet published
        assert httpx.post(f"{base}/api/v1/releases/{rid}/publish", headers=h).status_code == 200
        doc = httpx.get(f"{base}/api/v1/releases/{rid}?lang=es").json()
        assert doc["language"] == "es" and "oficina" in doc["headlines"][0]["value"]
        page = httpx.get(doc["renditions"][0]["href"].replace("http://127.0.0.1:8000", base))
        assert page.status_code == 200 and 'hreflang="en"' in page.text
    finally:
        stop(proc)
