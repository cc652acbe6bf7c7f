#!/usr/bin/env python3
"""Train the digits classifier and export it for the `guests/digits` guest (numpy only).

Data: the UCI handwritten digits (1797 8x8 images, pixels 0..16) as shipped inside the
scikit-learn package (`sklearn/datasets/data/digits.csv.gz`). Pass `--csv PATH` (the .csv.gz, or
a scikit-learn wheel to read it from), or let the script look in an installed scikit-learn and in
`guests/train/.data/` (see `fetch_data.sh`). The dataset is never committed.

Model: a 64-32-10 MLP with ReLU, trained in float64 with Adam on the first 80% of the file and
its one-pixel shifts (fixed seed; the last 20%, other writers, is held out). It is then quantized for integer-only inference:

  layer 1: acc1[j] = sum_k W1[j,k] * x[k] + B1[j]         (W1 int8 per-row scale, x = pixels)
           a[j]    = min(127, (max(acc1[j], 0) * M1[j] + 2^(S-1)) >> S)   (int8 activations)
  layer 2: logit[i] = sum_j W2[i,j] * a[j] + B2[i]         (W2 int8 per-tensor scale)
  digit = argmax(logit), first index on ties.

Outputs (relative to --out, default guests/digits): `src/weights.rs` (the int8/int32 parameters as
Rust statics, the guest's read-only data), `testdata/heldout.bin` (per held-out sample: label
byte then 64 pixel bytes), `testdata/heldout-logits.bin` (the numpy-simulated integer logits,
10 x i32 LE per sample, which the guest must reproduce exactly) and `testdata/sample.bin` (the
first held-out image, 64 bytes, for demos). Floats differ across BLAS builds in the last bits, so
a retrain elsewhere may give other weights; the committed `weights.rs` is the model.

The same weights rounded to f32 go to `--out-f32` (default guests/digits-f32): `src/weights.rs`
and `testdata/heldout-logits-f32.bin` (10 x f32 LE per held-out sample, computed with every
operation rounded to f32 in the guest's order, so the f32 guest must match it bit for bit).
"""

import argparse
import gzip
import io
import pathlib
import sys
import zipfile

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
MEMBER = "sklearn/datasets/data/digits.csv.gz"
SEED = 20260
HIDDEN = 32
SHIFT = 24
EPOCHS = 40
BATCH = 64
LR = 0.003
L2 = 1e-3


def locate_csv(arg):
    """Returns the gzipped CSV bytes from a path, a wheel, an installed sklearn or .data/."""
    candidates = [pathlib.Path(arg)] if arg else []
    if not arg:
        try:
            import importlib.util

            spec = importlib.util.find_spec("sklearn")
            if spec and spec.origin:
                candidates.append(pathlib.Path(spec.origin).parent / "datasets/data/digits.csv.gz")
        except (ImportError, ValueError):
            pass
        candidates.append(HERE / ".data/digits.csv.gz")
        candidates.extend(sorted((HERE / ".data").glob("scikit_learn-*.whl")))
    for path in candidates:
        if not path.is_file():
            continue
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as z:
                return z.read(MEMBER), f"{path}!{MEMBER}"
        return path.read_bytes(), str(path)
    sys.exit(
        "digits.csv.gz not found: pass --csv PATH, or run guests/train/fetch_data.sh "
        "(downloads the scikit-learn wheel into guests/train/.data/)"
    )


def load(raw):
    data = np.loadtxt(io.StringIO(gzip.decompress(raw).decode()), delimiter=",", dtype=np.int64)
    if data.shape != (1797, 65) or data[:, :64].min() < 0 or data[:, :64].max() > 16:
        sys.exit(f"unexpected digits data shape/range: {data.shape}")
    return data[:, :64], data[:, 64]


def augment(pixels, labels):
    """Adds the four one-pixel shifts (zero fill) of every training image."""
    im = pixels.reshape(-1, 8, 8)
    out, ys = [pixels], [labels]
    for dy, dx in [(0, 1), (0, -1), (1, 0), (-1, 0)]:
        s = np.zeros_like(im)
        s[:, max(dy, 0) : 8 + min(dy, 0), max(dx, 0) : 8 + min(dx, 0)] = im[
            :, max(-dy, 0) : 8 + min(-dy, 0), max(-dx, 0) : 8 + min(-dx, 0)
        ]
        out.append(s.reshape(-1, 64))
        ys.append(labels)
    return np.concatenate(out), np.concatenate(ys)


