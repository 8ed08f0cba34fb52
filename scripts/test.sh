#!/usr/bin/env bash
# Set up, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The audit page is tested in a real headless browser. Where we are root on Debian and
# chromium is missing, install it (best effort: without it those tests skip and say why).
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
   && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
     chromium >/dev/null) || echo "note: chromium could not be installed; browser tests will skip"
fi
.venv/bin/python -m pytest -q "$@"
