"""Wire-copy import accuracy: every sample of tests/data/wirecopy/ parsed as `newswire import`
would, each field compared with the sample's NAME.expected.yaml; accuracy per field.

    .venv/bin/python bench/intake.py            # a table of fields: right / checked, and %
    .venv/bin/python bench/intake.py -v         # and every miss: sample, field, got, expected
    .venv/bin/python bench/intake.py --only '*-heldout-*'   # only the samples whose file name matches

The comparison (``score``) is the one tests/test_wirecopy_corpus.py asserts, so the test
fails on a miss and this prints how many there are. Fields a sidecar does not name are
expected absent (subheadline, dateline, tickers …), except the body checks, which are
only what the sidecar lists.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import re
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

import yaml  # noqa: E402

from newswire.intake import importers  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "wirecopy"
# Always checked: a sidecar that does not name one expects it absent.
ALWAYS = ("language", "headline", "subheadline", "dateline", "agency", "industries", "keywords", "tickers",
          "contacts", "boilerplate")
FIELDS = ALWAYS + ("attribution", "body_starts", "body_contains", "body_not_contains")


def samples(only: str = "*") -> list[Path]:
    """The corpus's samples whose file name matches the glob ``only``."""
    return sorted(p for p in CORPUS.glob("*.txt") if fnmatch.fnmatch(p.name, only if "." in only else only + ".txt"))


def _plain(body: str) -> str:
    return re.sub(r"\\(.)", r"\1", body)  # the Markdown escapes off, to compare text


def _contacts_ok(got: list[dict], want: list[str]) -> bool:
    """``want``: one e-mail address (or name) per contact, in order."""
    return len(got) == len(want) and all(w in c.values() for c, w in zip(got, want))


def _check(name: str, want, item: importers.ImportedRelease) -> tuple[bool, object]:
    f = item.fields
    body = _plain(f.get("body") or "")
    if name == "agency":
        return (item.agency or None) == want, item.agency
    if name == "dateline":
        got = f.get("dateline")
        # "YYYY": this year's, for a copy that gives no year (Xinhua's Chinese datelines)
        want = {k: str(v).replace("YYYY", str(dt.date.today().year)) for k, v in want.items()} if want else None
        return got == want, got
    if name in ("industries", "keywords", "tickers"):
        got = f.get(name) or []
        return sorted(got) == sorted(want or []), got
    if name == "contacts":
        got = f.get("contacts") or []
        return _contacts_ok(got, want or []), got
    if name == "boilerplate":
        got = f.get("boilerplate") or ""
        return (got.startswith(want) if want else not got), got[:80]
    if name == "attribution":
        got = f.get("attribution") or ""
        return all(w in got for w in want), got
    if name == "body_starts":
        return body.startswith(want), body[:80]
    if name == "body_contains":
        return all(w in body for w in want), [w for w in want if w not in body]
    if name == "body_not_contains":
        return not any(w in body for w in want), [w for w in want if w in body]
    got = f.get(name) or None
    return got == want, got


def score(path: Path) -> dict[str, tuple[bool, object, object]]:
    """{field: (right, got, expected)} for one sample, for every field it is checked on."""
    expected = yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8")) or {}
    item = importers.parse_file(path)
    out = {}
    for name in FIELDS:
        if name in ALWAYS or name in expected:
            want = expected.get(name)
            ok, got = _check(name, want, item)
            out[name] = (ok, got, want)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    ap.add_argument("--only", metavar="GLOB", default="*",
                    help="only the samples whose file name matches, e.g. '*-heldout-*' (the held-out set)")
    args = ap.parse_args()
    right: dict[str, int] = dict.fromkeys(FIELDS, 0)
    checked: dict[str, int] = dict.fromkeys(FIELDS, 0)
    perfect, misses, languages, started = 0, [], set(), time.perf_counter()
    paths = samples(args.only)
    for path in paths:
        result = score(path)
        languages.add(result["language"][2])
        perfect += all(ok for ok, _, _ in result.values())
        for name, (ok, got, want) in result.items():
            checked[name] += 1
            right[name] += ok
            if not ok:
                misses.append((path.name, name, got, want))
    elapsed = time.perf_counter() - started
    print(f"{len(paths)} samples in {len(languages)} languages, {elapsed:.1f} s "
          f"({1000 * elapsed / max(len(paths), 1):.0f} ms a sample, language detection included)")
    print(f"{'field':<20}{'right':>7}{'checked':>9}{'accuracy':>10}")
    for name in FIELDS:
        if checked[name]:
            print(f"{name:<20}{right[name]:>7}{checked[name]:>9}{100 * right[name] / checked[name]:>9.1f}%")
    total_r, total_c = sum(right.values()), sum(checked.values())
    print(f"{'all fields':<20}{total_r:>7}{total_c:>9}{100 * total_r / max(total_c, 1):>9.1f}%")
    print(f"samples with every field right: {perfect} of {len(paths)}")
    if args.verbose:
        for sample, name, got, want in misses:
            print(f"MISS {sample} {name}: got {got!r}, expected {want!r}")


if __name__ == "__main__":
    main()
