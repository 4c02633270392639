"""The DeepL engine against a local stand-in.

The stand-in replaces DeepL's API, which cannot be reached from here. It follows the documented
v2 API: ``Authorization: DeepL-Auth-Key …`` on every request (403 otherwise); ``GET /v2/languages``
with ``type=source|target`` answering ``[{"language", "name"}]`` (targets with variants such as
EN-US, PT-PT, ZH-HANT); ``POST /v2/translate`` with a JSON body (``text`` a list of strings,
``target_lang``, optional ``source_lang``, ``tag_handling``, ``glossary_id`` which requires
``source_lang``) answering ``{"translations": [{"detected_source_language", "text"}]}``;
``POST /v2/glossaries`` (name, source_lang, target_lang, entries, entries_format tsv|csv) answering
201, ``GET /v2/glossaries`` and ``GET /v2/glossary-language-pairs``; errors as ``{"message": …}``.
With ``tag_handling=html`` it translates text between tags word by word from a dictionary,
leaves tags and ``translate="no"`` elements alone, and applies the glossary. Some keys make it
misbehave: over quota (456), too many requests (429), down (503), slow, short answers.
"""

from __future__ import annotations

import asyncio
import itertools
import re

import pytest
from aiohttp import web

from newswire.config import Settings, from_env
from newswire.translation.engines import deepl
from newswire.translation.engines.base import EngineError, Glossary, UnsupportedPair
from newswire.translation.engines.deepl import DeepLEngine
from standins import ThreadedApp, dictionary_translate

KEY = "0ab1c2d3-test:fx"
SOURCES = ["EN", "ES", "DE", "PT", "ZH", "JA"]
TARGETS = ["EN-GB", "EN-US", "ES", "DE", "PT-BR", "PT-PT", "ZH", "ZH-HANS", "ZH-HANT", "JA"]
TRANSLATE_PARAMS = {"text", "source_lang", "target_lang", "context", "split_sentences", "preserve_formatting",
                    "formality", "glossary_id", "tag_handling", "tag_handling_version", "outline_detection",
                    "non_splitting_tags", "splitting_tags", "ignore_tags", "model_type", "show_billed_characters"}
FAILING = {"quota": (456, "Quota Exceeded"), "busy": (429, "Too many requests"), "down": (503, "Service unavailable")}
TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>")
KEY_USED = web.RequestKey("key", str)
NO_TRANSLATE = re.compile(r"""\btranslate\s*=\s*["']?no\b|\bclass\s*=\s*["'][^"']*\bnotranslate\b""")


def translate_html(html: str, terms: dict[str, str]) -> str:
    out, keep, pos = [], [], 0
    for m in itertools.chain(TAG.finditer(html), [None]):
        text = html[pos:m.start() if m else len(html)]
        out.append(text if any(keep) else dictionary_translate(text, terms))
        if m is None:
            break
        closing, _, attrs = m.groups()
        if closing:
            keep = keep[:-1]
        elif not attrs.rstrip().endswith("/"):
            keep.append(bool(NO_TRANSLATE.search(attrs)))
        out.append(m.group(0))
        pos = m.end()
    return "".join(out)


