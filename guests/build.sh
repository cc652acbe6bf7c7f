#!/usr/bin/env bash
# Builds every guest for wasm32-unknown-unknown, reproducibly, into guests/wasm/<name>.wasm.
#   guests/build.sh           rebuild and copy the .wasm files
#   guests/build.sh --check   rebuild and compare bytes with the committed ones (exit 1 on mismatch;
#                             a rustc other than wasm/rustc-version.txt only warns)
# Without the wasm32 target the check is skipped with a message (exit 0). Also runs
# guests/softfloat/build.sh --check when that script exists.
set -euo pipefail
guests="$(cd "$(dirname "$0")" && pwd)"
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# crate directory -> output name
guests_list=(digits:digits digits-f32:digits-f32 kernels:kernels attention:attention mnist:mnist minilm:minilm segments:segments)

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "guests/build.sh: SKIP: the wasm32-unknown-unknown target is not installed" \
    "(rustup target add wasm32-unknown-unknown); committed .wasm files not rebuilt"
  exit 0
fi

cargo_home="${CARGO_HOME:-$HOME/.cargo}"
# The bytes must not depend on where the repo or cargo's registry live, nor on cargo/rustc
# settings of the caller: paths are remapped and every code-generation flag is spelled out.
# target-cpu=mvp plus the profile's features keeps out what the machine rejects (reference
# types, ...); a 64 KiB stack keeps linear memory small.
flags=(
  "--remap-path-prefix=$guests=/opml/guests"
  "--remap-path-prefix=$cargo_home=/cargo"
  "-Ctarget-cpu=mvp"
  "-Ctarget-feature=+sign-ext,+mutable-globals,+bulk-memory,+nontrapping-fptoint,-reference-types,-multivalue"
  "-Clink-arg=-zstack-size=65536"
)
export RUSTFLAGS="${flags[*]}"
unset CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS
export CARGO_TARGET_DIR="$guests/target"
export CARGO_INCREMENTAL=0

# One cargo invocation per guest: built together, cargo would unify the SDK's features across
# them (minilm's `std` would link std into the no_std guests).
for crate in "${guests_list[@]%%:*}"; do
  cargo build --manifest-path "$guests/Cargo.toml" --locked --release \
    --target wasm32-unknown-unknown -p "opml-$crate"
done

# The committed builds record the compiler that made them: another rustc may emit other bytes,
# which is reported but is not a reproducibility failure.
have_rustc="$(rustc -V)"
recorded_rustc="$(cat "$guests/wasm/rustc-version.txt" 2>/dev/null || echo unknown)"

status=0
mkdir -p "$guests/wasm"
for entry in "${guests_list[@]}"; do
  crate="${entry%%:*}" name="${entry##*:}"
  built="$guests/target/wasm32-unknown-unknown/release/opml_${crate//-/_}.wasm"
  committed="$guests/wasm/$name.wasm"
  mkdir -p "$(dirname "$committed")"
  if [ "$check" = 1 ]; then
    if cmp -s "$built" "$committed"; then
      echo "ok: wasm/$name.wasm rebuilds bit for bit ($(wc -c <"$built") bytes)"
    elif [ "$have_rustc" != "$recorded_rustc" ]; then
      echo "SKIP: wasm/$name.wasm differs from a fresh build, but it was built by $recorded_rustc" \
        "and this is $have_rustc: rebuild with guests/build.sh to update" >&2
    else
      echo "MISMATCH: wasm/$name.wasm differs from a fresh build ($built), same $have_rustc" >&2
      status=1
    fi
  else
    cp "$built" "$committed"
    echo "wrote wasm/$name.wasm ($(wc -c <"$committed") bytes, sha256 $(sha256sum "$committed" | cut -c1-16))"
  fi
done
[ "$check" = 1 ] || echo "$have_rustc" >"$guests/wasm/rustc-version.txt"

if [ "$check" = 1 ] && [ -x "$guests/softfloat/build.sh" ]; then
  "$guests/softfloat/build.sh" --check || status=1
fi
exit "$status"
