"""Serving benchmark (not a test): a real ``newswire serve`` beside Debian's nginx on the same bytes.

Seeds a fresh SQLite wire with N published releases, starts ``newswire serve`` on a free port of
127.0.0.1, fetches each path once and writes those exact bytes as static files that nginx (one
worker, its own prefix, config, pid and logs, not a daemon) serves on another free port; then
``wrk -t1 -c50`` for a few seconds per path against each: the English RSS feed, the same with
If-None-Match (a 304), a release page, the news sitemap and the home page. Prints req/s for
each, nginx's, and the ratio to nginx's 200 (targets in issue 11: 0.3 for 200s, 0.5 for the 304),
and each server's CPU time a request (from /proc: the figure other load moves least).

    python bench/serve.py                      # 30 releases, 5 s per path
    python bench/serve.py --releases 30 --seconds 5

Needs Debian's ``wrk`` and ``nginx`` (``apt-get install wrk nginx``; installed when run as root).
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The repo instead of this folder: bench/email.py must not shadow the standard library's email package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

import urllib.request  # noqa: E402

from newswire.bootstrap import build  # noqa: E402
from newswire.config import Settings  # noqa: E402

PARAGRAPH = ("Acme Corporation today announced the Rocket Skate {i}, a lighter and faster skate for riders in "
             "every city it serves. The company said the new model uses a recycled frame, a quieter motor and "
             "a battery that lasts twice as long as the one before it, and that it will be sold in forty markets.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_tools() -> None:
    missing = [p for p, tool in (("wrk", "wrk"), ("nginx", "nginx")) if not shutil.which(tool)
               and not Path("/usr/sbin/" + tool).exists()]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env, stdout=subprocess.DEVNULL)
    elif missing:
        sys.exit(f"install {' '.join(missing)} first: sudo apt-get install {' '.join(missing)}")


def seed(data_dir: Path, n: int) -> list:
    settings = Settings(data_dir=data_dir, run_worker=False)
    wire = build(settings)
    wire.accounts.create_issuer("acme", "Acme Corp", boilerplate="About Acme: rockets, skates and more.")
    editor_key = wire.accounts.create_api_key("editor", "bench")
    editor = wire.accounts.authenticate(editor_key)
    out = []
    for i in range(n):
        body = "\n\n".join(PARAGRAPH.format(i=i * 10 + k) for k in range(12))
        r = wire.releases.create(editor, {
            "issuer": "acme", "headline": f"Acme unveils the Rocket Skate {i}", "language": "en",
            "lead": "Acme today announced its new skate.", "body": body, "body_format": "markdown",
            "dateline": {"city": "Berlin"}, "industries": ["medtop:04000000"], "regions": ["DE"]})
        out.append(wire.releases.publish(editor, r.id))
    wire.close()
    return out


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{url}: the server exited ({proc.returncode})")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{url} did not answer")


def fetch(url: str, headers: dict | None = None) -> tuple[bytes, dict]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
        return r.read(), dict(r.headers)


def nginx_config(prefix: Path, root: Path, port: int) -> Path:
    conf = prefix / "nginx.conf"
    conf.write_text(f"""worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;  # as `serve --no-access-log`
    client_body_temp_path {prefix}/tmp; proxy_temp_path {prefix}/tmp; fastcgi_temp_path {prefix}/tmp;
    uwsgi_temp_path {prefix}/tmp; scgi_temp_path {prefix}/tmp;
    sendfile on; tcp_nopush on; keepalive_requests 1000000;
    types {{ application/rss+xml rss; application/xml xml; text/html html; }}
    default_type text/html;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
