"""Feed fetches for the reports, counted whether the feed came from the page cache or was rendered.

The feed route names the (release, language) items a feed carries in an internal header; this
middleware, outside the page cache, takes the header off every answer and, for each 200, adds one
fetch to each item. Fetches are gathered in memory and written in batches by one flush at a time
(a busy feed costs a dictionary update per request, not a write). The request that finds no flush
running does the flush itself, after its answer has been sent: nothing runs behind the requests'
backs, and what a process has not yet written when it is killed is at most one flush's fetches."""

from __future__ import annotations

from collections import Counter

import anyio

from ...services.report_events import ReaderEvents
from ..newsroom.feeds import FEED_ITEMS

_HEADER = FEED_ITEMS.encode()


class FeedFetches:
    def __init__(self, app, events: ReaderEvents):
        self.app, self.events = app, events
        self.pending: Counter = Counter()
        self._flushing = False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/feeds/"):
            return await self.app(scope, receive, send)

        async def counted(message):
            if message["type"] == "http.response.start":
                carried, headers = None, []
                for k, v in message.get("headers", []):
                    if k.lower() == _HEADER:
                        carried = v
                    else:
                        headers.append((k, v))
                if carried is not None:
                    message = {**message, "headers": headers}
                    if message["status"] == 200:
                        self._add(carried.decode("latin-1"))
            await send(message)

        await self.app(scope, receive, counted)
        if self.pending and not self._flushing:  # this request writes what has gathered, after its answer
            self._flushing = True
            try:
                while self.pending:
                    batch, self.pending = dict(self.pending), Counter()
                    await anyio.to_thread.run_sync(self.events.feed_fetched, batch)
            finally:
                self._flushing = False

    def _add(self, carried: str) -> None:
        for item in filter(None, carried.split(",")):
            rid, _, lang = item.partition(":")
            if rid.isdigit() and lang:
                self.pending[(int(rid), lang)] += 1
