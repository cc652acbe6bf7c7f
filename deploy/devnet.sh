#!/usr/bin/env bash
# Starts a local anvil (port $OPML_DEVNET_PORT, default 8545) and deploys the contracts with the
# devnet profile, using anvil's first well-known test key. Leaves anvil running and prints its
# PID and the addresses; stop it with `kill <pid>`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${OPML_DEVNET_PORT:-8545}"
"$ROOT/scripts/bootstrap.sh"
log="$(mktemp -t opml-anvil.XXXXXX)"
"$ROOT/.tools/bin/anvil" --port "$port" >"$log" 2>&1 &
pid=$!
for _ in $(seq 50); do
  "$ROOT/.tools/bin/cast" chain-id --rpc-url "http://127.0.0.1:$port" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
echo "anvil: pid $pid, http://127.0.0.1:$port, log $log"
# anvil's account 0: a public test key, for local devnets only.
OPML_PROFILE=devnet "$ROOT/deploy/deploy.sh" --rpc-url "http://127.0.0.1:$port" \
  --private-key 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
