"""Translation by a large language model behind an OpenAI-compatible chat-completions API
(vLLM, llama.cpp server, Ollama, hosted services).

html=False: the model sees placeholders (<x1>…</x1>, <x2/>) instead of markup. A model told to
keep HTML tends to "fix" attributes (hrefs, classes); opaque numbered tags give it nothing to
improve, and the pipeline's check catches any it drops. Segments go as a JSON array and must
come back as a JSON array of the same length, so one answer cannot shift text between segments.
"""

from __future__ import annotations

import json
import re

import httpx
from babel import Locale

from ... import config
from ...domain.languages import SUPPORTED
from .base import EngineError, Glossary, UnsupportedPair

BATCH_SEGMENTS = 20  # keeps each answer well inside a small model's output limit
BATCH_CHARS = 6000
_FENCE = re.compile(r"^\s*```[\w-]*\s*\n?(.*?)\n?```\s*$", re.S)


def language_name(tag: str) -> str:
    return Locale.parse(tag, sep="-").get_display_name("en")


def system_prompt(source: str, target: str, glossary: Glossary | None) -> str:
    rules = [
        f"You translate press-release text from {language_name(source)} ({source}) "
        f"to {language_name(target)} ({target}).",
        "The user sends a JSON array of strings. Answer with only a JSON array of the same number "
        "of strings: the translation of each, in the same order. No comments, no code fences.",
        "Tags like <x1>, </x1> and <x2/> stand for formatting and links: keep every one exactly as "
        "written, the same number of times, around the translation of the words they enclose.",
        "Keep numbers, dates, URLs, e-mail addresses, ticker symbols and ISINs exactly as written.",
    ]
    if glossary and glossary.keep:
        rules.append("Never translate these terms; copy them unchanged: "
                     + ", ".join(json.dumps(t, ensure_ascii=False) for t in glossary.keep) + ".")
    forced = glossary.forced_for(target) if glossary else {}
    if forced:
        rules.append("Always translate these terms this way: " + "; ".join(
            f"{json.dumps(k, ensure_ascii=False)} → {json.dumps(v, ensure_ascii=False)}"
            for k, v in forced.items()) + ".")
    return "\n".join(rules)


def parse_answer(content: str, expected: int) -> list[str]:
    """The JSON array in a model's answer; code fences and chatter around it are tolerated."""
    text = content.strip()
    if m := _FENCE.match(text):
        text = m.group(1)
    start, end = text.find("["), text.rfind("]")
    try:
        value = json.loads(text[start:end + 1]) if start >= 0 and end > start else None
    except json.JSONDecodeError as exc:
        raise EngineError(f"the model's answer is not a JSON array: {exc}") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EngineError(f"the model did not answer with a JSON array of strings: {content[:200]!r}")
    if len(value) != expected:
        raise EngineError(f"the model answered {len(value)} segments for {expected}")
    return value


def batches(indexes: list[int], segments: list[str]) -> list[list[int]]:
    out: list[list[int]] = [[]]
    size = 0
    for i in indexes:
        if out[-1] and (len(out[-1]) >= BATCH_SEGMENTS or size + len(segments[i]) > BATCH_CHARS):
            out.append([])
            size = 0
        out[-1].append(i)
        size += len(segments[i])
    return [b for b in out if b]


class ChatEngine:
    name = "chat"
    html = False

    def __init__(self, settings=None, *, url: str | None = None, api_key: str | None = None,
                 model: str | None = None, timeout: float | None = None):
        settings = settings or config.Settings()
        base = (url if url is not None else settings.chat_api_url).rstrip("/")
        self.url = base.removesuffix("/v1") + "/v1/chat/completions" if base else ""
        self.model = model if model is not None else settings.chat_model
        key = api_key if api_key is not None else settings.chat_api_key
        seconds = timeout if timeout is not None else settings.chat_timeout
        self.client = httpx.Client(
            timeout=httpx.Timeout(seconds, connect=min(seconds, 10.0)),
            headers={"Authorization": f"Bearer {key}"} if key else {})

    def pairs(self) -> set[tuple[str, str]]:
        if not self.url:
            return set()
        return {(s, t) for s in SUPPORTED for t in SUPPORTED if s != t}

    def translate(self, segments: list[str], source: str, target: str,
                  glossary: Glossary | None = None) -> list[str]:
        if (source, target) not in self.pairs():
            raise UnsupportedPair(f"the chat engine is not configured for {source}→{target}"
                                  if self.url else "the chat engine is off: set NEWSWIRE_CHAT_API_URL")
        out = list(segments)  # blank segments are passed through untouched
        prompt = system_prompt(source, target, glossary)
        for batch in batches([i for i, s in enumerate(segments) if s.strip()], segments):
            for i, text in zip(batch, self._ask(prompt, [segments[i] for i in batch])):
                out[i] = text
        return out

    def _ask(self, prompt: str, texts: list[str]) -> list[str]:
        body = {
            "model": self.model,
            "messages": [{"role": "system", "content": prompt},
                         {"role": "user", "content": json.dumps(texts, ensure_ascii=False)}],
            "temperature": 0,
        }
        try:
            resp = self.client.post(self.url, json=body)
        except httpx.TimeoutException as exc:
            raise EngineError(f"the chat API timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise EngineError(f"the chat API cannot be reached: {exc}") from exc
        if resp.status_code != 200:
            raise EngineError(f"the chat API answered {resp.status_code}: {resp.text[:300]}")
        try:
            content = resp.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise EngineError(f"the chat API's answer is not a chat completion: {resp.text[:300]}") from None
        if not isinstance(content, str):
            raise EngineError("the chat completion has no text content")
        return parse_answer(content, len(texts))

    def close(self) -> None:
        self.client.close()


def from_settings(settings: config.Settings) -> ChatEngine | None:
    """None while the settings leave the engine off (no chat API URL)."""
    return ChatEngine(settings) if settings.chat_api_url else None
