"""The Apertium engine against the real Apertium (Debian's apertium + apertium-eng-spa, -es-pt, -ind-zlm)."""

from __future__ import annotations

import shutil
import stat

import pytest

from newswire.translation.engines.apertium import ApertiumEngine, wire_tag
from newswire.translation.engines.base import EngineError, UnsupportedPair
from newswire.config import from_env, parse_overrides
from newswire.translation.registry import Registry


@pytest.fixture(scope="module")
def engine():
    if shutil.which("apertium") is None:
        pytest.fail("these tests need Apertium: apt-get install apertium apertium-eng-spa apertium-es-pt "
                    "apertium-ind-zlm")
    return ApertiumEngine()


def test_pairs_come_from_apertium_l_as_wire_tags(engine):
    pairs = engine.pairs()
    assert {("en", "es"), ("es", "en"), ("es", "pt"), ("id", "ms"), ("ms", "id")} <= pairs
    assert not any("_" in s + t or len(s) > 3 for s, t in pairs)  # es-pt_BR and eng_US are variants, not languages
    assert (wire_tag("eng"), wire_tag("zlm"), wire_tag("es"), wire_tag("pt_BR")) == ("en", "ms", "es", None)


def test_translates_html_keeping_links_emphasis_and_no_translate_spans(engine):
    out = engine.translate([
        'The company <a href="https://acme.example/news?a=1&amp;b=2">announced</a> on <strong>Wednesday</strong>.',
        'The <span translate="no">Rocket Skate</span> is <em>new</em> &amp; cheap.',
        'See <a href="https://acme.example/rs"><span translate="no">Rocket Skate</span></a> today.',
    ], "en", "es")
    assert out[0] == ('La empresa <a href="https://acme.example/news?a=1&amp;b=2">anunció</a> el '
                      '<strong>miércoles</strong>.')
    assert '<span translate="no">Rocket Skate</span>' in out[1] and "<em>nuevo</em>" in out[1] and "&amp;" in out[1]
    # a link whose whole text is a protected brand survives (Apertium alone would drop the <a>)
    assert '<a href="https://acme.example/rs"><span translate="no">Rocket Skate</span></a>' in out[2]


def test_a_sentence_opening_with_a_kept_term_is_not_recapitalised(engine):
    out = engine.translate(['<span translate="no">Rocket Skate</span> is made by Acme.'], "en", "es")
    assert out == ['<span translate="no">Rocket Skate</span> está hecho por Acmé.']


def test_many_segments_go_through_one_apertium_process(engine, tmp_path):
    log = tmp_path / "calls"
    wrapper = tmp_path / "apertium"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {shutil.which("apertium")} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    counted = ApertiumEngine(binary=str(wrapper))
    segments = [f"The factory {i} opens in <em>Madrid</em>." for i in range(200)]
    out = counted.translate(segments, "en", "es")
    assert out == [f"La fábrica {i} abre en <em>Madrid</em>." for i in range(200)]
    calls = log.read_text().splitlines()
    assert calls == ["-l", "-u -f html eng-spa"]  # list the modes once, translate once


def test_es_pt_and_id_ms(engine):
    assert engine.translate(["La empresa <a href='u'>anunció</a> un <em>nuevo</em> producto."], "es", "pt") == [
        'A empresa <a href="u">anunciou</a> um <em>novo</em> produto.']  # Apertium writes "" quotes
    out = engine.translate(["Perusahaan <b>mengumumkan</b> bahwa pendapatan naik."], "id", "ms")
    assert out == ["Syarikat <b>mengumumkan</b> bahawa pendapatan naik."]


def test_unsupported_pair_is_an_error_naming_the_pairs(engine):
    with pytest.raises(UnsupportedPair, match="en→es"):
        engine.translate(["Hello"], "en", "de")


def test_without_the_binary_there_are_no_pairs_and_a_clear_problem(tmp_path):
    missing = ApertiumEngine(binary=str(tmp_path / "no-apertium"))
    assert missing.pairs() == set()
    assert "apt-get install apertium" in missing.problem
    with pytest.raises(EngineError, match="not installed"):
        missing.translate(["Hello"], "en", "es")
    # the service still starts: the registry just has no pair, and says what would add one
    registry = Registry([missing], problems={"apertium": missing.problem})
    with pytest.raises(UnsupportedPair) as caught:
        registry.require("en", "es")
    assert "apt-get install apertium apertium-eng-spa" in str(caught.value)
    assert "Apertium is not installed" in str(caught.value)


def test_a_crashing_apertium_is_an_engine_error(tmp_path, engine):
    broken = tmp_path / "apertium"
    broken.write_text('#!/bin/sh\nif [ "$1" = -l ]; then echo eng-spa; exit 0; fi\necho boom >&2\nexit 3\n')
    broken.chmod(broken.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(EngineError, match="boom"):
        ApertiumEngine(binary=str(broken)).translate(["Hello"], "en", "es")


class Other(ApertiumEngine):
    """A second engine for the routing tests: Apertium under another name, with fewer pairs."""

    name = "other"

    def pairs(self):
        return {("en", "es")}


def test_registry_order_overrides_and_pivots(engine):
    registry = Registry([engine, Other()], overrides=parse_overrides("en-es=other,apertium;zh-Hans-en=chat"))
    assert [r.label for r in registry.routes("en", "es")] == ["other", "apertium"]
    assert [r.label for r in registry.routes("es", "en")] == ["apertium"]
    assert [r.label for r in registry.routes("en", "pt")] == ["other>es>apertium"]
    assert ("en", "pt") in registry.pairs() and ("en", "de") not in registry.pairs()
    assert parse_overrides("zh-Hans-en=chat") == {("zh-Hans", "en"): ["chat"]}
    built = Registry.from_settings(from_env({"NEWSWIRE_TRANSLATION_ENGINES": "apertium,nosuch",
                                             "NEWSWIRE_TRANSLATION_PAIRS": "en-es=nosuch,apertium",
                                             "NEWSWIRE_TRANSLATION_PIVOTS": "pt"}))
    assert [e.name for e in built.engines] == ["apertium"] and "nosuch" in built.problems
    assert (built.overrides, built.pivots) == ({("en", "es"): ["nosuch", "apertium"]}, ("pt",))


def test_the_translate_command_end_to_end(engine, tmp_path):
    from typer.testing import CliRunner

    from newswire.cli import app

    (tmp_path / "r.md").write_text("---\nheadline: Acme opens a new factory\n---\n"
                                   "Acme [announced](https://acme.example/n) a **new** factory in 2025.\n")
    done = CliRunner().invoke(app, ["translate", str(tmp_path / "r.md"), "--to", "es,pt", "--from", "en",
                                    "--keep", "Acme", "--out-dir", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    es = (tmp_path / "out" / "r.es.html").read_text()
    assert "<html lang=\"es\">" in es and "rel=\"noopener nofollow\">anunciado</a>" in es and "<strong>nueva</strong>" in es
    assert "machine translation (apertium)" in es and (tmp_path / "out" / "r.pt.html").exists()
    assert "links 1/1 with text, numbers 1/1, terms 2/2" in done.output
    bad = CliRunner().invoke(app, ["translate", str(tmp_path / "r.md"), "--to", "th", "--from", "en"])
    assert bad.exit_code == 1 and "Pairs available" in bad.output
