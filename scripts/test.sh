#!/usr/bin/env bash
# The test command: installs what it needs (Foundry and solc from npm, project-local), builds the
# contracts, then runs every test suite. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "toolchain (project-local Foundry + solc from npm)"
scripts/bootstrap.sh

step "browser for the explorer's test (Chromium from the distribution's packages)"
if OPML_CHROMIUM=$(OPML_INSTALL_CHROMIUM=1 scripts/chromium.sh); then
  export OPML_CHROMIUM
  echo "chromium: $OPML_CHROMIUM"
elif [ "${CI:-}" = true ]; then
  exit 1
else
  echo "no Chromium: the explorer's browser test will skip"
fi

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

# `cargo clippy` checks every crate without code generation, and `cargo test` then compiles them
# all again: on a 2-core machine that is ~9 minutes twice over for the dependencies. With
# clippy-driver as the rustc wrapper of the workspace's own crates, the test build itself runs
# clippy's lints on them, and the dependencies (built without the wrapper) are compiled once.
# `CLIPPY_ARGS` is how `cargo clippy` hands `-D warnings` to the driver. Both cargo commands
# below see the same environment, so the second one rebuilds nothing.
if driver=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver); then
  step "rust: clippy's lints (warnings are errors) during the build of every target"
  export RUSTC_WORKSPACE_WRAPPER="$driver"
  export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
  cargo test --workspace --all-targets --locked --no-run
else
  step "rust: clippy (warnings are errors)"
  cargo clippy --workspace --all-targets --locked -- -D warnings
fi

# The end-to-end tests run `opml` and `opml-liar`. The build above made them (their packages have
# integration tests), with the workspace's features; naming them saves the tests a
# `cargo build -p opml-cli -p opml-testkit`, whose other feature set recompiles dependencies.
target=${CARGO_TARGET_DIR:-$root/target}
if [ -x "$target/debug/opml" ] && [ -x "$target/debug/opml-liar" ]; then
  export OPML_BIN="$target/debug/opml" OPML_LIAR="$target/debug/opml-liar"
fi

step "rust: cargo test (workspace)"
cargo test --workspace --locked
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS

if [ -x guests/build.sh ]; then
  step "guests: reproducible rebuild check"
  guests/build.sh --check
  step "guests: native tests and checks of the committed .wasm"
  cargo test --manifest-path guests/Cargo.toml --locked
  step "soft-float library: native proptests vs hardware, spec float assertions, wasm checks"
  cargo test --manifest-path guests/softfloat/Cargo.toml --locked
fi

step "all tests passed"
