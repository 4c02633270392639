"""The CTranslate2 engine and the model registry, on models built here at test time
(tests/tiny_models.py): nothing is downloaded."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from newswire.config import from_env
from newswire.translation import models
from newswire.translation.engines import ctranslate2 as ct2_engine
from newswire.translation.engines.base import UnsupportedPair
from newswire.translation.engines.ctranslate2 import CTranslate2Engine
from newswire.translation.models import ModelError, Registry, parse_pair
from tiny_models import PAIRS, random_ct2_model, trained_marian

# MarianTokenizer's advice to install sacremoses concerns Moses pre-tokenisation, which OPUS-MT does not use.
pytestmark = pytest.mark.filterwarnings("ignore:Recommended")

WORDS = sorted({w for pair in PAIRS for s in pair for w in s.split()})
SPECIALS = ["<s>", "</s>", "<unk>"]


class Spy:
    """Records what the engine hands CTranslate2 and what comes back, and passes both through."""

    def __init__(self, loaded):
        self.translator, self.calls = loaded.translator, []
        loaded.translator = self

    def translate_batch(self, batch, **kw):
        results = self.translator.translate_batch(batch, **kw)
        self.calls.append((batch, kw, [r.hypotheses[0] for r in results]))
        return results


@pytest.fixture(scope="session")
def marian(tmp_path_factory):
    """A Marian trained on PAIRS and converted by CTranslate2's converter (~10-30 s on 2 cores)."""
    return trained_marian(tmp_path_factory.mktemp("marian"))


@pytest.fixture(scope="session")
def nllb(tmp_path_factory):
    codes = [models.NLLB_CODES[t] for t in ("en", "es", "de")]
    return random_ct2_model(tmp_path_factory.mktemp("nllb") / "nllb-tiny", SPECIALS + codes + WORDS)


@pytest.fixture(scope="session")
def m2m(tmp_path_factory):
    codes = [models.M2M_CODES[t] for t in ("en", "es", "zh-Hans")]
    return random_ct2_model(tmp_path_factory.mktemp("m2m") / "m2m-tiny", SPECIALS + codes + WORDS, seed=1)


def test_trained_marian_translates_its_sentences_exactly(marian, tmp_path):
    registry = Registry(tmp_path / "models")
    model = registry.install(marian, [("en", "es")], name="opus-mt-en-es-tiny")
    assert (model.kind, model.tokenizer, model.pairs) == ("marian", "sentencepiece", (("en", "es"),))
    assert (tmp_path / "models/opus-mt-en-es-tiny/source.spm").is_file()  # copied, not referenced

    # Greedy decoding: the memorised path is each step's most likely token.
    engine = CTranslate2Engine(models_dir=tmp_path / "models", beam_size=1, threads=1)
    assert engine.pairs() == {("en", "es")}
    sources = [s for s, _ in PAIRS]
    assert engine.translate(sources + [""], "en", "es") == [t for _, t in PAIRS] + [""]
    with pytest.raises(UnsupportedPair):
        engine.translate(sources, "es", "en")


def test_trained_marian_through_the_pipeline(marian, tmp_path):
    from newswire.translation.pipeline import Pipeline
    from newswire.translation.registry import Registry as Engines

    Registry(tmp_path).install(marian, [("en", "es")])
    engine = CTranslate2Engine(models_dir=tmp_path, beam_size=1, threads=1)
    result = Pipeline(Engines([engine])).translate({"headline": PAIRS[3][0], "lead": PAIRS[4][0]}, "en", "es")
    assert result.fields == {"headline": PAIRS[3][1], "lead": PAIRS[4][1]}
    assert {s.status for s in result.segments} == {"ok"}