""")
    (prefix / "tmp").mkdir(exist_ok=True)
    return conf


def cpu_seconds(pid: int) -> float:
    """The process's user and system CPU so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, seconds: int, headers: dict | None = None, pid: int | None = None) -> tuple[float, str, float]:
    """req/s, a note on non-2xx/3xx answers, and the server's CPU µs a request (``pid``'s, when given):
    the figure least moved by other load on the machine."""
    before = cpu_seconds(pid) if pid else 0.0
    args = ["wrk", "-t1", "-c50", f"-d{seconds}s", "--latency"]
    for k, v in (headers or {}).items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    codes = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    count = re.search(r"(\d+) requests in", out)
    per = (cpu_seconds(pid) - before) * 1e6 / int(count.group(1)) if pid and count and int(count.group(1)) else 0.0
    return float(found.group(1)) if found else 0.0, (f"{codes.group(1)} non-2xx/3xx" if codes else ""), per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--releases", type=int, default=30)
    ap.add_argument("--seconds", type=int, default=5, help="wrk's duration per path and server")
    args = ap.parse_args()
    ensure_tools()
    with tempfile.TemporaryDirectory(prefix="newswire-bench-serve-") as tmp:
        tmp = Path(tmp)
        tmp.chmod(0o755)  # nginx's workers (user nobody when started as root) read the static copies
        releases = seed(tmp / "data", args.releases)
        port, nport = free_port(), free_port()
        log = open(tmp / "serve.log", "wb")  # noqa: SIM115 - open for the server's life
        serve = subprocess.Popen([sys.executable, "-m", "newswire.cli", "serve", "--data-dir", str(tmp / "data"),
                                  "--port", str(port), "--no-access-log"], stdout=log, stderr=subprocess.STDOUT)
        nginx = None
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/en/", serve)
            r = releases[len(releases) // 2]
            paths = {"feed": "/feeds/en.rss", "release page": f"/en/releases/{r.id}/{r.slug}",
                     "sitemap": "/sitemap-news.xml", "home page": "/en/"}
            root = tmp / "static"
            etags, sizes = {}, {}
            for name, path in paths.items():
                body, headers = fetch(base + path, {"Accept-Encoding": "identity"})
                etags[name], sizes[name] = headers.get("ETag") or headers.get("etag"), len(body)
                target = root / path.lstrip("/")
                if path.endswith("/"):
                    target = target / "index.html"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)  # the same bytes, for nginx
            (tmp / "nginx").mkdir()
            conf = nginx_config(tmp / "nginx", root, nport)
            nginx = subprocess.Popen(["nginx", "-p", str(tmp / "nginx"), "-c", str(conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(f"http://127.0.0.1:{nport}/feeds/en.rss", nginx)
            rows = []
            worker = nginx_worker(nginx.pid)
            for name, path in paths.items():
                ours, note, our_cpu = wrk(base + path, args.seconds, pid=serve.pid)
                theirs, _, their_cpu = wrk(f"http://127.0.0.1:{nport}{path}", args.seconds, pid=worker)
                rows.append((f"{path} ({name}, {sizes[name] / 1024:.0f} KB)", ours, theirs, 0.3, note,
                             our_cpu, their_cpu))
                if name == "feed":
                    cond, note, cond_cpu = wrk(base + path, args.seconds, {"If-None-Match": etags[name]}, pid=serve.pid)
                    rows.append(("same with If-None-Match (304)", cond, theirs, 0.5, note, cond_cpu, their_cpu))
            print(f"\n{args.releases} releases, wrk -t1 -c50 -d{args.seconds}s, one `newswire serve --no-access-log` "
                  f"process (SQLite), nginx {nginx_version()} with one worker and no access log on the same bytes\n")
            print("| path | Newswire req/s | nginx req/s (200) | ratio | target | server CPU a request, "
                  "Newswire / nginx |\n|---|---|---|---|---|---|")
            for label, ours, theirs, target, note, our_cpu, their_cpu in rows:
                ratio = ours / theirs if theirs else 0
                flag = "" if ratio >= target else " (below)"
                print(f"| {label} | {ours:,.0f}{' ' + note if note else ''} | {theirs:,.0f} | {ratio:.2f}{flag} "
                      f"| ≥ {target} | {our_cpu:.1f} µs / {their_cpu:.1f} µs |")
        finally:
            for proc in (serve, nginx):
                if proc is not None:
                    proc.terminate()
                    try:
                        proc.wait(10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
            log.close()


def nginx_worker(master: int) -> int:
    """nginx's one worker process (the master only supervises it)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    return master


def nginx_version() -> str:
    out = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=False).stderr
    return out.strip().rsplit("/", 1)[-1]


if __name__ == "__main__":
    main()
