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
step "contracts: the adapter's gas with every call a transaction of its own (cold storage)"
(cd contracts && "$root/.tools/bin/forge" test --isolate --match-contract AdapterTest)

step "contracts: the verifier's gas against the committed snapshot"
# Fuzz runs are left out (their gas varies with the inputs). After an intended change,
# refresh it: the same command without --check.
(cd contracts && "$root/.tools/bin/forge" snapshot --match-path 'test/verifier/*' \
  --no-match-test testFuzz --snap test/verifier/verifier.gas-snapshot --check)

step "rust: formatting"
cargo fmt --all --check

step "rust: clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

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
