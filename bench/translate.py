"""Benchmark: the translation pipeline against the bare engine, on one 5,000-word release.

    .venv/bin/python bench/translate.py [--words 5000] [--runs 5]

Generates a deterministic English release (headings, lists, 60+ links, numbers, two brand names),
translates it en→es with the pipeline (Apertium engine, empty memory each run) and, in the same
run, with the bare engine (`apertium -f html eng-spa` on the whole HTML, timed the same way:
wall clock around the whole call). Reports words/s of each, the pipeline's overhead (by the clock
and by CPU time, which other load on a shared machine disturbs less), and markup fidelity as
counts. Runs alternate and medians are reported.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

# The repo instead of this folder: bench/email.py must not shadow the standard library's email package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from newswire.translation.check import facts, links, numbers, term_count  # noqa: E402
from newswire.translation.engines.apertium import ApertiumEngine  # noqa: E402
from newswire.translation.engines.base import Glossary  # noqa: E402
from newswire.translation.memory import InMemory  # noqa: E402
from newswire.translation.pipeline import Pipeline  # noqa: E402
from newswire.translation.registry import Registry  # noqa: E402
from newswire.translation.segments import text_of  # noqa: E402

BRANDS = ("Rocket Skate", "Acme")
SUBJECTS = ["The company", "The new factory", "Our team", "The government", "The city", "The board",
            "Rocket Skate", "Acme", "The market", "The report"]
VERBS = ["announced", "opened", "built", "sold", "presented", "bought", "published", "reached", "approved", "started"]
OBJECTS = ["a new plant", "the annual report", "three new products", "a large contract", "the first results",
           "a green energy project", "the new offices", "a program for young workers", "the regional market",
           "a new service for customers"]
TAILS = ["in Madrid", "in the north of the country", "last year", "this week", "with the support of the bank",
         "after a long process", "in several cities", "for the next five years", "before the summer", "on Monday"]
NUMBERS = ["{n} workers", "{n} million euros", "{p}% more sales", "{n} units", "{n},000 customers"]
HEADINGS = ["Key facts", "New products", "Results of the year", "The market", "Plans for the future",
            "About the project", "Investment", "Customers and service"]


def cpu() -> float:
    """CPU seconds used so far by this process and its finished children (Apertium's pipeline)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class Timed(ApertiumEngine):
    """The Apertium engine, timing its own calls (to tell pipeline code from engine time)."""

    spent = 0.0

    def translate(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return super().translate(*args, **kwargs)
        finally:
            self.spent += time.perf_counter() - t0


def release(words: int, seed: int = 7) -> str:
    rnd, parts, count, link = random.Random(seed), [], 0, 0

    def sentence() -> str:
        nonlocal link
        obj = rnd.choice(OBJECTS)
        if rnd.random() < 0.3:  # about one link in three sentences
            link += 1
            obj = f'<a href="https://acme.example/news/{link}">{obj}</a>'
        num = rnd.choice(NUMBERS).format(n=rnd.randint(2, 950), p=rnd.randint(2, 40))
        verb = rnd.choice(VERBS)
        if rnd.random() < 0.2:
            verb = f"<strong>{verb}</strong>"
        s = f"{rnd.choice(SUBJECTS)} {verb} {obj} {rnd.choice(TAILS)} with {num}."
        return s

    while count < words:
        if len(parts) % 6 == 0:
            parts.append(f"<h2>{rnd.choice(HEADINGS)}</h2>")
        if len(parts) % 4 == 3:
            items = "".join(f"<li>{sentence()}</li>" for _ in range(4))
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append("<p>" + " ".join(sentence() for _ in range(5)) + "</p>")
        count = len(text_of("".join(parts)).split())
    return "\n".join(parts)


def fidelity(source: str, output: str) -> dict[str, str]:
    src_links, out_links = links(source), links(output)
    with_text = {h for h, t in out_links if t}
    src_nums = numbers(text_of(source))
    pool = numbers(text_of(output))
    found = 0
    for values in src_nums:
        hit = next((i for i, v in enumerate(pool) if v & values), None)
        if hit is not None:
            pool.pop(hit)
            found += 1
    terms_in = sum(term_count(text_of(source), b) for b in BRANDS)
    terms_out = sum(min(term_count(text_of(output), b), term_count(text_of(source), b)) for b in BRANDS)
    return {"links in": len(src_links), "links out with text": sum(h in with_text for h, _ in src_links),
            "numbers": f"{found}/{len(src_nums)}", "terms": f"{terms_out}/{terms_in}",
            "lost (links+numbers+terms)": (len(src_links) - sum(h in with_text for h, _ in src_links))
            + (len(src_nums) - found) + (terms_in - terms_out)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    engine = Timed()
    if engine.problem:
        sys.exit(engine.problem)
    html = release(args.words)
    words = len(text_of(html).split())
    glossary = Glossary(version=1, keep=BRANDS)
    bare_times, pipe_times, own_times, engine_times = [], [], [], []
    bare_cpu, pipe_cpu = [], []
    bare_out = result = None
    for _ in range(args.runs):
        c0, t0 = cpu(), time.perf_counter()
        bare_out = subprocess.run(["apertium", "-f", "html", "eng-spa"], input=html, capture_output=True,
                                  text=True, check=True).stdout
        bare_times.append(time.perf_counter() - t0)
        bare_cpu.append(cpu() - c0)
        pipeline = Pipeline(Registry([engine]), InMemory())  # empty memory: every segment is translated
        facts.cache_clear()  # and nothing the check learnt of the sources in the previous run
        engine.spent = 0.0
        c0, t0 = cpu(), time.perf_counter()
        result = pipeline.translate({"body_html": html}, "en", "es", glossary)
        pipe_times.append(time.perf_counter() - t0)
        pipe_cpu.append(cpu() - c0)
        own_times.append(pipe_times[-1] - engine.spent)
        engine_times.append(engine.spent)
    bare, pipe = statistics.median(bare_times), statistics.median(pipe_times)
    paired = statistics.median(p / b for p, b in zip(pipe_times, bare_times))
    status = {s: sum(x.status == s for x in result.segments) for s in ("ok", "repaired", "flagged")}
    print(f"release: {words} words, {len(links(html))} links, {html.count('<h2>')} headings, "
          f"{html.count('<ul>')} lists, {len(result.segments)} segments; median of {args.runs} runs")
    print(f"bare engine  apertium -f html eng-spa : {bare:6.3f} s  {words / bare:8.0f} words/s")
    print(f"pipeline     apertium en→es           : {pipe:6.3f} s  {words / pipe:8.0f} words/s")
    print(f"pipeline overhead: {100 * (pipe - bare) / bare:+.1f}% of medians; {100 * (paired - 1):+.1f}% median of "
          f"paired runs (target ≤ +10%)")
    print(f"  of which pipeline code outside the engine call: {statistics.median(own_times):.3f} s "
          f"({100 * statistics.median(own_times) / bare:.1f}% of the bare engine's time)")
    print(f"  and the engine call inside the pipeline: {statistics.median(engine_times):.3f} s "
          f"({100 * (statistics.median(engine_times) - bare) / bare:+.1f}% vs bare: segment wrappers, protected terms)")
    bc, pc = statistics.median(bare_cpu), statistics.median(pipe_cpu)
    print(f"CPU time (this process + Apertium's processes; steadier than the clock on a shared machine): "
          f"bare {bc:.3f} s, pipeline {pc:.3f} s, overhead {100 * (pc - bc) / bc:+.1f}%")
    print(f"  all runs, bare: {' '.join(f'{t:.2f}' for t in bare_times)}; pipeline: "
          f"{' '.join(f'{t:.2f}' for t in pipe_times)}")
    print(f"segments: {status}")
    c = result.counts
    print(f"pipeline fidelity (check): links {c.links_out}/{c.links_in} with text, numbers "
          f"{c.numbers_out}/{c.numbers_in}, terms {c.terms_out}/{c.terms_in}, lost {c.lost}")
    print(f"pipeline fidelity (whole output): {fidelity(html, result.fields['body_html'])}")
    print(f"bare engine fidelity (whole output): {fidelity(html, bare_out)}")
    if "-v" in sys.argv:
        print(re.sub(r"\s+", " ", result.fields["body_html"])[:2000])


if __name__ == "__main__":
    main()
