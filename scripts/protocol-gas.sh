#!/usr/bin/env bash
# Prints the protocol's gas per move and per whole dispute game at D = 20, 32, 48 (k = 16),
# with the number of rounds. Each call runs as its own transaction (--isolate), so storage
# is cold as on a real chain.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT/contracts"
../.tools/bin/forge test --isolate --match-test test_gas_report -vv | sed -n '/^Logs:/,/^Suite result/p'
