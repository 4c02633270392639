"""Safer strategies for segments that failed the check, each batched over all such segments.

1. rewrap: translate each inline element's content alone and put the element back around those
   words in the first translation (the engine kept the words but lost or emptied the tags);
2. plain: translate the sentence without markup, then put each element back around its words,
   found either as its separately translated text or as what the translation gains over a
   translation of the sentence without the element's words (the engine lost the words along
   with the tags, or translates them differently alone: "announced" → "anunciado" / "anunció");
3. fallback: the next route (another engine, or a pivot) translates the sentence afresh.
A segment is done as soon as one strategy passes the check.
"""

from __future__ import annotations

from .glossary import unprotect
from .repair import difference, drop_empty, elements, find, has_element, insert, rewrap, strip_inline
from .segments import is_tag, text_of, tokens


def _is_term(tok: str) -> bool:
    return "data-nw-g" in tok


def repair(pipe, units: list, routes: list, job) -> None:
    if not units:
        return
    primary = routes[0]
    els = {id(u): [e for e in elements(u.prot.html) if not _is_term(e[0])] for u in units}
    outs = iter(pipe._run(primary, [inner for u in units for _, inner, _ in els[id(u)]], job))
    alone = {id(u): [_restore(next(outs), u) for _ in els[id(u)]] for u in units}

    for u in units:  # 1. rewrap
        first = u.candidates[0]
        if first.failed or not els[id(u)]:
            continue
        html = first.output
        for (open_tag, _, close), inner in zip(els[id(u)], alone[id(u)]):
            if inner and not has_element(html, open_tag):
                html = drop_empty(html, open_tag)
                html = rewrap(html, open_tag, close, text_of(inner)) or html
        pipe._consider(u, html, primary.label, "rewrap", restored=True)

    failing = [u for u in units if u.candidates[-1].report.problems]  # 2. plain
    plain = [strip_inline(u.prot.html, keep=_is_term) for u in failing]
    reduced = [strip_inline(u.prot.html.replace(o + i + c, "", 1), keep=_is_term)
               for u in failing for o, i, c in els[id(u)]]
    outs = pipe._run(primary, plain + reduced, job)
    rest = iter(outs[len(plain):])
    for u, out in zip(failing, outs[:len(plain)]):
        without = [_restore(next(rest), u) for _ in els[id(u)]]
        if isinstance(out, Exception):
            pipe._consider(u, out, primary.label, "plain")
            continue
        full = _restore(out, u)
        spans = []
        for (open_tag, _, close), inner, other in zip(els[id(u)], alone[id(u)], without):
            span = (find(full, text_of(inner)) if inner else None) or (difference(full, other) if other else None)
            if span:
                nested = inner and any(is_tag(t) for t in tokens(inner)) and find(full, text_of(inner)) == span
                spans.append((span, open_tag, close, inner if nested else None))
        pipe._consider(u, insert(full, spans), primary.label, "plain", restored=True)

    for route in routes[1:]:  # 3. fallback
        failing = [u for u in failing if u.candidates[-1].report.problems]
        if not failing:
            break
        for u, out in zip(failing, pipe._run(route, [u.prot.html for u in failing], job)):
            pipe._consider(u, out, route.label, "fallback")


def _restore(out, u) -> str | None:
    return None if isinstance(out, Exception) else unprotect(str(out), u.prot)[0]
