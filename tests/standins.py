"""Serving an aiohttp app on 127.0.0.1 from a thread of its own, for the local stand-ins of
remote services that cannot be reached from here (the chat API, DeepL). The engines under
test are synchronous and call it as they would the real host."""

from __future__ import annotations

import asyncio
import re
import threading

from aiohttp import web

# The stand-ins' "translation": word by word from this dictionary, unknown words unchanged.
EN_ES = {
    "the": "el", "new": "nuevo", "office": "oficina", "opened": "abrió", "in": "en", "board": "junta",
    "approved": "aprobó", "plan": "plan", "sales": "ventas", "grew": "crecieron", "today": "hoy",
    "company": "empresa", "product": "producto", "is": "es", "available": "disponible", "our": "nuestro",
}
WORD = re.compile(r"[^\W\d_]+")


def dictionary_translate(text: str, terms: dict[str, str] | None = None) -> str:
    """Terms first (longest first, as a glossary would), then each remaining word."""
    out, i = [], 0
    ordered = sorted((terms or {}).items(), key=lambda kv: -len(kv[0]))
    while i < len(text):
        for src, dst in ordered:
            if text.startswith(src, i):
                out.append(dst)
                i += len(src)
                break
        else:
            m = WORD.match(text, i)
            if not m:
                out.append(text[i])
                i += 1
                continue
            word = m.group(0)
            es = EN_ES.get(word.lower(), word)
            out.append(es.capitalize() if word[0].isupper() and es.islower() else es)
            i = m.end()
    return "".join(out)


class ThreadedApp:
    def __init__(self, app: web.Application):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runner = web.AppRunner(app, shutdown_timeout=0.5)
        self._wait(self.runner.setup())
        self._wait(web.TCPSite(self.runner, "127.0.0.1", 0).start())
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    def _wait(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def close(self) -> None:
        self._wait(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