def train(x, y, rng):
    """Float MLP with softmax cross-entropy and Adam; returns (W1, b1, W2, b2)."""
    n, d = x.shape
    params = [
        rng.normal(0, np.sqrt(2 / d), (HIDDEN, d)),
        np.zeros(HIDDEN),
        rng.normal(0, np.sqrt(2 / HIDDEN), (10, HIDDEN)),
        np.zeros(10),
    ]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    onehot = np.eye(10)[y]
    t = 0
    for _ in range(EPOCHS):
        order = rng.permutation(n)
        for s in range(0, n, BATCH):
            idx = order[s : s + BATCH]
            xb, yb = x[idx], onehot[idx]
            w1, b1, w2, b2 = params
            h = np.maximum(xb @ w1.T + b1, 0)
            z = h @ w2.T + b2
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            dz = (p - yb) / len(idx)
            dh = (dz @ w2) * (h > 0)
            grads = [dh.T @ xb + L2 * w1, dh.sum(0), dz.T @ h + L2 * w2, dz.sum(0)]
            t += 1
            for i, g in enumerate(grads):
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                mh, vh = m[i] / (1 - 0.9**t), v[i] / (1 - 0.999**t)
                params[i] = params[i] - LR * mh / (np.sqrt(vh) + 1e-8)
    return params


def float_predict(params, x):
    w1, b1, w2, b2 = params
    return (np.maximum(x @ w1.T + b1, 0) @ w2.T + b2).argmax(1)


def quantize(params, x_train):
    """int8 weights, int32 biases, per-row requantization multipliers for layer 1."""
    w1, b1, w2, b2 = params
    s_x = 1 / 16
    # Rows below 1% of the largest (dead units, decayed to ~0) share a floor scale: their weights
    # quantize to ~0 and their biases stay within int32.
    rowmax = np.abs(w1).max(axis=1)
    s1 = np.maximum(rowmax, 0.01 * rowmax.max()) / 127
    q_w1 = np.clip(np.round(w1 / s1[:, None]), -127, 127).astype(np.int64)
    q_b1 = np.round(b1 / (s_x * s1)).astype(np.int64)
    s_a = np.maximum(x_train @ w1.T + b1, 0).max() / 127
    m1 = np.round(s_x * s1 / s_a * 2**SHIFT).astype(np.int64)
    s2 = np.abs(w2).max() / 127
    q_w2 = np.clip(np.round(w2 / s2), -127, 127).astype(np.int64)
    q_b2 = np.round(b2 / (s_a * s2)).astype(np.int64)
    q = dict(W1=q_w1, B1=q_b1, M1=m1, W2=q_w2, B2=q_b2)
    for name, a in q.items():
        assert np.abs(a).max() < 2**31, name
    return q


def int_logits(q, pixels):
    """The guest's integer arithmetic, exactly (int64 numpy, no floats)."""
    acc1 = pixels @ q["W1"].T + q["B1"]
    a = np.minimum((np.maximum(acc1, 0) * q["M1"] + (1 << (SHIFT - 1))) >> SHIFT, 127)
    logits = a @ q["W2"].T + q["B2"]
    assert np.abs(logits).max() < 2**31
    return logits


def f32_logits(params, pixels):
    """The f32 guest's arithmetic, exactly: every product and sum rounded to f32, in its order."""
    w1, b1, w2, b2 = (p.astype(np.float32) for p in params)
    x = pixels.astype(np.float32) / np.float32(16)
    h = np.tile(b1, (len(x), 1))
    for k in range(x.shape[1]):
        h = h + w1[:, k] * x[:, k : k + 1]
    h = np.maximum(h, np.float32(0))
    z = np.tile(b2, (len(x), 1))
    for j in range(h.shape[1]):
        z = z + w2[:, j] * h[:, j : j + 1]
    assert z.dtype == np.float32
    return z


def f32_literal(v):
    """Shortest decimal that parses back to the same f32 (Rust rounds literals correctly)."""
    return np.format_float_scientific(np.float32(v), unique=True, trim="0")


def rust_array(a, ty):
    if a.ndim == 1:
        fmt = f32_literal if ty == "f32" else lambda v: str(int(v))
        return "[" + ", ".join(fmt(v) for v in a) + "]"
    rows = ",\n    ".join(rust_array(r, ty) for r in a)
    return "[\n    " + rows + ",\n]"