def test_cli_installs_and_lists_and_the_service_finds_it(marian, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    env["NEWSWIRE_MODELS_DIR"] = str(tmp_path / "models")
    cli = [sys.executable, "-m", "newswire.cli", "models"]
    done = subprocess.run(cli + ["install", str(marian), "--pair", "en-es", "--name", "tiny"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "tiny (marian)" in done.stdout and "en→es" in done.stdout
    listed = subprocess.run(cli + ["list"], env=env, capture_output=True, text=True, timeout=120)
    assert listed.stdout.startswith("tiny\tmarian\ten→es")
    refused = subprocess.run(cli + ["install", str(tmp_path), "--pair", "en-es"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "model.bin" in refused.stderr

    engine = ct2_engine.from_settings(from_env({"NEWSWIRE_MODELS_DIR": str(tmp_path / "models"),
                                                "NEWSWIRE_CT2_BEAM_SIZE": "1"}))
    assert engine.translate([PAIRS[3][0]], "en", "es") == [PAIRS[3][1]]
    nothing_installed = from_env({"NEWSWIRE_MODELS_DIR": str(tmp_path / "empty")})
    assert ct2_engine.from_settings(nothing_installed) is None


def test_nllb_model_serves_every_pair_it_has_language_tokens_for(nllb, tmp_path):
    registry = Registry(tmp_path)
    model = registry.install(nllb, link=True)  # no --pair: every wire language in the vocabulary
    assert (model.kind, model.tokenizer) == ("nllb", "whitespace")
    assert set(model.pairs) == {(s, t) for s in ("en", "es", "de") for t in ("en", "es", "de") if s != t}
    assert (tmp_path / "nllb-tiny").is_symlink()

    engine = CTranslate2Engine(models_dir=tmp_path, beam_size=2, threads=1)
    spy = Spy(engine._load(model))
    segments = ["The board approved the plan.", "", "Sales grew today."]
    first = engine.translate(segments, "en", "es")
    # Random weights translate into noise, but through the real tokenize → decode → detokenize path:
    # NLLB's source-language token first, the target's forced as the first output token and removed.
    (batch, kw, hypotheses), = spy.calls
    assert batch == [["eng_Latn", *segments[0].split(), "</s>"], ["eng_Latn", *segments[2].split(), "</s>"]]
    assert kw["target_prefix"] == [["spa_Latn"], ["spa_Latn"]] and kw["beam_size"] == 2
    assert all(h[0] == "spa_Latn" for h in hypotheses)
    assert first == [" ".join(hypotheses[0][1:]), "", " ".join(hypotheses[1][1:])]
    assert engine.translate(segments, "en", "es") == first  # deterministic, and the model is loaded once
    engine.translate(segments, "es", "de")
    assert list(engine._loaded) == ["nllb-tiny"]


def test_m2m100_codes_and_a_specialist_before_a_multilingual_model(m2m, marian, tmp_path):
    registry = Registry(tmp_path)
    model = registry.install(m2m)
    assert model.kind == "m2m100"
    assert ("en", "zh-Hans") in model.pairs and not any("zh-Hant" in p for p in model.pairs)
    engine = CTranslate2Engine(models_dir=tmp_path, beam_size=1, threads=1)
    spy = Spy(engine._load(model))
    out = engine.translate(["The plan."], "en", "zh-Hans")
    (batch, kw, hypotheses), = spy.calls
    assert batch == [["__en__", "The", "plan.", "</s>"]] and kw["target_prefix"] == [["__zh__"]]
    assert out == [" ".join(hypotheses[0][1:])]

    registry.install(marian, [("en", "es")], name="en-es")
    assert registry.find("en", "es").name == "en-es"
    assert registry.find("es", "en").name == "m2m-tiny"
    assert engine.translate([PAIRS[0][0]], "en", "es") == [PAIRS[0][1]]  # the manifest is re-read


def test_install_says_what_is_wrong(marian, nllb, tmp_path):
    registry = Registry(tmp_path / "models")
    with pytest.raises(ModelError, match="model.bin"):
        registry.install(tmp_path)
    with pytest.raises(ModelError, match="--pair"):
        registry.install(marian)
    with pytest.raises(ModelError, match="no language token for ko"):
        registry.install(nllb, [("en", "ko")])
    broken = tmp_path / "broken"
    shutil.copytree(marian, broken)
    (broken / "target.spm").unlink()
    with pytest.raises(ModelError, match="SentencePiece"):
        registry.install(broken, [("en", "es")])
    assert registry.models() == []


def test_pairs_are_parsed_with_hyphenated_tags():
    assert parse_pair("en-de") == ("en", "de")
    assert parse_pair("zh-Hans-en") == ("zh-Hans", "en")
    assert parse_pair("en-zh-Hant") == ("en", "zh-Hant")
    assert parse_pair("zh-Hans:ja") == ("zh-Hans", "ja")
    for bad in ("en-xx", "en", "en-en"):
        with pytest.raises(ModelError):
            parse_pair(bad)


def test_pull_says_when_there_is_no_internet(tmp_path, monkeypatch):
    import huggingface_hub

    with socket.socket() as s:  # a port nobody listens on: the hub is unreachable
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", f"http://127.0.0.1:{port}")
    with pytest.raises(ModelError, match="no internet"):
        models.pull("Helsinki-NLP/opus-mt-en-es", Registry(tmp_path), timeout=2)
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    with pytest.raises(ModelError, match="needs huggingface_hub"):
        models.pull("Helsinki-NLP/opus-mt-en-es", Registry(tmp_path))


def test_pull_converts_a_transformers_checkpoint_and_installs_it(marian, tmp_path, monkeypatch):
    """The hub is replaced by a copy of the tiny model's Transformers checkpoint; the rest
    (conversion with CTranslate2's converter, install, the pair read from the name) is real."""
    import huggingface_hub

    checkpoint = marian.parent / "hf"
    calls = []

    def snapshot_download(repo_id, local_dir, etag_timeout):
        calls.append((repo_id, etag_timeout))
        shutil.copytree(checkpoint, local_dir)
        return str(local_dir)

    with socket.socket() as hub:
        hub.bind(("127.0.0.1", 0))
        hub.listen()
        monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", f"http://127.0.0.1:{hub.getsockname()[1]}")
        monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
        model = models.pull("Helsinki-NLP/opus-mt-en-es", Registry(tmp_path), timeout=7)
    assert calls == [("Helsinki-NLP/opus-mt-en-es", 7)]
    assert (model.name, model.pairs) == ("Helsinki-NLP--opus-mt-en-es", (("en", "es"),))
    assert not (tmp_path / ".downloads" / model.name).exists()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["models"][0]["name"] == model.name
    engine = CTranslate2Engine(models_dir=tmp_path, beam_size=1, threads=1)
    assert engine.translate([PAIRS[1][0]], "en", "es") == [PAIRS[1][1]]
