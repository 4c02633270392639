"""The wire-copy corpus (tests/data/wirecopy/): every field of every sample as its sidecar says.

The comparison is bench/intake.py's ``score``, so the bench's accuracy figures and this test
count the same misses.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

_BENCH = Path(__file__).resolve().parents[1] / "bench" / "intake.py"
_spec = importlib.util.spec_from_file_location("bench_intake", _BENCH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

SAMPLES = bench.samples()
WIRE_LANGUAGES = {"en", "ko", "ja", "ar", "zh-Hans", "zh-Hant", "vi", "th", "id", "ms", "de", "ru", "fr", "es", "pt"}


def test_the_corpus_is_broad():
    assert len(SAMPLES) >= 40
    languages = set()
    for path in SAMPLES:
        sidecar = path.with_suffix(".expected.yaml")
        assert sidecar.exists(), f"{path.name} has no {sidecar.name}"
        languages.add(yaml.safe_load(sidecar.read_text(encoding="utf-8"))["language"])
    assert languages <= WIRE_LANGUAGES and len(languages) >= 10
    assert {"ar", "zh-Hans", "zh-Hant", "ja", "ko"} <= languages  # RTL and CJK
    text = "\n".join(p.read_text(encoding="utf-8") for p in SAMPLES)
    for shape in ("/PRNewswire/", "(BUSINESS WIRE)", "(GLOBE NEWSWIRE)", "/EINPresswire.com/", "/ ACCESSWIRE /",
                  "(JCN Newswire)", "(ots)", "(OTS)", "(Xinhua)", "新华社", "(SeaPRwire)"):
        assert shape in text, shape


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample(path):
    misses = {name: (got, want) for name, (ok, got, want) in bench.score(path).items() if not ok}
    assert not misses, "\n".join(f"{name}: got {got!r}, expected {want!r}" for name, (got, want) in misses.items())
