#!/usr/bin/env bash
# The opml demo in one command, on a fresh machine: installs the toolchain (Foundry + solc from
# npm into .tools/), builds the contracts, then runs `opml demo` — a local anvil, a consumer
# asking for a digit classification, a (test-only) lying submitter, the challenger winning the
# dispute on-chain, the right answer delivered. Extra arguments go to `opml demo`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/bootstrap.sh
(cd contracts && ../.tools/bin/forge build --quiet)
exec cargo run --release -q -p opml-cli -- demo "$@"
