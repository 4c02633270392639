"""Apertium, the offline rule-based engine, through its command line in HTML mode.

All segments of a request go through ONE ``apertium -f html MODE`` process: each is wrapped in
``<div id="nw-seg-N">`` (a block, so Apertium treats it as a unit and never runs a sentence
across two segments) and the output is cut at the same divs. Starting Apertium costs about as
much as translating a few hundred words, so a process per segment would dominate the time.

``<span translate="no">`` means nothing to Apertium; ``<apertium-notrans>`` is what its HTML
mode leaves untranslated, so the one is swapped for the other on the way in and back out.
Without the ``apertium`` binary ``pairs()`` is empty and ``problem`` says why: the service runs
without it.
"""

from __future__ import annotations

import html as htmllib
import re
import shutil
import subprocess
from functools import cached_property

from ...domain.languages import normalize
from ..segments import INLINE, VOID, is_tag, tag_name, text_of, tokens
from .base import EngineError, Glossary, UnsupportedPair

# Apertium names languages by ISO 639-3 (eng, spa, zlm) or 639-1 (es, pt); the wire by BCP 47.
ISO3 = {"eng": "en", "spa": "es", "por": "pt", "fra": "fr", "ind": "id", "zlm": "ms", "zsm": "ms", "msa": "ms",
        "deu": "de", "rus": "ru", "ara": "ar", "jpn": "ja", "kor": "ko", "tha": "th", "vie": "vi", "zho": "zh-Hans",
        "cmn": "zh-Hans"}
# Debian packages that hold pairs between the wire's languages (both directions each).
PACKAGES = {frozenset(("en", "es")): "apertium-eng-spa", frozenset(("es", "pt")): "apertium-es-pt",
            frozenset(("fr", "es")): "apertium-fr-es", frozenset(("id", "ms")): "apertium-ind-zlm"}
_SEG = re.compile(r'<div id="nw-seg-(\d+)">(.*?)</div>', re.S)
_NOTRANS = re.compile(r'<apertium-notrans data-nw-s="(\d+)">.*?</apertium-notrans>', re.S)
_MARKS = re.compile(r"(?<![\w&])[#@](?=\w)")  # Apertium's marks for words it could not generate or transfer


def wire_tag(code: str) -> str | None:
    if "_" in code:  # a variant such as pt_BR or eng_US: not the plain language
        return None
    return ISO3.get(code) or (normalize(code) if len(code) == 2 else None)


