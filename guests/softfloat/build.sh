#!/usr/bin/env bash
# Builds the soft-float library to integer-only wasm and installs it as
# vm/softfloat/softfloat.wasm. With --check, rebuilds and fails if the committed bytes differ.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/vm/softfloat/softfloat.wasm"
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
rustup_home="${RUSTUP_HOME:-$HOME/.rustup}"

# Paths must not leak into the bytes: remap the checkout and toolchain locations, and pin the
# wasm feature set to MVP (plus what the opml profile accepts) so the output does not follow
# the toolchain's default target features.
export RUSTFLAGS="--remap-path-prefix=$here=/opml/softfloat --remap-path-prefix=$cargo_home=/cargo --remap-path-prefix=$rustup_home=/rustup -C target-cpu=mvp -C target-feature=+mutable-globals,+sign-ext"
export CARGO_TARGET_DIR="$here/target"
export SOURCE_DATE_EPOCH=0

cargo rustc --quiet --locked --release --lib --crate-type cdylib --target wasm32-unknown-unknown --manifest-path "$here/Cargo.toml"
built="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/opml_softfloat.wasm"

if [[ "${1:-}" == "--check" ]]; then
    if cmp -s "$built" "$out"; then
        echo "softfloat.wasm: reproducible ($(wc -c <"$out") bytes)"
    else
        echo "softfloat.wasm: rebuilt bytes differ from $out" >&2
        exit 1
    fi
else
    mkdir -p "$(dirname "$out")"
    cp "$built" "$out"
    echo "wrote $out ($(wc -c <"$out") bytes)"
fi
