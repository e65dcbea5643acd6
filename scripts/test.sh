#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the corpus, runs vitest on the pinned
# Node, and closes with one 'N passed, N failed' line.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
scripts/install.sh
source scripts/node.sh
"$NODE" node_modules/typescript/bin/tsc -p tsconfig.check.json
report=$(mktemp)
trap 'rm -f "$report"' EXIT
set +e
"$NODE" node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
set -e
"$NODE" -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" || echo "tests: 0 passed, 1 failed"
exit $status
