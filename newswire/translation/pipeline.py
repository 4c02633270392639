"""Translating a release's fields: segment → protect glossary → engine → restore → check → repair.

A unit is a block (for HTML engines) or a sentence. All units of a release go to the engine in
one call per route leg, so an engine with a costly start (Apertium) starts once per release and
language. A unit that fails the check is retried with safer strategies (``retry``); one that
still fails keeps its best output and is FLAGGED for an editor. An engine error on a batch is narrowed
down by halving it, so one bad segment costs only itself.

A field named ``…_html`` (the body) is an HTML fragment; every other field (headline, lead, a
picture's alt text or caption: ``media.{token}.caption``) is plain text, its paragraphs the blocks.
"""

from __future__ import annotations

import html as htmllib
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping

from ..domain.models import content_fields
from ..intake.html import sanitize
from . import memory as tm
from .check import Counts, Report, check, facts
from .engines.base import EngineError, Glossary, UnsupportedPair
from .glossary import Protected, protect, unprotect
from .registry import Registry, Route
from .repair import merge_split
from .retry import repair
from .segments import mask, split_blocks, split_sentences, text_of, unmask

TEXT_FIELDS = ("headline", "subheadline", "lead", "boilerplate")  # (and any other field not named …_html)
NO_SPACE_BETWEEN_SENTENCES = {"zh-Hans", "zh-Hant", "ja"}
_LETTER = re.compile(r"[^\W\d_]")


@dataclass
class Segment:
    field: str
    block: int
    sentence: int
    source: str
    output: str = ""
    status: str = "ok"  # ok | repaired | flagged | human
    engine: str = ""  # route label, "" when no engine was needed
    strategy: str = ""  # engine | memory | copy | human | rewrap | plain | fallback
    problems: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)


@dataclass
class Result:
    source: str
    target: str
    fields: dict[str, str]
    segments: list[Segment]
    engines: list[str]
    counts: Counts

    @property
    def flagged(self) -> list[Segment]:
        return [s for s in self.segments if s.status == "flagged"]

    def content(self, content):
        """A copy of ``content`` (domain Content) in the target language; the body is HTML now."""
        return replace(content, language=self.target, body_source="", body_format="html",
                       **content_fields(self.fields))


@dataclass
class Candidate:
    output: str
    label: str  # the route
    strategy: str
    report: Report
    failed: bool = False  # the engine raised: output is the untranslated source


@dataclass
class _Unit:
    seg: Segment
    gap: str
    prot: Protected
    candidates: list[Candidate] = field(default_factory=list)


