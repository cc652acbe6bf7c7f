#!/usr/bin/env python3
"""Reference embeddings for the minilm guest, and the tiny random model of its tests.

How the expected values are produced: the Hugging Face `tokenizers` library (the tokenizer
sentence-transformers runs) loads the model's own tokenizer.json, with truncation at
min(256, max_position_embeddings) and no padding; the encoder is BertModel's eval-mode forward
written out in numpy in float64 from the float32 weights (embeddings + LayerNorm, per layer
scaled dot-product attention, output projection + residual + LayerNorm, exact-erf GELU
feed-forward + residual + LayerNorm), then mean pooling and L2 normalisation
(sentence-transformers' Pooling and Normalize modules). torch and sentence-transformers
themselves are not used: torch is a multi-gigabyte download this project's machines avoid.

    python reference.py --model DIR --texts texts.json --out expected.json
    python reference.py --make-tiny OUT --model DIR     # tiny random model from DIR's vocabulary

Needs numpy, tokenizers and safetensors (scripts/models.sh --reference makes a venv with them).
"""
import argparse
import json
import math
import os

import numpy as np
from safetensors.numpy import load_file, save_file
from tokenizers import Tokenizer

MAX_TOKENS = 256


def erf(x):
    return np.vectorize(math.erf)(x)


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def embed(model_dir, texts):
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    t = {k: v.astype(np.float64) for k, v in load_file(os.path.join(model_dir, "model.safetensors")).items()
         if v.dtype == np.float32}
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=min(MAX_TOKENS, cfg["max_position_embeddings"]))
    heads, eps = cfg["num_attention_heads"], cfg["layer_norm_eps"]
    all_ids, out = [], []
    for text in texts:
        ids = tok.encode(text).ids
        all_ids.append(ids)
        n = len(ids)
        h = (t["embeddings.word_embeddings.weight"][ids]
             + t["embeddings.position_embeddings.weight"][:n]
             + t["embeddings.token_type_embeddings.weight"][0])
        h = layer_norm(h, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"], eps)
        for l in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{l}."
            lin = lambda x, name: x @ t[p + name + ".weight"].T + t[p + name + ".bias"]
            q, k, v = (lin(h, f"attention.self.{s}") for s in ("query", "key", "value"))
            d = q.shape[1] // heads
            ctx = np.zeros_like(q)
            for hd in range(heads):
                s = slice(hd * d, (hd + 1) * d)
                scores = q[:, s] @ k[:, s].T / math.sqrt(d)
                scores = np.exp(scores - scores.max(-1, keepdims=True))
                scores /= scores.sum(-1, keepdims=True)
                ctx[:, s] = scores @ v[:, s]
            h = layer_norm(lin(ctx, "attention.output.dense") + h,
                           t[p + "attention.output.LayerNorm.weight"], t[p + "attention.output.LayerNorm.bias"], eps)
            up = lin(h, "intermediate.dense")
            up = 0.5 * up * (1 + erf(up / math.sqrt(2)))
            h = layer_norm(lin(up, "output.dense") + h,
                           t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"], eps)
        e = h.mean(0)
        out.append((e / max(np.linalg.norm(e), 1e-12)).tolist())
    return all_ids, out


def make_tiny(out_dir, model_dir, vocab=3000, hidden=16, heads=2, inter=48, layers=2, positions=64, seed=7):
    """A same-architecture model with small random weights and the first `vocab` tokens."""
    rng = np.random.default_rng(seed)
    os.makedirs(out_dir, exist_ok=True)
    tj = json.load(open(os.path.join(model_dir, "tokenizer.json")))
    tj["model"]["vocab"] = {k: v for k, v in tj["model"]["vocab"].items() if v < vocab}
    json.dump(tj, open(os.path.join(out_dir, "tokenizer.json"), "w"), ensure_ascii=False, separators=(",", ":"))
    cfg = dict(hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
               intermediate_size=inter, vocab_size=vocab, max_position_embeddings=positions,
               layer_norm_eps=1e-12, hidden_act="gelu", position_embedding_type="absolute")
    json.dump(cfg, open(os.path.join(out_dir, "config.json"), "w"), indent=1)
    f = lambda *shape, scale=1.0: (rng.standard_normal(shape) * scale).astype(np.float32)
    t = {"embeddings.word_embeddings.weight": f(vocab, hidden),
         "embeddings.position_embeddings.weight": f(positions, hidden, scale=0.3),
         "embeddings.token_type_embeddings.weight": f(2, hidden, scale=0.3),
         "embeddings.LayerNorm.weight": 1 + f(hidden, scale=0.1),
         "embeddings.LayerNorm.bias": f(hidden, scale=0.1)}
    for l in range(layers):
        p = f"encoder.layer.{l}."
        for name, o, i in [("attention.self.query", hidden, hidden), ("attention.self.key", hidden, hidden),
                           ("attention.self.value", hidden, hidden), ("attention.output.dense", hidden, hidden),
                           ("intermediate.dense", inter, hidden), ("output.dense", hidden, inter)]:
            t[p + name + ".weight"] = f(o, i, scale=1 / math.sqrt(i))
            t[p + name + ".bias"] = f(o, scale=0.1)
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            t[p + name + ".weight"] = 1 + f(hidden, scale=0.1)
            t[p + name + ".bias"] = f(hidden, scale=0.1)
    save_file(t, os.path.join(out_dir, "model.safetensors"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--texts")
    ap.add_argument("--out")
    ap.add_argument("--make-tiny")
    a = ap.parse_args()
    if a.make_tiny:
        make_tiny(a.make_tiny, a.model)
        return
    texts = json.load(open(a.texts))
    ids, emb = embed(a.model, texts)
    json.dump({"source": __doc__.split("\n\n")[1].replace("\n", " "), "texts": texts, "tokens": ids,
               "embeddings": emb}, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
