"""Newswire behind Debian's real nginx with the documented configuration (deploy/nginx/newswire.conf):
pages, feeds and their 304s, compressed bytes passed on unchanged, static files, and the live stream
event by event. nginx runs as a subprocess on a free 127.0.0.1 port with its own prefix, not a daemon."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import brotli
import httpx
import pytest

from sse_client import TIMEOUT, Stream, free_port, running
from newswire.web import app as web_app

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "deploy" / "nginx" / "newswire.conf"


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        pytest.fail("these tests need Debian's nginx: apt-get install nginx (scripts/test installs it)")
    return found


def configure(prefix: Path, upstream: int, port: int) -> Path:
    """The documented site, pointed at this test's server, port and static folder, in a main
    configuration of its own (pid, logs and temporary files under ``prefix``)."""
    site = SITE.read_text()
    for old, new in (("127.0.0.1:8000", f"127.0.0.1:{upstream}"), ("listen 80;", f"listen 127.0.0.1:{port};"),
                     ("/srv/newswire/newswire/web/static/", f"{web_app.STATIC}/")):
        assert old in site, old
        site = site.replace(old, new)
    temp = prefix / "tmp"
    temp.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # workers read the checkout and write temp files here
        + f"daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log {prefix}/access.log;\n"
        + "".join(f" {kind}_temp_path {temp};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + site + "\n}\n")
    return conf


@pytest.fixture
def nginx(app):
    """(nginx's base URL, Newswire's) with Newswire on a real uvicorn server behind nginx."""
    binary = _nginx()
    with running(app) as upstream, tempfile.TemporaryDirectory(prefix="newswire-nginx-") as tmp:
        prefix, port = Path(tmp), free_port()
        conf = configure(prefix, int(upstream.rsplit(":", 1)[1]), port)
        check = subprocess.run([binary, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True,
                               check=False)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(conf)], stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + TIMEOUT
            while True:
                assert proc.poll() is None, proc.stderr.read().decode()
                try:
                    httpx.get(base + "/static/app.css", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "nginx did not start"
                    time.sleep(0.05)
            yield base, upstream
        finally:
            proc.terminate()
            proc.wait(TIMEOUT)


def test_pages_and_feeds_through_nginx(nginx, publish):
    base, upstream = nginx
    r = [publish(headline=f"Acme news {i}") for i in range(5)][-1]
    with httpx.Client(timeout=TIMEOUT) as http:
        for path in ("/en/", f"/en/releases/{r.public_id}/{r.slug}", "/feeds/en.rss", "/feeds/en.json", "/sitemap-news.xml"):
            direct = http.get(upstream + path, headers={"Accept-Encoding": "identity"})
            via = http.get(base + path, headers={"Accept-Encoding": "identity"})
            assert via.status_code == 200 and via.content == direct.content, path
            assert via.headers["etag"] == direct.headers["etag"]
            assert http.get(base + path, headers={"If-None-Match": via.headers["etag"]}).status_code == 304
            with http.stream("GET", base + path, headers={"Accept-Encoding": "br"}) as packed:
                assert packed.headers["content-encoding"] == "br"
                assert "accept-encoding" in packed.headers["vary"].lower()
                assert brotli.decompress(b"".join(packed.iter_raw())) == direct.content
        css = http.get(base + "/static/app.css")
        assert css.status_code == 200 and css.content == (web_app.STATIC / "app.css").read_bytes()
        assert http.get(base + "/en/releases/99999/nothing").status_code == 404


def test_the_live_stream_passes_event_by_event(nginx, publish):
    base, _ = nginx
    stream = Stream(f"{base}/live", {"Accept-Encoding": "gzip, br"})  # returns once ": connected" came through
    try:
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in stream.response.headers
        for i in range(2):
            r = publish(headline=f"Acme live {i}")
            event = stream.event()  # each one while the response is still open
            assert event["event"] == "release.published" and str(r.id) in str(event["data"])
    finally:
        stream.close()