class DeepLStandIn(ThreadedApp):
    def __init__(self):
        self.requests: list[tuple[str, str]] = []
        self.translate_bodies: list[dict] = []
        self.glossaries: dict[str, dict] = {}
        app = web.Application(middlewares=[self.auth])
        app.router.add_get("/v2/languages", self.languages)
        app.router.add_post("/v2/translate", self.translate)
        app.router.add_get("/v2/glossaries", self.list_glossaries)
        app.router.add_post("/v2/glossaries", self.create_glossary)
        app.router.add_get("/v2/glossary-language-pairs", self.glossary_pairs)
        super().__init__(app)

    @web.middleware
    async def auth(self, request, handler):
        self.requests.append((request.method, request.path))
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme != "DeepL-Auth-Key" or not key.endswith(":fx"):
            return web.json_response({"message": "Forbidden"}, status=403)
        for name, (status, message) in FAILING.items():
            if key.startswith(name):
                return web.json_response({"message": message}, status=status)
        if key.startswith("slow"):
            await asyncio.sleep(5)
        request[KEY_USED] = key
        return await handler(request)

    async def languages(self, request):
        kind = request.query.get("type", "source")
        codes = TARGETS if kind == "target" else SOURCES
        return web.json_response([{"language": c, "name": c.title()} for c in codes])

    async def translate(self, request):
        if request.content_type != "application/json":
            return web.json_response({"message": "Unsupported Media Type"}, status=415)
        body = await request.json()
        self.translate_bodies.append(body)
        problem = None
        if set(body) - TRANSLATE_PARAMS:
            problem = f"Unknown parameter {sorted(set(body) - TRANSLATE_PARAMS)[0]}"
        elif not (isinstance(body.get("text"), list) and 0 < len(body["text"]) <= 50
                  and all(isinstance(t, str) for t in body["text"])):
            problem = "Parameter 'text' must be a list of 1 to 50 strings"
        elif body.get("target_lang") not in TARGETS or body.get("source_lang", "EN") not in SOURCES:
            problem = "Value for 'target_lang' or 'source_lang' not supported."
        elif body.get("tag_handling") not in (None, "xml", "html"):
            problem = "Invalid tag_handling"
        terms = {}
        if not problem and "glossary_id" in body:
            g = self.glossaries.get(body["glossary_id"])
            if "source_lang" not in body or g is None:
                problem = "Glossary not found, or used without source_lang"
            elif (g["source_lang"], g["target_lang"]) != (body["source_lang"].lower(),
                                                          body["target_lang"].split("-")[0].lower()):
                problem = "Glossary does not match the language pair"
            else:
                terms = dict(line.split("\t") for line in g["entries"].splitlines())
        if problem:
            return web.json_response({"message": problem}, status=400)
        texts = [translate_html(t, terms) if body.get("tag_handling") == "html" else dictionary_translate(t, terms)
                 for t in body["text"]]
        if request[KEY_USED].startswith("short"):
            texts = texts[1:]
        return web.json_response({"translations": [{"detected_source_language": body.get("source_lang", "EN"),
                                                    "text": t} for t in texts]})

    async def create_glossary(self, request):
        body = await request.json()
        entries = body.get("entries", "")
        lines = [line.split("\t") for line in entries.splitlines()]
        if (set(body) != {"name", "source_lang", "target_lang", "entries", "entries_format"}
                or body["entries_format"] != "tsv" or not lines or any(len(p) != 2 or not all(p) for p in lines)
                or len({p[0] for p in lines}) != len(lines)):
            return web.json_response({"message": "Invalid glossary entries"}, status=400)
        gid = f"def3a26b-3e84-45b3-84ae-0c0aaf3525f{len(self.glossaries)}"
        self.glossaries[gid] = {"glossary_id": gid, "name": body["name"], "ready": True,
                                "source_lang": body["source_lang"], "target_lang": body["target_lang"],
                                "creation_time": "2026-11-01T12:00:00.000Z", "entry_count": len(lines),
                                "entries": entries}
        return web.json_response(self._public(self.glossaries[gid]), status=201)

    async def list_glossaries(self, request):
        return web.json_response({"glossaries": [self._public(g) for g in self.glossaries.values()]})

    async def glossary_pairs(self, request):
        langs = ["en", "es", "de", "pt", "zh", "ja"]
        return web.json_response({"supported_languages": [{"source_lang": s, "target_lang": t}
                                                          for s in langs for t in langs if s != t]})

    @staticmethod
    def _public(g):
        return {k: v for k, v in g.items() if k != "entries"}


@pytest.fixture
def server():
    s = DeepLStandIn()
    yield s
    s.close()


def engine(server, key=KEY, timeout=10.0) -> DeepLEngine:
    return DeepLEngine(url=server.base, api_key=key, timeout=timeout)


def test_pairs_come_from_the_languages_endpoint_once(server):
    e = engine(server)
    pairs = e.pairs()
    assert {("en", "es"), ("es", "en"), ("en", "pt"), ("zh-Hant", "en"), ("en", "zh-Hant"), ("ja", "de")} <= pairs
    assert ("en", "ko") not in pairs and ("ko", "en") not in pairs and ("en", "en") not in pairs
    e.pairs()
    assert server.requests == [("GET", "/v2/languages")] * 2  # source and target, then cached


def test_html_goes_through_with_its_tags(server):
    segments = ['The <a href="https://acme.example/office">new office</a> opened in <strong>Berlin</strong>.',
                "", 'Our <span translate="no">new product</span> is available today.']
    out = engine(server).translate(segments, "en", "es")
    assert out == ['El <a href="https://acme.example/office">nuevo oficina</a> abrió en <strong>Berlin</strong>.',
                   "", 'Nuestro <span translate="no">new product</span> es disponible hoy.']
    (body,) = server.translate_bodies
    assert body == {"text": [segments[0], segments[2]], "source_lang": "EN", "target_lang": "ES",
                    "tag_handling": "html"}


