#!/usr/bin/env bash
# Deploys the step verifier, OpMLOracle and AIOracleAdapter to any EVM chain.
#   deploy/deploy.sh --rpc-url URL --private-key KEY [--profile devnet|mainnet]
# Parameters: OPML_* environment variables (deploy/README.md). Prints `name: address` lines.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rpc="${ETH_RPC_URL:-}"
key="${OPML_PRIVATE_KEY:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --rpc-url) rpc="$2"; shift 2 ;;
    --private-key) key="$2"; shift 2 ;;
    --profile) export OPML_PROFILE="$2"; shift 2 ;;
    -h | --help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "deploy: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$rpc" ] || { echo "deploy: --rpc-url (or ETH_RPC_URL) is required" >&2; exit 2; }
[ -n "$key" ] || { echo "deploy: --private-key (or OPML_PRIVATE_KEY) is required" >&2; exit 2; }
"$ROOT/scripts/bootstrap.sh"
cd "$ROOT/contracts"
out="$(../.tools/bin/forge script script/Deploy.s.sol --rpc-url "$rpc" --private-key "$key" --broadcast 2>&1)" || {
  echo "$out" >&2
  exit 1
}
echo "$out" | grep -E '^\s*(StepVerifier|OpMLOracle|AIOracleAdapter): 0x' | sed 's/^ *//'
