#!/usr/bin/env bash
# Installs everything the tests need (Python packages; Debian's chromium, LibreOffice and poppler
# when missing and we are root), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v libreoffice >/dev/null 2>&1 || command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || missing+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "liberation serif\|times" || missing+=(fonts-liberation)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Cài đặt gói hệ thống: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Thiếu gói hệ thống (${missing[*]}); các bài kiểm tra cần chúng sẽ bị bỏ qua." >&2
  fi
fi
bash scripts/setup.sh requirements-dev.txt
# One style for the whole tree: CI fails on a formatting or lint finding.
.venv/bin/ruff format --check .
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
