"""The rules a release's translation requests must follow: which target languages, reachable
by an engine here, from a source language that is what the text is written in; glossary terms."""

from __future__ import annotations

import re

from ..domain import languages, limits
from ..domain.errors import FieldError, InvalidInput, UnsupportedLanguagePair
from ..domain.models import Content
from ..domain.text import html_to_text
from ..intake.detect import detect
from ..translation.engines.base import UnsupportedPair

# Languages lingua cannot reliably tell apart in a short release: a mismatch within one of these
# groups is not treated as a wrong source language.
_CLOSE = ({"id", "ms"}, {"zh-Hans", "zh-Hant"})


def parse_targets(raw, source: str) -> tuple[str, ...]:
    """``target_languages`` as the wire's tags, in order, without duplicates or the source."""
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):
        raw = [x for x in raw.split(",") if x.strip()]
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        msg = 'give a list of language tags, e.g. ["es", "pt"]'
        raise InvalidInput(f"target_languages: {msg}", errors=[FieldError("target_languages", msg)])
    limits.enforce("release.target_languages", raw, "target_languages")
    out, bad = [], []
    for x in raw:
        tag = languages.normalize(x.strip())
        if tag is None:
            bad.append(x)
        elif tag != source and tag not in out:
            out.append(tag)
    if bad:
        msg = (f"{', '.join(repr(b) for b in bad)}: not a language the wire publishes in; "
               f"use any of: {languages.supported_list()}")
        raise InvalidInput(f"target_languages: {msg}", errors=[FieldError("target_languages", msg)])
    return tuple(out)


def check_pairs(pipeline, source: str, targets: tuple[str, ...]) -> None:
    """Refuse targets no engine here can reach, saying what is available and what would add them."""
    missing: dict[str, list[str]] = {}
    for target in targets:
        try:
            pipeline.routes(source, target)
        except UnsupportedPair as exc:
            missing[target] = getattr(exc, "would_add", [])
    if not missing:
        return
    available = sorted(f"{s}-{t}" for s, t in pipeline.registry.pairs())
    names = ", ".join(f"{source}→{t}" for t in missing)
    raise UnsupportedLanguagePair(
        f"No translation engine on this wire translates {names}. Pairs available: {', '.join(available) or 'none'}. "
        "Remove those languages from target_languages, or ask the operator to add an engine (see would_add).",
        errors=[FieldError("target_languages", f"{source}→{t}: no engine here translates this pair")
                for t in missing],
        available_pairs=available, would_add={t: hints for t, hints in missing.items()})


def check_source_language(content: Content) -> None:
    """A wrong source language would be translated into nonsense: ask rather than guess."""
    text = " ".join(x for x in (content.headline, content.lead, html_to_text(content.body_html)) if x)
    found = detect(text)
    if found is None or found == content.language or any({found, content.language} <= g for g in _CLOSE):
        return
    msg = (f"the text reads as {languages.name(found)} ({found}), not {languages.name(content.language)} "
           f"({content.language}); set language to the one it is written in before asking for translations")
    raise InvalidInput(f"language: {msg}", errors=[FieldError("language", msg)])


def glossary_terms(keep, forced) -> tuple[list[str], dict[str, dict[str, str]]]:
    limits.glossary(keep, forced)
    errors = []
    keep = [] if keep is None else keep
    forced = {} if forced is None else forced
    if not isinstance(keep, list) or not all(isinstance(k, str) and k.strip() for k in keep):
        errors.append(FieldError("keep", 'give a list of terms, e.g. ["Acme", "WidgetPro"]'))
        keep = []
    if not isinstance(forced, dict):
        errors.append(FieldError("forced", 'give {term: {language: translation}}, e.g. {"press kit": {"es": "dosier"}}'))
        forced = {}
    clean: dict[str, dict[str, str]] = {}
    for term, by_lang in forced.items():
        if not term.strip() or not isinstance(by_lang, dict):
            errors.append(FieldError(f"forced.{term}", "give {language: translation}"))
            continue
        for lang, text in by_lang.items():
            tag = languages.normalize(lang)
            if tag is None or not isinstance(text, str) or not text.strip():
                errors.append(FieldError(f"forced.{term}.{lang}",
                                         f"a wire language ({languages.supported_list()}) and a non-empty translation"))
            else:
                clean.setdefault(term.strip(), {})[tag] = text.strip()
    if errors:
        raise InvalidInput(f"{errors[0].field}: {errors[0].message}", errors=errors)
    return list(dict.fromkeys(k.strip() for k in keep)), clean


# Legal forms that follow a company's name; without them the name is how a release mentions it.
_LEGAL = re.compile(r"[\s,]+(?:inc\.?|incorporated|corp\.?|corporation|co\.?|company|ltd\.?|limited|llc|plc|"
                    r"gmbh|ag|se|sa|s\.a\.|sas|srl|bv|nv|ab|oy|asa|kk|k\.k\.|pte\.? ltd\.?|sdn\.? bhd\.?|tbk)$",
                    re.IGNORECASE)


def issuer_terms(name: str) -> tuple[str, ...]:
    """The issuer's own name is a brand in every release it sends: never translated (an engine
    otherwise turns "Acme" into "acmé"). Its short form without the legal suffix too."""
    name = name.strip()
    short = _LEGAL.sub("", name).strip()
    return tuple(dict.fromkeys(t for t in (name, short) if len(t) >= 2))
