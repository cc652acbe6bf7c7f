#!/usr/bin/env bash
# VM speed before and after machine v2, side by side in one run: attention (the 8-token f32
# attention block) on machine v1 (commit 39cab32: floats as soft-float calls) and on this
# checkout's machine, each with its own committed guest build and sample input.
#   scripts/vm-speed-v1-v2.sh [ROUNDS]     (default 3 interleaved rounds; needs git history)
# Builds bench/vmspeed/main.rs twice in release against each machine's opml-vm, in a temp dir.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-3}"
v1_commit=39cab32
tmp="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$tmp/v1tree" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$root" worktree add -q --detach "$tmp/v1tree" "$v1_commit"
for v in v1 v2; do
  vm="$root/vm"
  [ "$v" = v1 ] && vm="$tmp/v1tree/vm"
  mkdir -p "$tmp/$v/src"
  cp "$root/bench/vmspeed/main.rs" "$tmp/$v/src/main.rs"
  cat > "$tmp/$v/Cargo.toml" <<TOML
[package]
name = "vmspeed"
version = "0.0.0"
edition = "2024"
publish = false
[dependencies]
opml-vm = { path = "$vm" }
[workspace]
TOML
  echo "building the $v harness (release)"
  cargo build --quiet --release --manifest-path "$tmp/$v/Cargo.toml"
done
g1="$tmp/v1tree/guests" g2="$root/guests"
for _ in $(seq "$rounds"); do
  "$tmp/v1/target/release/vmspeed" "$g1/wasm/attention.wasm" "$g1/attention/testdata/sample.bin" 5 "machine v1, attention"
  "$tmp/v2/target/release/vmspeed" "$g2/wasm/attention.wasm" "$g2/attention/testdata/sample.bin" 21 "machine v2, attention"
done
