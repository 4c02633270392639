"""Which engine translates which pair: configured order, per-pair overrides, pivots.

The settings (``newswire.config.Settings``, from ``NEWSWIRE_TRANSLATION_ENGINES``,
``_PAIRS``, ``_PIVOTS``, ``_TIMEOUT`` and ``NEWSWIRE_APERTIUM_BINARY``) say which engines, in
which order. Each engine module other than Apertium offers ``from_settings(settings) -> Engine |
None`` (None: not configured here). A route is one engine for the pair, or two legs through a
pivot language (en→pt as en→es→pt); routes come in preference order and the pipeline falls back
along them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Mapping

from ..config import Settings
from .engines.apertium import PACKAGES, ApertiumEngine
from .engines.base import Engine, UnsupportedPair

DEEPL_LANGUAGES = {"en", "de", "fr", "es", "pt", "ru", "ja", "ko", "zh-Hans", "zh-Hant", "id", "ar"}


@dataclass(frozen=True)
class Leg:
    engine: Engine
    source: str
    target: str


@dataclass(frozen=True)
class Route:
    legs: tuple[Leg, ...]

    @property
    def label(self) -> str:
        """Names the route in the translation memory and on the page: "apertium", "apertium>es>apertium"."""
        parts = [self.legs[0].engine.name]
        for leg in self.legs[1:]:
            parts += [leg.source, leg.engine.name]
        return ">".join(parts)

    @staticmethod
    def engines_of(label: str) -> list[str]:
        """The engines a route label names, in order: "apertium>es>apertium" → ["apertium", "apertium"]
        (the one reader of the label's form; ``label`` the one writer)."""
        return label.split(">")[::2] if label else []

    @property
    def engines(self) -> list[str]:
        return list(dict.fromkeys(leg.engine.name for leg in self.legs))


def _pairs_of(engine: Engine) -> set[tuple[str, str]]:
    try:
        return set(engine.pairs())
    except Exception:  # an engine that cannot even list its pairs offers none
        return set()


class Registry:
    def __init__(self, engines: list[Engine], overrides: Mapping[tuple[str, str], list[str]] | None = None,
                 pivots: tuple[str, ...] = ("en", "es"), problems: Mapping[str, str] | None = None):
        self.engines = list(engines)  # in preference order
        self.overrides = dict(overrides or {})
        self.pivots = pivots
        self.problems = dict(problems or {})  # engine name -> why it is not available
        self._pairs = {e.name: _pairs_of(e) for e in self.engines}

    def direct(self, source: str, target: str) -> list[Engine]:
        able = [e for e in self.engines if (source, target) in self._pairs[e.name]]
        if order := self.overrides.get((source, target)):
            able = [e for name in order for e in able if e.name == name]
        return able

    def routes(self, source: str, target: str) -> list[Route]:
        routes = [Route((Leg(e, source, target),)) for e in self.direct(source, target)]
        langs = {t for pairs in self._pairs.values() for (_, t) in pairs}
        for pivot in list(self.pivots) + sorted(langs - set(self.pivots)):
            if pivot in (source, target):
                continue
            first, second = self.direct(source, pivot), self.direct(pivot, target)
            if first and second:
                routes.append(Route((Leg(first[0], source, pivot), Leg(second[0], pivot, target))))
        return routes

    def pairs(self) -> set[tuple[str, str]]:
        direct = set().union(*self._pairs.values()) if self._pairs else set()
        via = {(s, t) for (s, p) in direct for (p2, t) in direct if p == p2 and s != t}
        return direct | via

    def require(self, source: str, target: str) -> list[Route]:
        routes = self.routes(source, target)
        if routes:
            return routes
        available = sorted(self.pairs())
        would = self.would_add(source, target)
        exc = UnsupportedPair(
            f"no translation engine here translates {source}→{target}. Pairs available: "
            + (", ".join(f"{s}→{t}" for s, t in available) or "none")
            + ". Engines that would add it: " + "; ".join(would)
            + "".join(f". {name} is not available: {why}" for name, why in self.problems.items()
                      if why != "not configured"))
        exc.available = available
        exc.would_add = would
        raise exc

    def would_add(self, source: str, target: str) -> list[str]:
        hints = []
        if pkg := PACKAGES.get(frozenset((source, target))):
            hints.append(f"apertium (apt-get install apertium {pkg})")
        hints.append(f"ctranslate2 (a converted OPUS-MT, NLLB-200 or M2M-100 model: "
                     f"newswire models install DIR --pair {source}-{target})")
        hints.append("chat (NEWSWIRE_CHAT_API_URL: an OpenAI-compatible server such as vLLM, llama.cpp or "
                     f"Ollama, with a model that writes {target})")
        if {source, target} <= DEEPL_LANGUAGES:
            hints.append("deepl (NEWSWIRE_DEEPL_API_KEY)")
        return hints

    @classmethod
    def from_settings(cls, settings: Settings, only: list[str] | None = None) -> "Registry":
        """The engines ``settings`` configure (or ``only`` these), in their order."""
        engines, problems = [], {}
        for name in only or settings.translation_engines:
            try:
                engine = build(name, settings)
            except Exception as exc:  # a broken optional engine must not stop the wire
                engine, problems[name] = None, f"{type(exc).__name__}: {exc}"
            if engine is None:
                problems.setdefault(name, "not configured")
            else:
                engines.append(engine)
                if problem := getattr(engine, "problem", None):
                    problems[name] = problem
        return cls(engines, settings.translation_pairs, settings.translation_pivots, problems)


def build(name: str, settings: Settings) -> Engine | None:
    if name == "apertium":
        return ApertiumEngine(binary=settings.apertium_binary, timeout=settings.translation_timeout)
    module = importlib.import_module(f"{__package__}.engines.{name}")
    factory = getattr(module, "from_settings", None)
    if factory is None:
        raise RuntimeError(f"newswire.translation.engines.{name} has no from_settings(settings)")
    return factory(settings)
