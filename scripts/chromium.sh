#!/usr/bin/env bash
# Prints the path of a usable Chromium (for the explorer's browser test): $OPML_CHROMIUM, else
# one on the PATH, else, with OPML_INSTALL_CHROMIUM=1 or CI=true, the distribution's package
# installed with apt-get when this can (root, or password-less sudo). Exits non-zero with a
# message on stderr when there is none.
# Usage: OPML_CHROMIUM=$(scripts/chromium.sh)
set -uo pipefail

usable() { [ -n "$1" ] && "$1" --headless --no-sandbox --version >/dev/null 2>&1; }

find_one() {
  for c in "${OPML_CHROMIUM:-}" chromium chromium-browser; do
    [ -n "$c" ] || continue
    local p
    p=$(command -v "$c" 2>/dev/null) || continue
    if usable "$p"; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

find_one && exit 0

# Installing changes the machine: only the test command (which sets OPML_INSTALL_CHROMIUM=1)
# and CI do it, never a plain `cargo test`.
if [ "${OPML_INSTALL_CHROMIUM:-}" != 1 ] && [ "${CI:-}" != true ]; then
  echo "chromium.sh: no Chromium found (scripts/test.sh installs it; or set OPML_CHROMIUM)" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium.sh: no Chromium found and no apt-get to install it: install Chromium and set OPML_CHROMIUM to its path" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "chromium.sh: no Chromium found, and installing it needs root: run 'apt-get install -y --no-install-recommends chromium' as root, or set OPML_CHROMIUM" >&2
  exit 1
fi

echo "chromium.sh: installing chromium from the distribution's packages" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh machine may be missing or stale.
if ! "${as_root[@]}" apt-get install -y -q --no-install-recommends chromium >&2; then
  "${as_root[@]}" apt-get update -q >&2 &&
    "${as_root[@]}" apt-get install -y -q --no-install-recommends chromium >&2
fi
if find_one; then
  exit 0
fi
echo "chromium.sh: apt-get could not install a usable chromium (on Ubuntu the package is a snap stub: install Chromium another way and set OPML_CHROMIUM)" >&2
exit 1
