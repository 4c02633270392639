"""What the browser tests share: Debian's Chromium through Playwright, and the app served by a real
uvicorn server on 127.0.0.1 that a test may stop and start again on the same port (a dropped
connection, as readers see it when a server restarts)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
START_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def launch():
    """Chromium, headless; the test is skipped where Debian's package is not installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Served:
    """``make_app()`` served by uvicorn in a thread on one port: ``start()``, ``stop()``, ``start()``
    again (a new app each time, so its lifespan, live hub included, starts afresh)."""

    def __init__(self, make_app, port: int | None = None):
        self.make_app, self.port = make_app, port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Served:
        config = uvicorn.Config(self.make_app(), host="127.0.0.1", port=self.port, log_level="warning",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            assert self._thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Stop serving: open connections (live streams too) are closed, the port is free again."""
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=START_TIMEOUT)
            assert not self._thread.is_alive(), "uvicorn did not stop"
            self._server = None

    def __enter__(self) -> str:
        return self.start().base

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(app, port: int | None = None) -> Served:
    """``with serve(app) as base:`` the app on 127.0.0.1 until the block ends."""
    return Served(lambda: app, port)


SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def screenshot(page, name: str) -> None:
    """Keep a screenshot of a main page for the README (docs/screenshots/NAME.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def sqlite_settings(tmp_path, sqlite_template, port: int, **overrides):
    """Settings for a wire served on ``port``: a copy of the migrated SQLite template in a temp dir,
    links to http://127.0.0.1:port, no in-process workers (a test drives them)."""
    import shutil

    from newswire.config import Settings

    target = tmp_path / "data" / "newswire.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(sqlite_template, target)
    return Settings(data_dir=target.parent, database_url=f"sqlite:///{target}", base_url=f"http://127.0.0.1:{port}",
                    **{"run_worker": False, **overrides})
