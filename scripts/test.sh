#!/usr/bin/env bash
# Set up, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The audit page is tested in a real headless browser, and sheets are printed live by
# Chromium with a Japanese font (Noto Sans CJK JP, the font the committed fixtures were
# printed with). Where we are root on Debian and either is missing, install it (best effort:
# without them those tests skip and say why).
missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
[ -n "$(fc-list :lang=ja family 2>/dev/null)" ] || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
     "${missing[@]}" >/dev/null) || echo "note: ${missing[*]} could not be installed; the tests that need them will skip"
fi
.venv/bin/python -m pytest -q "$@"
