"""Installed neural models: CTranslate2 directories, one manifest (``manifest.json``) in
``settings.models_dir`` that says which model serves which language pairs.

Three kinds, told apart by their vocabulary: Marian/OPUS-MT (one model per pair, SentencePiece
``source.spm``/``target.spm``), NLLB-200 (language tokens such as ``spa_Latn``) and M2M-100
(``__es__``), the last two serving every pair of the wire's languages they know.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..domain.errors import NewswireError
from ..domain.languages import SUPPORTED, normalize

MANIFEST = "manifest.json"
NLLB_CODES = {
    "en": "eng_Latn", "ko": "kor_Hang", "ja": "jpn_Jpan", "ar": "arb_Arab", "zh-Hans": "zho_Hans",
    "zh-Hant": "zho_Hant", "vi": "vie_Latn", "th": "tha_Thai", "id": "ind_Latn", "ms": "zsm_Latn",
    "de": "deu_Latn", "ru": "rus_Cyrl", "fr": "fra_Latn", "es": "spa_Latn", "pt": "por_Latn",
}
# M2M-100 has one Chinese, written in Simplified characters; zh-Hant is left out rather than faked.
M2M_CODES = {tag: f"__{tag}__" for tag in SUPPORTED if not tag.startswith("zh")} | {"zh-Hans": "__zh__"}
LANG_CODES = {"nllb": NLLB_CODES, "m2m100": M2M_CODES}
TOKENIZER_FILES = ("source.spm", "target.spm", "sentencepiece.bpe.model")


class ModelError(NewswireError):
    kind = "model-error"
    title = "The translation model cannot be used"


@dataclass(frozen=True)
class Model:
    name: str
    kind: str  # marian | nllb | m2m100
    tokenizer: str  # sentencepiece | whitespace
    pairs: tuple[tuple[str, str], ...]
    installed: str = ""


def models_dir(settings) -> Path:
    return Path(settings.models_dir) if settings.models_dir else Path(settings.data_dir) / "models"


def parse_pair(text: str) -> tuple[str, str]:
    """``en-de`` or ``zh-Hans:en`` → wire tags; ':' separates when a tag has a hyphen."""
    sep = ":" if ":" in text else None
    parts = text.split(sep) if sep else _split_dash(text)
    tags = [normalize(p) for p in parts]
    if len(parts) != 2 or None in tags or tags[0] == tags[1]:
        raise ModelError(f"{text!r} is not a pair of the wire's languages ({', '.join(SUPPORTED)}); "
                         "write it as en-de, or zh-Hans:en")
    return tags[0], tags[1]


def _split_dash(text: str) -> list[str]:
    for i in [m.start() for m in re.finditer("-", text)]:
        if normalize(text[:i]) in SUPPORTED and normalize(text[i + 1:]) in SUPPORTED:
            return [text[:i], text[i + 1:]]
    return [text]


def vocabulary(path: Path) -> list[str]:
    """The target vocabulary of a CTranslate2 model directory (JSON list or one token a line)."""
    for stem in ("shared_vocabulary", "target_vocabulary"):
        if (path / f"{stem}.json").is_file():
            return json.loads((path / f"{stem}.json").read_text(encoding="utf-8"))
        if (path / f"{stem}.txt").is_file():
            return (path / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
    raise ModelError(f"{path} has no shared_vocabulary or target_vocabulary file: not a CTranslate2 model")


def inspect(path: Path) -> tuple[str, str, list[str]]:
    """(kind, tokenizer, vocabulary) of a converted model directory, or ModelError saying what is missing."""
    path = Path(path)
    missing = [f for f in ("model.bin", "config.json") if not (path / f).is_file()]
    if missing:
        raise ModelError(f"{path} is not a CTranslate2 model directory: {', '.join(missing)} missing "
                         "(convert it first, e.g. ct2-transformers-converter --copy_files source.spm target.spm)")
    vocab = vocabulary(path)
    tokens = set(vocab)
    kind = "nllb" if "eng_Latn" in tokens else "m2m100" if "__en__" in tokens else "marian"
    options = json.loads((path / "newswire.json").read_text()) if (path / "newswire.json").is_file() else {}
    tokenizer = options.get("tokenizer", "sentencepiece")
    if tokenizer == "sentencepiece":
        need = ["source.spm", "target.spm"] if kind == "marian" else ["sentencepiece.bpe.model"]
        if not all((path / f).is_file() for f in need):
            raise ModelError(f"{path} has no SentencePiece model ({' and '.join(need)}): copy it into the "
                             'directory, or add newswire.json {"tokenizer": "whitespace"} for a word vocabulary')
    elif tokenizer != "whitespace":
        raise ModelError(f"{path}/newswire.json: unknown tokenizer {tokenizer!r}")
    return kind, tokenizer, vocab


class Registry:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._cache: tuple[int, list[Model]] | None = None

    def models(self) -> list[Model]:
        manifest = self.root / MANIFEST
        if not manifest.is_file():
            return []
        mtime = manifest.stat().st_mtime_ns
        if self._cache is None or self._cache[0] != mtime:  # `models install` may run beside the service
            raw = json.loads(manifest.read_text()).get("models", [])
            self._cache = (mtime, [Model(**{**m, "pairs": tuple(tuple(p) for p in m["pairs"])}) for m in raw])
        return self._cache[1]

    def path(self, model: Model) -> Path:
        return self.root / model.name

    def pairs(self) -> set[tuple[str, str]]:
        return {p for m in self.models() for p in m.pairs}

    def find(self, source: str, target: str) -> Model | None:
        """A model serving the pair; a one-pair specialist before a multilingual model."""
        found = [m for m in self.models() if (source, target) in m.pairs]
        return min(found, key=lambda m: len(m.pairs)) if found else None

    def install(self, src: Path, pairs: list[tuple[str, str]] | None = None, *, name: str | None = None,
                link: bool = False, move: bool = False) -> Model:
        src = Path(src).resolve()
        kind, tokenizer, vocab = inspect(src)
        pairs = _pairs_for(kind, vocab, pairs or [], src)
        name = re.sub(r"[^A-Za-z0-9._-]+", "--", name or src.name).strip("-.") or "model"
        dest = self.root / name
        self.root.mkdir(parents=True, exist_ok=True)
        if dest.resolve() != src:
            if dest.is_symlink() or dest.is_file():
                dest.unlink()
            elif dest.exists():
                shutil.rmtree(dest)
            if link:
                dest.symlink_to(src, target_is_directory=True)
            elif move:
                shutil.move(src, dest)
            else:
                shutil.copytree(src, dest)
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        model = Model(name, kind, tokenizer, tuple(pairs), now)
        self._write([m for m in self.models() if m.name != name] + [model])
        return model

    def _write(self, models: list[Model]) -> None:
        data = {"models": [{**asdict(m), "pairs": [list(p) for p in m.pairs]} for m in models]}
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".manifest")
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
        os.replace(tmp, self.root / MANIFEST)  # readers never see half a manifest
        self._cache = None


def _pairs_for(kind: str, vocab: list[str], pairs: list[tuple[str, str]], src: Path) -> list[tuple[str, str]]:
    if kind == "marian":
        if not pairs:
            raise ModelError(f"{src} is a one-pair (Marian/OPUS-MT) model: say which pair, e.g. --pair en-de")
        return list(dict.fromkeys(pairs))
    tokens, codes = set(vocab), LANG_CODES[kind]
    known = [tag for tag, code in codes.items() if code in tokens]
    unknown = [t for p in pairs for t in p if t not in known]
    if unknown:
        raise ModelError(f"this {kind} model has no language token for {', '.join(sorted(set(unknown)))}")
    return list(dict.fromkeys(pairs)) or [(s, t) for s in known for t in known if s != t]


def pull(name: str, registry: Registry, pairs: list[tuple[str, str]] | None = None, *,
         timeout: float = 10.0) -> Model:
    """Download ``name`` from the Hugging Face hub, convert it if it is a Transformers model, install it."""
    try:
        import huggingface_hub
        from huggingface_hub import snapshot_download
    except ImportError:
        raise ModelError("downloading models needs huggingface_hub: pip install 'newswire[neural]'") from None
    endpoint = huggingface_hub.constants.ENDPOINT
    url = urlsplit(endpoint)
    try:  # a quick look first: without internet, the download would retry for minutes
        socket.create_connection((url.hostname, url.port or (443 if url.scheme == "https" else 80)),
                                 timeout=timeout).close()
    except OSError as exc:
        raise ModelError(f"cannot reach {endpoint} ({exc}): this machine has no internet access. Download "
                         f"{name} on a machine that has, convert it with CTranslate2, copy it here and run "
                         "`newswire models install DIR --pair xx-yy`.") from None
    if not pairs and (m := re.search(r"opus-mt-([a-z]+)-([a-z]+)$", name)):
        pairs = [parse_pair(f"{m[1]}:{m[2]}")]
    download = registry.root / ".downloads" / name.replace("/", "--")
    try:  # the file transfers keep the hub's own timeout: it reads HF_HUB_DOWNLOAD_TIMEOUT once, at import
        snapshot_download(repo_id=name, local_dir=download, etag_timeout=timeout)
    except Exception as exc:  # hub errors are many classes; each message says what went wrong
        raise ModelError(f"downloading {name} failed: {exc}") from None
    converted = download if (download / "model.bin").is_file() else _convert(download, name)
    model = registry.install(converted, pairs, name=name.replace("/", "--"), move=True)
    shutil.rmtree(download, ignore_errors=True)
    return model


def _convert(path: Path, name: str) -> Path:
    """A Transformers checkpoint (e.g. Helsinki-NLP/opus-mt-en-de) → a CTranslate2 directory beside it."""
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError:
        raise ModelError(f"{name} is not a CTranslate2 model and converting it needs ctranslate2, "
                         "transformers and torch") from None
    out = path.with_name(path.name + "-ct2")
    files = [f for f in TOKENIZER_FILES if (path / f).is_file()]
    try:
        TransformersConverter(str(path), copy_files=files).convert(str(out), force=True)
    except (ImportError, ValueError) as exc:
        raise ModelError(f"converting {name} failed: {exc}") from None
    return out
