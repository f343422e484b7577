#!/usr/bin/env bash
# Runs the dashboard on the embedded demo workbook (or the source configured in secrets).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
exec .venv/bin/python scripts/serve.py "$@"
