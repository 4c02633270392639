"""The OpenAI-compatible chat engine against a local stand-in.

The stand-in replaces a remote LLM server (vLLM, llama.cpp, Ollama, a hosted API) that cannot
run here. It speaks the documented OpenAI Chat Completions format exactly: it accepts only
``POST /v1/chat/completions`` with a JSON body of known parameters (``model`` a string,
``messages`` a non-empty list of ``{"role", "content"}`` with a known role and string or
text-part content, ``temperature`` in [0, 2]), answers errors as ``{"error": {"message",
"type", "param", "code"}}`` and successes as a ``chat.completion`` object whose
``choices[0].message.content`` holds the text. Its "model" translates word by word from a
dictionary, keeps the placeholder tags, and obeys the glossary the system prompt lists. The
requested model name picks a misbehaviour: fenced, chatty, short, prose, slow, error.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import pytest
from aiohttp import web

from newswire.config import Settings, from_env
from newswire.translation.engines import chat
from newswire.translation.engines.base import EngineError, Glossary, UnsupportedPair
from newswire.translation.engines.chat import ChatEngine
from standins import ThreadedApp, dictionary_translate

KEY = "sk-test-123"
PARAMS = {"model", "messages", "temperature", "top_p", "n", "stream", "stop", "max_tokens",
          "max_completion_tokens", "response_format", "seed", "presence_penalty", "frequency_penalty", "user"}
ROLES = {"system", "developer", "user", "assistant", "tool"}
QUOTED = r'"((?:[^"\\]|\\.)*)"'


def error(status: int, message: str, kind: str = "invalid_request_error") -> web.Response:
    return web.json_response({"error": {"message": message, "type": kind, "param": None, "code": None}},
                             status=status)


def prompt_terms(system: str) -> dict[str, str]:
    """What the stand-in model takes from the system prompt's glossary lines."""
    terms = {}
    for line in system.splitlines():
        if line.startswith("Never translate"):
            terms |= {json.loads(f'"{t}"'): json.loads(f'"{t}"') for t in re.findall(QUOTED, line)}
        if line.startswith("Always translate"):
            terms |= {json.loads(f'"{a}"'): json.loads(f'"{b}"') for a, b in re.findall(QUOTED + " → " + QUOTED, line)}
    return terms


