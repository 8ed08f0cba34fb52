#!/usr/bin/env bash
# Set up, then extract every sheet in samples/ into out/ (sheets, criteria, problems).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/extract run samples -o out "$@"
