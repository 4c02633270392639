"""What every background part shares: being told things from any thread. Bus handlers run on the
thread that committed (a request's, a worker's), while each part lives on its own event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class OnLoop:
    """``_on_loop(fn, *args)`` runs ``fn`` on the part's loop, from any thread; a no-op before the
    part runs and after its loop closed. ``poke`` sets the part's wake-up event that way."""

    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event

    def _on_loop(self, fn: Callable, *args) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop closed while we were told
            pass

    def poke(self, _event=None) -> None:
        """Look now (a bus handler too). Safe from any thread."""
        self._on_loop(self._wake.set)
