"""The interface every translation engine implements.

An engine translates a list of segment strings from one language to another. Engines
whose ``html`` is True carry inline HTML themselves (Apertium's html format, DeepL's
tag_handling=html): the pipeline hands them segments with inline tags (<a href>, <strong>,
<em>, <span translate="no">…). Other engines get segments whose inline markup was replaced
by placeholders, which the pipeline puts back and checks. Language codes are the wire's
BCP 47 tags (en, de, zh-Hans, …); each engine maps them to its own codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class EngineError(Exception):
    """The engine failed (crash, timeout, bad answer) for this request; the pipeline flags the segments."""


class UnsupportedPair(EngineError):
    pass


@dataclass(frozen=True)
class Glossary:
    """Per-issuer terms: never translated, or translated one fixed way per target language."""

    version: int = 0
    keep: tuple[str, ...] = ()  # do-not-translate terms (brands, names)
    forced: dict[str, dict[str, str]] = field(default_factory=dict)  # term -> {lang: translation}

    def forced_for(self, target: str) -> dict[str, str]:
        return {term: by_lang[target] for term, by_lang in self.forced.items() if target in by_lang}


class Engine(Protocol):
    name: str
    html: bool

    def pairs(self) -> set[tuple[str, str]]:
        """The (source, target) pairs this engine translates directly or by its own pivot."""

    def translate(self, segments: list[str], source: str, target: str,
                  glossary: Glossary | None = None) -> list[str]:
        """One output per input segment, in order. Raises EngineError / UnsupportedPair."""