class ChatStandIn(ThreadedApp):
    def __init__(self):
        self.requests: list[dict] = []
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.completions)
        super().__init__(app)

    async def completions(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {KEY}":
            return error(401, "Incorrect API key provided.", "invalid_api_key")
        if request.content_type != "application/json":
            return error(400, "Content-Type must be application/json")
        try:
            body = json.loads(await request.read())
        except ValueError:
            return error(400, "We could not parse the JSON body of your request.")
        self.requests.append(body)
        if unknown := set(body) - PARAMS:
            return error(400, f"Unrecognized request argument supplied: {sorted(unknown)[0]}")
        messages = body.get("messages")
        if not isinstance(body.get("model"), str) or not isinstance(messages, list) or not messages:
            return error(400, "'model' (string) and 'messages' (non-empty array) are required.")
        for m in messages:
            content = m.get("content") if isinstance(m, dict) else None
            parts_ok = isinstance(content, list) and all(
                isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str) for p in content)
            if m.get("role") not in ROLES or not (isinstance(content, str) or parts_ok):
                return error(400, f"Invalid message: {m!r}")
        temperature = body.get("temperature", 1)
        if not isinstance(temperature, (int, float)) or not 0 <= temperature <= 2:
            return error(400, "temperature must be between 0 and 2")

        mode = body["model"]
        if mode == "slow":
            await asyncio.sleep(5)
        if mode == "error":
            return error(500, "The server had an error while processing your request.", "server_error")
        system = "\n".join(m["content"] for m in messages if m["role"] == "system")
        segments = json.loads(messages[-1]["content"])
        out = [dictionary_translate(s, prompt_terms(system)) for s in segments]
        if mode == "short":
            out = out[:-1]
        content = json.dumps(out, ensure_ascii=False)
        content = {"fenced": f"```json\n{content}\n```", "chatty": f"Here are the translations:\n{content}\nDone.",
                   "prose": "Lo siento, no puedo ayudar con eso."}.get(mode, content)
        return web.json_response({
            "id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()), "model": mode,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})


@pytest.fixture(scope="module")
def server():
    s = ChatStandIn()
    yield s
    s.close()


def engine(server, model="dict", **kw) -> ChatEngine:
    return ChatEngine(url=server.base + kw.pop("suffix", ""), api_key=kw.pop("api_key", KEY), model=model,
                      timeout=kw.pop("timeout", 10.0))


def test_translates_and_keeps_placeholders_and_glossary(server):
    glossary = Glossary(version=2, keep=("Acme Rocket",), forced={"board": {"es": "consejo", "de": "Vorstand"}})
    segments = ["The <x1>new office</x1> opened in <x2>Berlin</x2>.", "",
                "The board approved the Acme Rocket plan<x3/>."]
    server.requests.clear()
    # A base URL that ends in /v1 (as Ollama's is usually written) works too.
    out = engine(server, suffix="/v1/").translate(segments, "en", "es", glossary)
    assert out == ["El <x1>nuevo oficina</x1> abrió en <x2>Berlin</x2>.", "",
                   "El consejo aprobó el Acme Rocket plan<x3/>."]
    (body,) = server.requests
    assert body["model"] == "dict" and body["temperature"] == 0
    system, user = body["messages"]
    assert (system["role"], user["role"]) == ("system", "user")
    assert json.loads(user["content"]) == [segments[0], segments[2]]  # blank segments are not sent
    assert "from English (en) to Spanish (es)" in system["content"]
    assert "<x1>" in system["content"] and '"Acme Rocket"' in system["content"]
    assert '"board" → "consejo"' in system["content"] and "Vorstand" not in system["content"]


@pytest.mark.parametrize("mode", ["fenced", "chatty"])
def test_answers_wrapped_in_fences_or_words_are_understood(server, mode):
    assert engine(server, mode).translate(["Sales grew today."], "en", "es") == ["Ventas crecieron hoy."]


@pytest.mark.parametrize("mode, message", [
    ("short", "answered 1 segments for 2"),
    ("prose", "did not answer with a JSON array"),
    ("error", "answered 500"),
])
def test_bad_answers_are_engine_errors(server, mode, message):
    with pytest.raises(EngineError, match=message):
        engine(server, mode).translate(["The plan.", "The office."], "en", "es")


def test_a_refused_key_and_a_timeout_are_engine_errors(server):
    with pytest.raises(EngineError, match="401.*Incorrect API key"):
        engine(server, api_key="wrong").translate(["The plan."], "en", "es")
    with pytest.raises(EngineError, match="timed out"):
        engine(server, "slow", timeout=0.5).translate(["The plan."], "en", "es")


def test_long_input_goes_in_batches_in_order(server):
    server.requests.clear()
    segments = [f"The plan {i}." for i in range(45)]
    assert engine(server).translate(segments, "en", "es") == [f"El plan {i}." for i in range(45)]
    assert [len(json.loads(r["messages"][1]["content"])) for r in server.requests] == [20, 20, 5]


def test_configuration(server):
    assert chat.from_settings(Settings()) is None
    configured = chat.from_settings(from_env({"NEWSWIRE_CHAT_API_URL": server.base, "NEWSWIRE_CHAT_API_KEY": KEY,
                                              "NEWSWIRE_CHAT_MODEL": "dict"}))
    assert ("zh-Hant", "th") in configured.pairs() and ("en", "en") not in configured.pairs()
    assert configured.translate(["The office."], "en", "es") == ["El oficina."]
    with pytest.raises(UnsupportedPair):
        configured.translate(["x"], "en", "tlh")


def test_parse_answer():
    assert chat.parse_answer('```\n["a", "b"]\n```', 2) == ["a", "b"]
    assert chat.parse_answer('["[x1] a]"]', 1) == ["[x1] a]"]
    for bad in ('["a", "b"', '[1, 2]', '{"a": 1}', ""):
        with pytest.raises(EngineError):
            chat.parse_answer(bad, 2)


def test_through_the_pipeline(server):
    from newswire.translation.pipeline import Pipeline
    from newswire.translation.registry import Registry

    glossary = Glossary(version=1, keep=("Acme Rocket",), forced={"board": {"es": "consejo"}})
    result = Pipeline(Registry([engine(server)])).translate({
        "headline": "The board approved the plan",
        "body_html": '<p>The <a href="https://acme.example/x">new office</a> opened in <strong>Berlin</strong>. '
                     "The Acme Rocket product is available today.</p>"}, "en", "es", glossary)
    assert [s.status for s in result.segments] == ["ok"] * 3
    assert result.fields["headline"] == "El consejo aprobó el plan"
    assert '<a href="https://acme.example/x" rel="noopener nofollow">nuevo oficina</a>' in result.fields["body_html"]
    assert "El Acme Rocket producto" in result.fields["body_html"]