def test_target_variants(server):
    e = engine(server)
    e.translate(["The plan."], "en", "pt")
    e.translate(["El plan."], "es", "en")
    e.translate(["The plan."], "en", "zh-Hant")
    assert [(b["source_lang"], b["target_lang"]) for b in server.translate_bodies] == [
        ("EN", "PT-PT"), ("ES", "EN-US"), ("EN", "ZH-HANT")]


def test_glossary_is_created_once_and_found_again_after_a_restart(server):
    glossary = Glossary(version=4, keep=("Acme Rocket",), forced={"board": {"es": "consejo"}})
    segment = "The board approved the Acme Rocket plan."
    first = engine(server)
    assert first.translate([segment], "en", "es", glossary) == ["El consejo aprobó el Acme Rocket plan."]
    assert first.translate([segment], "en", "es", glossary) == ["El consejo aprobó el Acme Rocket plan."]
    restarted = engine(server)
    restarted.translate([segment], "en", "es", glossary)
    assert server.requests.count(("POST", "/v2/glossaries")) == 1
    (g,) = server.glossaries.values()
    assert (g["source_lang"], g["target_lang"]) == ("en", "es")
    assert g["entries"] == "Acme Rocket\tAcme Rocket\nboard\tconsejo"
    assert all(b["glossary_id"] == g["glossary_id"] for b in server.translate_bodies)

    changed = Glossary(version=5, keep=("Acme Rocket",), forced={"board": {"es": "directorio"}})
    assert restarted.translate([segment], "en", "es", changed) == ["El directorio aprobó el Acme Rocket plan."]
    assert len(server.glossaries) == 2
    restarted.translate(["The plan."], "en", "de", Glossary(forced={"board": {"es": "consejo"}}))
    assert "glossary_id" not in server.translate_bodies[-1]  # no terms for German: no glossary


@pytest.mark.parametrize("key, message", [
    ("quota-" + KEY, "456 .*quota"), ("busy-" + KEY, "429 .*too many requests"),
    ("down-" + KEY, "503"), ("wrong", "403 .*key was refused"),
])
def test_refusals_are_engine_errors_that_say_why(server, key, message):
    e = engine(server, key)
    e._pairs = {("en", "es")}  # as if the languages had been listed before the refusals began
    with pytest.raises(EngineError, match=message):
        e.translate(["The plan."], "en", "es")


def test_timeouts_short_answers_and_unknown_pairs(server):
    slow = engine(server, "slow-" + KEY, timeout=0.5)
    with pytest.raises(EngineError, match="timed out"):
        slow.translate(["The plan."], "en", "es")
    with pytest.raises(EngineError, match="1 translations for 2 texts"):
        engine(server, "short-" + KEY).translate(["The plan.", "The office."], "en", "es")
    with pytest.raises(UnsupportedPair):
        engine(server).translate(["The plan."], "en", "ko")


def test_long_input_goes_in_batches_of_fifty(server):
    segments = [f"The plan {i}." for i in range(120)]
    assert engine(server).translate(segments, "en", "es") == [f"El plan {i}." for i in range(120)]
    assert [len(b["text"]) for b in server.translate_bodies] == [50, 50, 20]


def test_configuration(server):
    assert deepl.from_settings(Settings()) is None
    configured = deepl.from_settings(from_env({"NEWSWIRE_DEEPL_API_KEY": KEY,
                                               "NEWSWIRE_DEEPL_API_URL": server.base + "/"}))
    assert configured.translate(["The office."], "en", "es") == ["El oficina."]


def test_through_the_pipeline(server):
    from newswire.translation.pipeline import Pipeline
    from newswire.translation.registry import Registry

    glossary = Glossary(version=1, keep=("Acme Rocket",), forced={"board": {"es": "consejo"}})
    result = Pipeline(Registry([engine(server)])).translate({
        "headline": "The board approved the plan",
        "body_html": '<p>The <a href="https://acme.example/x">new office</a> opened in <strong>Berlin</strong>. '
                     "The Acme Rocket product is available today.</p>"}, "en", "es", glossary)
    # HTML engines get whole blocks: the headline and the one paragraph.
    assert [s.status for s in result.segments] == ["ok"] * 2
    assert result.fields["headline"] == "El consejo aprobó el plan"
    assert '<a href="https://acme.example/x" rel="noopener nofollow">nuevo oficina</a>' in result.fields["body_html"]
    assert all(b["tag_handling"] == "html" for b in server.translate_bodies)
