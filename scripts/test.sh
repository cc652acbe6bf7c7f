#!/usr/bin/env bash
# The test command: installs what it needs (Foundry and solc from npm, project-local), builds the
# contracts, then runs every test suite. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "toolchain (project-local Foundry + solc from npm)"
scripts/bootstrap.sh

step "contracts: forge build + forge test"
(cd contracts && "$root/.tools/bin/forge" build && "$root/.tools/bin/forge" test)

step "rust: formatting"
cargo fmt --all --check

step "rust: cargo test (workspace)"
cargo test --workspace --locked

if [ -x guests/build.sh ]; then
  step "guests: reproducible rebuild check"
  guests/build.sh --check
  step "guests: native tests and checks of the committed .wasm"
  cargo test --manifest-path guests/Cargo.toml --locked
  step "soft-float library: native proptests vs hardware, spec float assertions, wasm checks"
  cargo test --manifest-path guests/softfloat/Cargo.toml --locked
fi

step "all tests passed"
