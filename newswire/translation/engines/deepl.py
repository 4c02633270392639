"""The DeepL API (v2): HTML in, HTML out (``tag_handling=html``), glossaries for an issuer's terms.

html=True: DeepL moves tags with the words they wrap and leaves ``translate="no"`` elements
alone, so the pipeline sends its inline HTML as it is. Language codes: DeepL wants a variant
for English and Portuguese targets; the wire's ``en``/``pt`` become EN-US and PT-PT (PT-PT as
Apertium's es-pt writes European Portuguese too).
"""

from __future__ import annotations

import hashlib
import threading

import httpx

from ... import config
from ...domain.languages import SUPPORTED
from .base import EngineError, Glossary, UnsupportedPair

TARGET = {tag: tag.upper() for tag in SUPPORTED} | {"en": "EN-US", "pt": "PT-PT"}
SOURCE = {tag: tag.split("-")[0].upper() for tag in SUPPORTED}  # sources have no variants: ZH, PT, EN
BATCH_TEXTS = 50  # DeepL's limit per request
BATCH_CHARS = 100_000  # requests must stay under 128 KiB
REASONS = {400: "bad request", 403: "the API key was refused", 404: "not found", 413: "request too large",
           429: "too many requests, slow down", 456: "the account's character quota is used up",
           503: "DeepL is temporarily unavailable"}


def glossary_lang(tag: str) -> str:
    return tag.split("-")[0].lower()  # glossaries take EN, PT, ZH for every variant


class DeepLEngine:
    name = "deepl"
    html = True

    def __init__(self, settings=None, *, url: str | None = None, api_key: str | None = None,
                 timeout: float | None = None):
        settings = settings or config.Settings()
        key = api_key if api_key is not None else settings.deepl_api_key
        seconds = timeout if timeout is not None else settings.deepl_timeout
        self.client = httpx.Client(
            base_url=(url or settings.deepl_api_url).rstrip("/"),
            timeout=httpx.Timeout(seconds, connect=min(seconds, 10.0)),
            headers={"Authorization": f"DeepL-Auth-Key {key}"})
        self._lock = threading.Lock()
        self._pairs: set[tuple[str, str]] | None = None
        self._glossary_pairs: set[tuple[str, str]] | None = None
        self._glossaries: dict[str, str] = {}  # our glossary name → DeepL glossary_id

    def _call(self, method: str, path: str, **kw) -> dict:
        try:
            resp = self.client.request(method, path, **kw)
        except httpx.TimeoutException as exc:
            raise EngineError(f"DeepL timed out on {path} ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise EngineError(f"DeepL cannot be reached: {exc}") from exc
        if resp.status_code >= 400:
            reason = REASONS.get(resp.status_code, "server error" if resp.status_code >= 500 else "refused")
            detail = f": {resp.text[:200].strip()}" if resp.text.strip() else ""
            raise EngineError(f"DeepL {path} answered {resp.status_code} ({reason}){detail}")
        try:
            return resp.json()
        except ValueError:
            raise EngineError(f"DeepL {path} answered something that is not JSON: {resp.text[:200]}") from None

    def pairs(self) -> set[tuple[str, str]]:
        with self._lock:  # the languages rarely change: asked once per engine
            if self._pairs is None:
                try:
                    sources, targets = ({x["language"].upper() for x in self._call(
                        "GET", "/v2/languages", params={"type": kind})} for kind in ("source", "target"))
                except (TypeError, KeyError, AttributeError):
                    raise EngineError("DeepL's language list is not a list of {language, name}") from None
                self._pairs = {(s, t) for s in SUPPORTED for t in SUPPORTED
                               if s != t and SOURCE[s] in sources and TARGET[t] in targets}
            return self._pairs

    def translate(self, segments: list[str], source: str, target: str,
                  glossary: Glossary | None = None) -> list[str]:
        if (source, target) not in self.pairs():
            raise UnsupportedPair(f"DeepL does not translate {source}→{target}")
        glossary_id = self._glossary(glossary, source, target) if glossary else None
        out = list(segments)
        todo = [i for i, s in enumerate(segments) if s.strip()]
        for batch in _batches(todo, segments):
            body = {"text": [segments[i] for i in batch], "source_lang": SOURCE[source],
                    "target_lang": TARGET[target], "tag_handling": "html"}
            if glossary_id:
                body["glossary_id"] = glossary_id
            answer = self._call("POST", "/v2/translate", json=body)
            texts = [t.get("text") for t in answer.get("translations", []) if isinstance(t, dict)]
            if len(texts) != len(batch) or not all(isinstance(t, str) for t in texts):
                raise EngineError(f"DeepL answered {len(texts)} translations for {len(batch)} texts")
            for i, text in zip(batch, texts):
                out[i] = text
        return out

    def _glossary(self, glossary: Glossary, source: str, target: str) -> str | None:
        """The DeepL glossary holding these terms for this pair, created once and then reused."""
        entries = {t: t for t in glossary.keep} | glossary.forced_for(target)
        entries = {k.strip(): v.strip() for k, v in entries.items()
                   if k.strip() and v.strip() and not any(c in k + v for c in "\t\r\n")}
        pair = (glossary_lang(source), glossary_lang(target))
        if not entries or pair[0] == pair[1] or pair not in self._glossary_language_pairs():
            return None
        tsv = "\n".join(f"{k}\t{v}" for k, v in sorted(entries.items()))
        # Named by content, so a restarted wire finds the glossaries it made instead of piling up more.
        name = f"newswire-v{glossary.version}-{pair[0]}-{pair[1]}-{hashlib.sha256(tsv.encode()).hexdigest()[:12]}"
        with self._lock:
            if name not in self._glossaries:
                for g in self._call("GET", "/v2/glossaries").get("glossaries", []):
                    if g.get("name") and g.get("glossary_id"):
                        self._glossaries.setdefault(g["name"], g["glossary_id"])
            if name not in self._glossaries:
                made = self._call("POST", "/v2/glossaries", json={
                    "name": name, "source_lang": pair[0], "target_lang": pair[1],
                    "entries": tsv, "entries_format": "tsv"})
                if not made.get("glossary_id"):
                    raise EngineError("DeepL created a glossary but sent no glossary_id")
                self._glossaries[name] = made["glossary_id"]
            return self._glossaries[name]

    def _glossary_language_pairs(self) -> set[tuple[str, str]]:
        if self._glossary_pairs is None:
            answer = self._call("GET", "/v2/glossary-language-pairs")
            self._glossary_pairs = {(p["source_lang"].lower(), p["target_lang"].lower())
                                    for p in answer.get("supported_languages", [])}
        return self._glossary_pairs

    def close(self) -> None:
        self.client.close()


def _batches(indexes: list[int], segments: list[str]) -> list[list[int]]:
    out: list[list[int]] = []
    size = 0
    for i in indexes:
        if not out or len(out[-1]) >= BATCH_TEXTS or size + len(segments[i]) > BATCH_CHARS:
            out.append([])
            size = 0
        out[-1].append(i)
        size += len(segments[i])
    return out


def from_settings(settings: config.Settings) -> DeepLEngine | None:
    """None while the settings leave the engine off (no API key)."""
    return DeepLEngine(settings) if settings.deepl_api_key else None