class Pipeline:
    def __init__(self, registry: Registry, memory: tm.Memory | None = None):
        self.registry = registry
        self.memory = memory if memory is not None else tm.InMemory()

    def routes(self, source: str, target: str, engine: str | None = None) -> list[Route]:
        routes = self.registry.require(source, target)
        if engine:
            routes = [r for r in routes if engine in r.engines]
            if not routes:
                raise UnsupportedPair(f"the {engine} engine does not translate {source}→{target} here")
        return routes

    def translate(self, fields: Mapping[str, str], source: str, target: str, glossary: Glossary | None = None,
                  human: Mapping[str, str] | None = None, engine: str | None = None,
                  progress: Callable[[int, int], None] | None = None) -> Result:
        """``human`` maps the sha256 of a source unit (``memory.key(unit, …).source_hash``; a unit is
        a block for HTML engines, a sentence for placeholder engines) to an editor's translation,
        which is used as is and never replaced by the machine's."""
        routes = self.routes(source, target, engine)
        # HTML engines get whole blocks: they handle sentences themselves, and Apertium spends
        # more per block (in the benchmark, one block per sentence costs ~10% more CPU).
        # Placeholder engines (neural, LLM) get sentences, the unit they translate best.
        by_sentence = not all(leg.engine.html for leg in routes[0].legs)
        skeletons, units = self._units(fields, target, glossary, by_sentence)
        todo = []
        for u in units:
            h = tm.key(u.seg.source, source, target, "").source_hash
            if human and h in human:
                self._settle(u, human[h], "", "human", "human")
            elif not _LETTER.search(text_of(u.seg.source)):
                self._settle(u, u.seg.source, "", "copy", "ok")
            else:
                todo.append(u)
        todo = self._from_memory(todo, routes, source, target)
        done = len(units) - len(todo)
        if progress:
            progress(done, len(units))
        # the sources' side of the check, worked out on the other core while the engine runs
        warm = threading.Thread(target=lambda: [facts(u.seg.source) for u in todo], daemon=True)
        warm.start()
        job = _Job(glossary)
        outs = self._run(routes[0], [u.prot.html for u in todo], job)
        warm.join()
        for u, out in zip(todo, outs):
            self._consider(u, out, routes[0].label, "engine")
        repair(self, [u for u in todo if u.candidates[-1].report.problems], routes, job)
        for u in todo:
            self._finish(u)
        self.memory.put_many({tm.key(u.seg.source, source, target, u.seg.engine, u.prot.fingerprint): u.seg.output
                              for u in todo if u.seg.status in ("ok", "repaired")})
        if progress:
            progress(len(units), len(units))
        segments = [u.seg for u in units]
        return Result(source, target, self._assemble(fields, skeletons, units, target), segments,
                      list(dict.fromkeys(n for s in segments for n in Route.engines_of(s.engine))),
                      sum((s.counts for s in segments), Counts()))

    def _units(self, fields, target, glossary, by_sentence: bool):
        skeletons, units = {}, []
        for name, value in fields.items():
            if not value:
                continue
            fragment = value if _is_html(name) else "".join(  # a text's paragraphs become blocks
                f"<p>{htmllib.escape(para.strip(), quote=False)}</p>" for para in re.split(r"\n\s*\n", value)
                if para.strip())
            sk = skeletons[name] = split_blocks(fragment)
            for b, block in enumerate(sk.segments):
                for s, (sentence, gap) in enumerate(split_sentences(block) if by_sentence else [(block, "")]):
                    units.append(_Unit(Segment(name, b, s, sentence), gap, protect(sentence, glossary, target)))
        return skeletons, units

    def _from_memory(self, units, routes, source, target):
        keys = {(id(u), r.label): tm.key(u.seg.source, source, target, r.label, u.prot.fingerprint)
                for u in units for r in routes}
        hits = self.memory.get_many(list(keys.values()))
        left = []
        for u in units:
            label = next((r.label for r in routes if keys[(id(u), r.label)] in hits), None)
            if label is None:
                left.append(u)
            else:
                self._settle(u, hits[keys[(id(u), label)]], label, "memory", "ok")
        return left

    def _settle(self, u: _Unit, output: str, label: str, strategy: str, status: str) -> None:
        report = check(u.seg.source, output, u.prot.expected)
        u.seg.output, u.seg.engine, u.seg.strategy, u.seg.status = output, label, strategy, status
        u.seg.counts, u.seg.problems = report.counts, report.problems

    def _run(self, route: Route, htmls: list[str], job: "_Job") -> list[str | Exception]:
        """Each leg of the route over all segments; a failed segment stays an exception."""
        current: list[str | Exception] = list(htmls)
        for leg in route.legs:
            live = [i for i, h in enumerate(current) if isinstance(h, str)]
            outs = self._leg(leg, [current[i] for i in live], job)
            for i, out in zip(live, outs):
                current[i] = out
        return current

    def _leg(self, leg, htmls: list[str], job: "_Job") -> list[str | Exception]:
        engine = leg.engine
        if engine.html:
            texts, masks = htmls, None
        else:
            masks = [mask(h) for h in htmls]
            texts = [m.text for m in masks]
        outs = self._call(engine, texts, leg.source, leg.target, job)
        if masks is None:
            return outs
        result = []
        for out, m in zip(outs, masks):
            if isinstance(out, Exception):
                result.append(out)
                continue
            restored, problems = unmask(out, m)
            result.append(restored if not problems else _Restored(restored, problems))
        return result

    def _call(self, engine, texts: list[str], source: str, target: str, job: "_Job") -> list[str | Exception]:
        """A failing batch is halved until the bad segments are isolated, unless the engine
        looks down (failed every call so far, three times): then no more calls, all flagged."""
        if not texts:
            return []
        if (down := job.down(engine.name)) is not None:
            return [down] * len(texts)
        try:
            outs = engine.translate(list(texts), source, target, job.glossary)
            if len(outs) != len(texts):
                raise EngineError(f"{engine.name} returned {len(outs)} segments for {len(texts)}")
            job.ok.add(engine.name)
            return list(outs)
        except Exception as exc:  # an engine bug is treated like an engine failure: flag, don't lose
            error = exc if isinstance(exc, EngineError) else EngineError(f"{engine.name}: {exc!r}")
            job.failed.setdefault(engine.name, []).append(error)
            if len(texts) == 1:
                return [error]
            mid = len(texts) // 2
            return (self._call(engine, texts[:mid], source, target, job)
                    + self._call(engine, texts[mid:], source, target, job))

    def _consider(self, u: _Unit, out, label: str, strategy: str, restored: bool = False) -> Report:
        """Restore one engine output (unless already ``restored``), check it, keep it as a candidate."""
        if isinstance(out, Exception):
            report = Report([f"{label}: {out}"], check(u.seg.source, "", u.prot.expected).counts)
            u.candidates.append(Candidate(u.seg.source, label, strategy, report, failed=True))
            return report
        extra = []
        if isinstance(out, _Restored):
            out, extra = str(out), out.problems
        html, lost = (out, []) if restored else unprotect(out, u.prot)
        html = merge_split(html, u.seg.source)
        report = check(u.seg.source, html, u.prot.expected)
        report.problems = extra + lost + report.problems
        u.candidates.append(Candidate(html, label, strategy, report))
        return report

    def _finish(self, u: _Unit) -> None:
        good = [c for c in u.candidates if not c.report.problems]
        if good:
            best, status = good[0], "ok" if good[0].strategy == "engine" else "repaired"
        else:  # keep the best output and let an editor decide
            best, status = min(u.candidates, key=lambda c: (c.failed, len(c.report.problems))), "flagged"
        u.seg.output, u.seg.engine, u.seg.strategy, u.seg.status = best.output, best.label, best.strategy, status
        u.seg.problems, u.seg.counts = best.report.problems, best.report.counts

    def _assemble(self, fields, skeletons, units, target) -> dict[str, str]:
        joiner = (lambda gap: "") if target in NO_SPACE_BETWEEN_SENTENCES else (lambda gap: gap)
        blocks: dict[tuple[str, int], str] = {}
        for u in units:
            k = (u.seg.field, u.seg.block)
            blocks[k] = blocks.get(k, "") + u.seg.output + joiner(u.gap)
        out = {}
        for name, value in fields.items():
            if name not in skeletons:
                out[name] = value
                continue
            translated = [blocks[(name, b)] for b in range(len(skeletons[name].segments))]
            if not _is_html(name):
                out[name] = "\n\n".join(" ".join(text_of(t).split()) for t in translated)
            else:
                out[name] = sanitize(skeletons[name].join(translated))
        return out


def _is_html(name: str) -> bool:
    return name.endswith("_html")


@dataclass
class _Job:
    """One translate() call's state: the glossary, and which engines failed or worked so far."""

    glossary: Glossary | None
    ok: set[str] = field(default_factory=set)
    failed: dict[str, list[Exception]] = field(default_factory=dict)

    def down(self, engine: str) -> Exception | None:
        errors = self.failed.get(engine, [])
        return errors[-1] if len(errors) >= 3 and engine not in self.ok else None


class _Restored(str):
    """An output whose placeholders could not all be put back."""

    def __new__(cls, value: str, problems: list[str]):
        obj = super().__new__(cls, value)
        obj.problems = problems
        return obj