class ApertiumEngine:
    name = "apertium"
    html = True

    def __init__(self, binary: str = "apertium", timeout: float = 30.0, seconds_per_kb: float = 0.5):
        self.binary = binary
        self.timeout = timeout
        self.seconds_per_kb = seconds_per_kb

    @cached_property
    def path(self) -> str | None:
        return shutil.which(self.binary)

    @property
    def problem(self) -> str | None:
        if not self.path:
            return (f"Apertium is not installed ('{self.binary}' not found); install it with "
                    "apt-get install apertium apertium-eng-spa apertium-es-pt apertium-fr-es apertium-ind-zlm")
        if not self.modes:
            return "Apertium is installed but no language pair is (apt-get install apertium-eng-spa …)"
        return None

    @cached_property
    def modes(self) -> dict[tuple[str, str], str]:
        """(source, target) → Apertium mode name, from ``apertium -l``."""
        if not self.path:
            return {}
        try:
            listing = subprocess.run([self.path, "-l"], capture_output=True, text=True, timeout=self.timeout).stdout
        except (OSError, subprocess.SubprocessError):
            return {}
        found = {}
        for mode in listing.split():
            parts = mode.split("-")
            if len(parts) != 2:  # e.g. eco-es-fr, an alternative pipeline
                continue
            src, tgt = wire_tag(parts[0]), wire_tag(parts[1])
            if src and tgt and src != tgt:
                found.setdefault((src, tgt), mode)
        return found

    def pairs(self) -> set[tuple[str, str]]:
        return set(self.modes)

    def translate(self, segments: list[str], source: str, target: str,
                  glossary: Glossary | None = None) -> list[str]:
        # Glossary terms arrive already protected by the pipeline as <span translate="no">.
        if not segments:
            return []
        if self.problem:
            raise EngineError(self.problem)
        mode = self.modes.get((source, target))
        if mode is None:
            raise UnsupportedPair(f"Apertium has no {source}→{target} pair; it has "
                                  + ", ".join(f"{s}→{t}" for s, t in sorted(self.modes)))
        regions: list[str] = []
        sent = [_to_apertium(s, regions) for s in segments]
        doc = "\n".join(f'<div id="nw-seg-{i}">{s}</div>' for i, s in enumerate(sent))
        timeout = self.timeout + self.seconds_per_kb * len(doc) / 1024
        try:
            done = subprocess.run([self.path, "-u", "-f", "html", mode], input=doc, capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise EngineError(f"Apertium {mode} timed out after {timeout:.0f} s") from exc
        except OSError as exc:
            raise EngineError(f"Apertium {mode} could not run: {exc}") from exc
        if done.returncode != 0:
            raise EngineError(f"Apertium {mode} failed ({done.returncode}): {done.stderr.strip()[:300]}")
        out = {int(m.group(1)): m.group(2) for m in _SEG.finditer(done.stdout)}
        if sorted(out) != list(range(len(segments))):
            raise EngineError(f"Apertium {mode} returned {len(out)} of {len(segments)} segments intact")
        return [_from_apertium(_fix_case(out[i], sent[i]), regions, sent[i]) for i in range(len(segments))]


def _is_notrans(tok: str) -> bool:
    return (is_tag(tok) and tag_name(tok) == "span" and not tok.startswith("</")
            and re.search(r"""\btranslate\s*=\s*["']?no\b""", tok) is not None)


def _to_apertium(html: str, regions: list[str]) -> str:
    """Each no-translate span becomes <apertium-notrans> holding its text; the original markup is
    kept in ``regions`` and put back whole. Inline elements that hold nothing but such a span
    (a link whose text is a brand) move inside it: Apertium hangs tags on words, and with no
    word to hang on it drops the link."""
    toks, out, i = tokens(html), [], 0
    while i < len(toks):
        if not _is_notrans(toks[i]):
            out.append(toks[i])
            i += 1
            continue
        j, depth = i + 1, 1
        while j < len(toks) and depth:
            if is_tag(toks[j]) and tag_name(toks[j]) == "span" and not toks[j].endswith("/>"):
                depth += -1 if toks[j].startswith("</") else 1
            j += 1
        region = toks[i:j]
        while (out and is_tag(out[-1]) and not out[-1].startswith("</") and tag_name(out[-1]) in INLINE - VOID
               and j < len(toks) and toks[j].startswith("</") and tag_name(toks[j]) == tag_name(out[-1])):
            region = [out.pop()] + region + [toks[j]]
            j += 1
        regions.append("".join(region))
        text = htmllib.escape(text_of("".join(region)), quote=False)
        out.append(f'<apertium-notrans data-nw-s="{len(regions) - 1}">{text}</apertium-notrans>')
        i = j
    return "".join(out)


# After an untranslated term that opens a sentence Apertium capitalises the next word as if the
# sentence began there ("Rocket Skate Está hecho …"); the case of the source's word decides instead.
_AFTER_TERM = re.compile(r'<apertium-notrans data-nw-s="(\d+)">.*?</apertium-notrans>((?:\s|<[^>]*>)*)([^\W\d_])', re.S)


def _fix_case(html: str, source: str) -> str:
    lower = {m.group(1) for m in _AFTER_TERM.finditer(source) if m.group(3).islower()}
    if not lower:
        return html
    return _AFTER_TERM.sub(lambda m: m.group(0)[:-1] + m.group(3).lower()
                           if m.group(1) in lower else m.group(0), html)


def _from_apertium(html: str, regions: list[str], source: str) -> str:
    html = _NOTRANS.sub(lambda m: regions[int(m.group(1))], html)
    out = []
    for tok in tokens(html):
        if not is_tag(tok):
            tok = re.sub(r"  +", " ", tok)  # Apertium leaves double spaces where it drops a word
            if "#" not in source and "@" not in source:
                tok = _MARKS.sub("", tok)
        out.append(tok)
    return "".join(out)
