#!/usr/bin/env bash
# Install everything into .venv and run the whole test suite: the fast default run, then the
# slow suite. Headless Chromium (Debian package) is installed for the browser tests when
# missing and we may install packages (root or sudo); otherwise those tests say why they skip.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "could not install chromium: browser tests will be skipped"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "could not install chromium: browser tests will be skipped"
  else
    echo "chromium missing and no root: browser tests will be skipped"
  fi
fi
.venv/bin/python -m pytest -q            # fast suite (exit 5 = no tests collected = failure)
.venv/bin/python -m pytest -q -m slow    # slow suite