def write_weights(path, q, source_note):
    h, d = q["W1"].shape
    o = q["W2"].shape[0]
    text = f"""//! Generated by `guests/train/train_digits.py` ({source_note}); do not edit.
//! The model's read-only data: int8 weights, int32 biases, layer-1 requantization multipliers.

/// Input pixels (8x8, values 0..=16).
pub const INPUTS: usize = {d};
/// Hidden ReLU units.
pub const HIDDEN: usize = {h};
/// Classes (digits 0..=9).
pub const CLASSES: usize = {o};
/// Right shift of the layer-1 requantization.
pub const SHIFT: u32 = {SHIFT};

/// Layer-1 weights, one row per hidden unit.
pub static W1: [[i8; INPUTS]; HIDDEN] = {rust_array(q["W1"], "i8")};
/// Layer-1 biases, in accumulator units.
pub static B1: [i32; HIDDEN] = {rust_array(q["B1"], "i32")};
/// Layer-1 requantization multipliers (activation = acc * M1 >> SHIFT, rounded).
pub static M1: [i32; HIDDEN] = {rust_array(q["M1"], "i32")};
/// Layer-2 weights, one row per class.
pub static W2: [[i8; HIDDEN]; CLASSES] = {rust_array(q["W2"], "i8")};
/// Layer-2 biases, in accumulator units.
pub static B2: [i32; CLASSES] = {rust_array(q["B2"], "i32")};
"""
    path.write_text(text)


def write_weights_f32(path, params, source_note):
    w1, b1, w2, b2 = params
    h, d = w1.shape
    text = f"""//! Generated by `guests/train/train_digits.py` ({source_note}); do not edit.
//! The float model's read-only data: the trained weights rounded to f32.

/// Input pixels (8x8, values 0..=16, scaled by 1/16).
pub const INPUTS: usize = {d};
/// Hidden ReLU units.
pub const HIDDEN: usize = {h};
/// Classes (digits 0..=9).
pub const CLASSES: usize = {w2.shape[0]};

/// Layer-1 weights, one row per hidden unit.
pub static W1: [[f32; INPUTS]; HIDDEN] = {rust_array(w1, "f32")};
/// Layer-1 biases.
pub static B1: [f32; HIDDEN] = {rust_array(b1, "f32")};
/// Layer-2 weights, one row per class.
pub static W2: [[f32; HIDDEN]; CLASSES] = {rust_array(w2, "f32")};
/// Layer-2 biases.
pub static B2: [f32; CLASSES] = {rust_array(b2, "f32")};
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", help="digits.csv.gz or a scikit-learn wheel")
    ap.add_argument("--out", default=str(HERE.parent / "digits"), help="guest crate directory")
    ap.add_argument(
        "--out-f32", default=str(HERE.parent / "digits-f32"), help="f32 guest crate directory"
    )
    args = ap.parse_args()

    raw, source = locate_csv(args.csv)
    pixels, labels = load(raw)
    n_train = int(len(labels) * 0.8)
    xtr, ytr = pixels[:n_train], labels[:n_train]
    xte, yte = pixels[n_train:], labels[n_train:]
    print(f"data: {source}: {n_train} train, {len(yte)} held out")

    xaug, yaug = augment(xtr, ytr)
    params = train(xaug / 16.0, yaug, np.random.default_rng(SEED))
    acc_f_tr = (float_predict(params, xtr / 16.0) == ytr).mean()
    acc_f_te = (float_predict(params, xte / 16.0) == yte).mean()
    q = quantize(params, xaug / 16.0)
    lg_te = int_logits(q, xte)
    acc_q_tr = (int_logits(q, xtr).argmax(1) == ytr).mean()
    acc_q_te = (lg_te.argmax(1) == yte).mean()
    print(f"float accuracy:     train {acc_f_tr:.4f}  held-out {acc_f_te:.4f}")
    print(f"quantized accuracy: train {acc_q_tr:.4f}  held-out {acc_q_te:.4f}"
          f" ({int((lg_te.argmax(1) == yte).sum())}/{len(yte)})")
    z32 = f32_logits(params, xte)
    print(f"f32 accuracy:                     held-out {(z32.argmax(1) == yte).mean():.4f}"
          f" ({int((z32.argmax(1) == yte).sum())}/{len(yte)})")

    out = pathlib.Path(args.out)
    (out / "testdata").mkdir(parents=True, exist_ok=True)
    write_weights(out / "src/weights.rs", q, f"seed {SEED}, {EPOCHS} epochs")
    records = np.concatenate([yte[:, None], xte], axis=1).astype(np.uint8)
    (out / "testdata/heldout.bin").write_bytes(records.tobytes())
    (out / "testdata/heldout-logits.bin").write_bytes(lg_te.astype("<i4").tobytes())
    (out / "testdata/sample.bin").write_bytes(xte[0].astype(np.uint8).tobytes())
    out32 = pathlib.Path(args.out_f32)
    write_weights_f32(out32 / "src/weights.rs", params, f"seed {SEED}, {EPOCHS} epochs")
    (out32 / "testdata").mkdir(parents=True, exist_ok=True)
    (out32 / "testdata/heldout-logits-f32.bin").write_bytes(z32.astype("<f4").tobytes())
    print(f"wrote {out}/src/weights.rs and {out}/testdata/ (sample.bin is a {yte[0]})")
    print(f"wrote {out32}/src/weights.rs and {out32}/testdata/")


if __name__ == "__main__":
    main()
