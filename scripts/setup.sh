#!/usr/bin/env bash
# Create .venv (once) and install extract with its test tools into it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# Byte-compile the package (an editable install leaves it as source): where Python writes no
# .pyc itself (PYTHONDONTWRITEBYTECODE, a read-only checkout), every run and its workers'
# server would compile it again, 0.1 s each.
.venv/bin/python -m compileall -q src >/dev/null
