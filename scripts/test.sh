#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the corpus, runs vitest on the pinned
# Node, then the Bazel integration tests (tests/bazel/run.sh: Bazel 7 through
# ../shared/tools/bazel7), and closes with one 'N passed, N failed' line.
#   scripts/test.sh              everything
#   scripts/test.sh FILTER...    only the vitest files matching FILTER (no Bazel tests)
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
bazel_status=skipped
if [ $# -eq 0 ]; then
  if tests/bazel/run.sh; then bazel_status=passed; else bazel_status=failed; status=1; fi
fi
set -e
"$NODE" -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  const bazel = process.argv[2];
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : "") + `; bazel integration tests: ${bazel}`);
' "$report" "$bazel_status" || echo "tests: 0 passed, 1 failed"
exit $status
