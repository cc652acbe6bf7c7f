#!/usr/bin/env bash
# Rewrites the files the Rust bindings compile from (protocol/bindings/artifacts/): the trimmed
# forge artifacts of the contracts they deploy or call, and the enums and file-level structs
# taken from the Solidity sources. Run after changing a contract's ABI or code, and commit the
# result; `cargo test -p opml-bindings` fails while they are stale.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/bootstrap.sh
(cd contracts && ../.tools/bin/forge build --quiet)
OPML_UPDATE_BINDINGS=1 cargo test -q -p opml-bindings --test committed
git status --short protocol/bindings/artifacts
