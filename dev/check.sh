#!/usr/bin/env bash
# `npm run check`: the type check and the lint side by side. Each takes about a minute on one core, so on
# two cores together they take about as long as one. Prints each one's output whole, then fails if either did.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npm run --silent typecheck >"$out/typecheck" 2>&1 &
typecheck=$!
npm run --silent lint >"$out/lint" 2>&1 &
lint=$!
wait "$typecheck"
typecheck_status=$?
wait "$lint"
lint_status=$?
report() {
  echo "> npm run $1: $([ "$2" = 0 ] && echo passed || echo FAILED)"
  cat "$out/$1"
}
report typecheck "$typecheck_status"
report lint "$lint_status"
[ "$typecheck_status" = 0 ] && [ "$lint_status" = 0 ]
