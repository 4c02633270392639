"""Neural translation with CTranslate2: OPUS-MT/Marian, NLLB-200 and M2M-100 models
installed with ``newswire models install`` (see ``newswire.translation.models``).

Segments arrive with placeholders instead of markup (html=False); a neural model cannot be
told to keep a term, so glossaries are left to the pipeline's placeholders and check.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from ... import config
from .. import models as registry_mod
from ..models import LANG_CODES, Model, Registry
from .base import EngineError, Glossary, UnsupportedPair

MAX_LOADED = 4  # models kept in memory; an NLLB-600M takes ~2.5 GB at float32


class _Loaded:
    """One model in memory: the Translator and the tokenizers that go with it."""

    def __init__(self, model: Model, path: Path, threads: int):
        import ctranslate2

        self.model = model
        self.translator = ctranslate2.Translator(str(path), device="cpu", inter_threads=1,
                                                 intra_threads=threads)
        self.encoder = self.decoder = None
        if model.tokenizer == "sentencepiece":
            import sentencepiece as spm

            if model.kind == "marian":
                self.encoder = spm.SentencePieceProcessor(model_file=str(path / "source.spm"))
                self.decoder = spm.SentencePieceProcessor(model_file=str(path / "target.spm"))
            else:
                self.encoder = self.decoder = spm.SentencePieceProcessor(
                    model_file=str(path / "sentencepiece.bpe.model"))

    def encode(self, text: str, source: str) -> list[str]:
        tokens = self.encoder.encode(text, out_type=str) if self.encoder else text.split()
        if self.model.kind in LANG_CODES:  # NLLB and M2M-100 name the source language first
            tokens = [LANG_CODES[self.model.kind][source]] + tokens
        return tokens + ["</s>"]

    def decode(self, tokens: list[str], target: str) -> str:
        if self.model.kind in LANG_CODES and tokens[:1] == [LANG_CODES[self.model.kind][target]]:
            tokens = tokens[1:]
        return self.decoder.decode(tokens) if self.decoder else " ".join(tokens)

    def prefix(self, target: str) -> list[str] | None:
        return [LANG_CODES[self.model.kind][target]] if self.model.kind in LANG_CODES else None


class CTranslate2Engine:
    name = "ctranslate2"
    html = False

    def __init__(self, settings=None, *, models_dir: Path | None = None, beam_size: int | None = None,
                 threads: int | None = None, max_batch_size: int = 32):
        settings = settings or config.Settings()
        self.registry = Registry(models_dir or registry_mod.models_dir(settings))
        self.beam_size = beam_size or settings.ct2_beam_size
        self.threads = threads if threads is not None else settings.ct2_threads
        self.max_batch_size = max_batch_size
        self._loaded: OrderedDict[str, _Loaded] = OrderedDict()
        self._lock = threading.Lock()

    def pairs(self) -> set[tuple[str, str]]:
        return self.registry.pairs()

    def _load(self, model: Model) -> _Loaded:
        with self._lock:  # loading is slow and memory-heavy: once per model, however many callers
            loaded = self._loaded.get(model.name)
            if loaded is None or loaded.model != model:  # re-installed since loaded
                try:
                    loaded = _Loaded(model, self.registry.path(model), self.threads)
                except (RuntimeError, OSError, ValueError) as exc:
                    raise EngineError(f"cannot load model {model.name}: {exc}") from exc
                self._loaded[model.name] = loaded
            self._loaded.move_to_end(model.name)
            while len(self._loaded) > MAX_LOADED:
                self._loaded.popitem(last=False)
            return loaded

    def translate(self, segments: list[str], source: str, target: str,
                  glossary: Glossary | None = None) -> list[str]:
        model = self.registry.find(source, target)
        if model is None:
            raise UnsupportedPair(f"no installed CTranslate2 model for {source}→{target}")
        loaded = self._load(model)
        todo = [i for i, s in enumerate(segments) if s.strip()]  # empty in, empty out
        out = [""] * len(segments)
        if not todo:
            return out
        batch = [loaded.encode(segments[i], source) for i in todo]
        prefix = loaded.prefix(target)
        longest = max(len(t) for t in batch)
        try:
            results = loaded.translator.translate_batch(
                batch, target_prefix=[prefix] * len(batch) if prefix else None, beam_size=self.beam_size,
                max_batch_size=self.max_batch_size, max_decoding_length=min(512, 2 * longest + 16))
        except (RuntimeError, ValueError) as exc:
            raise EngineError(f"{model.name} failed: {exc}") from exc
        for i, result in zip(todo, results):
            out[i] = loaded.decode(result.hypotheses[0], target)
        return out


def from_settings(settings: config.Settings) -> CTranslate2Engine | None:
    """None until a model is installed; with models but without the package, say how to get it."""
    engine = CTranslate2Engine(settings)
    if not engine.registry.models():
        return None
    try:
        import ctranslate2  # noqa: F401
        import sentencepiece  # noqa: F401
    except ImportError as exc:
        raise registry_mod.ModelError(f"models are installed but {exc.name} is not: "
                                      "pip install 'newswire[neural]'") from None
    return engine
