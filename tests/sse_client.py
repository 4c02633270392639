"""A real uvicorn server in a thread, and a blocking Server-Sent Events reader, for stream tests."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time

import httpx
import uvicorn

TIMEOUT = 20.0  # the longest any read waits: a missing event fails the test instead of hanging it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(app):
    """The app on a real uvicorn server in a thread, stopped afterwards."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=3))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + TIMEOUT
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(TIMEOUT)


class Stream:
    """A blocking SSE reader; it returns once the server has subscribed it (`: connected`)."""

    def __init__(self, url: str, headers: dict | None = None):
        self._client = httpx.Client(timeout=httpx.Timeout(TIMEOUT))
        self._cm = self._client.stream("GET", url, headers=headers)
        self.response = self._cm.__enter__()
        assert self.response.status_code == 200, self.response.read()
        self._lines = self.response.iter_lines()
        assert "connected" in self.block()["comments"]

    def block(self) -> dict:
        out: dict = {"comments": []}
        for line in self._lines:
            if line == "":
                return out
            name, _, value = line.partition(":")
            if name == "":
                out["comments"].append(value.strip())
            else:
                out[name] = value.removeprefix(" ")
        raise AssertionError("the stream ended")

    def event(self) -> dict:
        while "event" not in (b := self.block()):
            pass
        return {"id": int(b["id"]), "event": b["event"], "data": json.loads(b["data"])}

    def events(self, n: int) -> list[dict]:
        return [self.event() for _ in range(n)]

    def close(self) -> None:
        self._cm.__exit__(None, None, None)
        self._client.close()
