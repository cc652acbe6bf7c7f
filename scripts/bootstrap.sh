#!/usr/bin/env bash
# Installs the pinned Foundry (forge, anvil, cast) and solc-js toolchain into <repo>/.tools/
# from the npm registry, then exposes the native binaries at .tools/bin/{forge,anvil,cast}.
#
# Why npm: it is the one registry that ships Foundry's native binaries on every machine we use;
# versions are pinned by scripts/toolchain/package-lock.json, so reruns are reproducible and,
# once the npm cache is warm, work offline. A rerun with nothing changed is a fast no-op.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SPEC="$ROOT/scripts/toolchain"
TOOLS="$ROOT/.tools"
STAMP="$TOOLS/.installed"

die() { echo "bootstrap: error: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "node not found on PATH (need Node.js >= 18; e.g. apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm not found on PATH (need npm >= 8; e.g. apt-get install npm)"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "unsupported OS $(uname -s)" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) die "unsupported CPU $(uname -m)" ;;
esac

# The stamp records the lockfile hash and platform: any change forces a reinstall.
want="$(cat "$SPEC/package-lock.json" "$SPEC/package.json" | sha256sum | cut -d' ' -f1) $os-$arch"
tools_ok() {
  for t in forge anvil cast; do [ -x "$TOOLS/bin/$t" ] || return 1; done
  [ -f "$TOOLS/node_modules/solc/solc.js" ]
}
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && tools_ok; then
  exit 0
fi

mkdir -p "$TOOLS"
cp "$SPEC/package.json" "$SPEC/package-lock.json" "$TOOLS/"
echo "bootstrap: installing Foundry + solc-js into $TOOLS" >&2
# --ignore-scripts: the postinstall hooks only print hints; the platform binaries arrive as
# optional dependencies. --prefer-offline: reuse the npm cache when it has the exact versions.
npm ci --prefix "$TOOLS" --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error >&2 ||
  die "npm ci failed (is the npm registry reachable, or the npm cache warm?)"

mkdir -p "$TOOLS/bin"
for t in forge anvil cast; do
  bin="$TOOLS/node_modules/@foundry-rs/$t-$os-$arch/bin/$t"
  [ -x "$bin" ] || die "missing $bin after install (platform $os-$arch not published?)"
  ln -sfn "../node_modules/@foundry-rs/$t-$os-$arch/bin/$t" "$TOOLS/bin/$t"
done
[ -f "$TOOLS/node_modules/solc/solc.js" ] || die "solc-js missing after install"
echo "$want" >"$STAMP"
echo "bootstrap: ok: $("$TOOLS/bin/forge" --version | head -1), solc $("$ROOT/scripts/solc" --version | sed -n 's/^Version: //p')" >&2
