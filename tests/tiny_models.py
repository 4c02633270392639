"""Tiny translation models built at test time, so no test downloads weights.

``random_ct2_model`` writes a CTranslate2 Transformer with random weights straight from
``ctranslate2.specs`` (no torch): it exercises loading and decoding, its output is noise.
``trained_marian`` trains a Marian (the OPUS-MT architecture) of ~100k parameters on the
sentence pairs below until it reproduces them, then converts it with CTranslate2's own
Transformers converter, exactly as an OPUS-MT model is converted for production.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

# English → Spanish, made with `apertium eng-spa` and then corrected by hand.
PAIRS = [
    ("The company opened a new office in Berlin.", "La empresa abrió una oficina nueva en Berlín."),
    ("The new product is available today.", "El producto nuevo está disponible hoy."),
    ("Sales grew in the first quarter.", "Las ventas crecieron en el primer trimestre."),
    ("The board approved the plan.", "La junta aprobó el plan."),
    ("The office is open on Monday.", "La oficina está abierta el lunes."),
    ("The company announced a new partnership.", "La empresa anunció una nueva asociación."),
]


def random_ct2_model(out: Path, vocab: list[str], *, d: int = 16, ff: int = 32, seed: int = 0) -> Path:
    """A 1-layer Transformer over ``vocab`` (shared by source and target) with random weights."""
    from ctranslate2.specs import TransformerSpec

    rng = np.random.default_rng(seed)
    spec = TransformerSpec.from_config(1, 2)
    v = len(vocab)

    def w(*shape):
        return rng.normal(0, 0.5, shape).astype(np.float32)

    def norm(ln):
        ln.gamma, ln.beta = np.ones(d, np.float32), np.zeros(d, np.float32)

    def ffn(f):
        norm(f.layer_norm)
        f.linear_0.weight, f.linear_0.bias = w(ff, d), w(ff)
        f.linear_1.weight, f.linear_1.bias = w(d, ff), w(d)

    enc, dec = spec.encoder, spec.decoder
    enc.embeddings[0].weight = w(v, d)
    dec.embeddings.weight = w(v, d)
    dec.projection.weight = w(v, d)
    norm(enc.layer_norm)
    norm(dec.layer_norm)
    for layer in enc.layer:
        norm(layer.self_attention.layer_norm)
        layer.self_attention.linear[0].weight = w(3 * d, d)  # fused q, k, v
        layer.self_attention.linear[1].weight = w(d, d)
        ffn(layer.ffn)
    for layer in dec.layer:
        norm(layer.self_attention.layer_norm)
        layer.self_attention.linear[0].weight = w(3 * d, d)
        layer.self_attention.linear[1].weight = w(d, d)
        norm(layer.attention.layer_norm)
        layer.attention.linear[0].weight = w(d, d)  # query
        layer.attention.linear[1].weight = w(2 * d, d)  # fused k, v of the source
        layer.attention.linear[2].weight = w(d, d)
        ffn(layer.ffn)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.config.bos_token, spec.config.eos_token, spec.config.unk_token = "<s>", "</s>", "<unk>"
    out.mkdir(parents=True, exist_ok=True)
    spec.validate()
    spec.optimize()
    spec.save(str(out))
    # The vocabulary-level tokenizer: words split on spaces, no SentencePiece model.
    (out / "newswire.json").write_text(json.dumps({"tokenizer": "whitespace"}))
    return out


def trained_marian(work: Path, pairs=PAIRS, *, steps: int = 1000) -> Path:
    """Train a tiny MarianMTModel on ``pairs`` and return its converted CTranslate2 directory,
    ``work/ct2``; the Transformers checkpoint it was converted from stays in ``work/hf``."""
    import sentencepiece as spm
    import torch
    from ctranslate2.converters import TransformersConverter
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    torch.manual_seed(0)
    torch.set_num_threads(1)  # a tiny model: more threads only fight over the shared cores
    hf = work / "hf"
    hf.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus.txt"
    corpus.write_text("\n".join(s for pair in pairs for s in pair) + "\n")
    # One joint SentencePiece model serves as both source.spm and target.spm, as in OPUS-MT.
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(work / "sp"), vocab_size=120,
                                   model_type="unigram", hard_vocab_limit=False, bos_id=-1, eos_id=1,
                                   unk_id=2, pad_id=-1, minloglevel=2)
    sp = spm.SentencePieceProcessor(model_file=str(work / "sp.model"))
    pieces = ["</s>", "<unk>"] + [sp.id_to_piece(i) for i in range(sp.get_piece_size())
                                 if sp.id_to_piece(i) not in ("</s>", "<unk>")]
    vocab = {p: i for i, p in enumerate(pieces + ["<pad>"])}
    for name in ("source.spm", "target.spm"):
        (hf / name).write_bytes((work / "sp.model").read_bytes())
    (hf / "vocab.json").write_text(json.dumps(vocab))
    tok = MarianTokenizer(str(hf / "source.spm"), str(hf / "target.spm"), str(hf / "vocab.json"))
    tok.save_pretrained(hf)

    pad = vocab["<pad>"]
    config = MarianConfig(vocab_size=len(vocab), d_model=64, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=128,
                          decoder_ffn_dim=128, max_position_embeddings=64, pad_token_id=pad,
                          decoder_start_token_id=pad, eos_token_id=0, forced_eos_token_id=0,
                          dropout=0.0, attention_dropout=0.0, activation_dropout=0.0)
    model = MarianMTModel(config)
    batch = tok([s for s, _ in pairs], text_target=[t for _, t in pairs], padding=True, return_tensors="pt")
    batch["labels"][batch["labels"] == pad] = -100
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        loss = model(**batch).loss
        if loss.item() < 0.002:  # memorised: every reference token has probability ~1
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    model.save_pretrained(hf)

    out = work / "ct2"
    TransformersConverter(str(hf), copy_files=["source.spm", "target.spm"]).convert(str(out), force=True)
    return out
