#!/usr/bin/env bash
# Fetches the training data for train_digits.py: the scikit-learn wheel (it ships the UCI digits
# CSV) into guests/train/.data/, and numpy into a venv at guests/train/.venv/ (both git-ignored).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ -x "$here/.venv/bin/python" ] || python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install -q numpy
mkdir -p "$here/.data"
ls "$here"/.data/scikit_learn-*.whl >/dev/null 2>&1 ||
  "$here/.venv/bin/pip" download -q --no-deps --only-binary=:all: scikit-learn -d "$here/.data"
echo "ready: $here/.venv/bin/python $here/train_digits.py"
