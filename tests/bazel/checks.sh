#!/usr/bin/env bash
# The checks of run.sh, run where `bazel` (7 or newer) is on PATH:
#   checks.sh WORK HTTP_CACHE_URL
# WORK holds two copies of the repository (a/recomp, b/elsewhere/recomp).
set -euo pipefail
work=$1
cache_url=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
a=$work/a/recomp
b=$work/b/elsewhere/recomp
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
step() { echo "== $*" >&2; }
# logs for a file, not a terminal
printf 'common --color=no --curses=no --show_progress_rate_limit=60\n' >"$work/test.bazelrc"
# bazel in copy $1 (a or b), in its examples/ unless $2 is 'root'
bz() {
  local copy=$1; shift
  local dir; [ "$copy" = a ] && dir=$a || dir=$b
  if [ "$1" = root ]; then shift; else dir=$dir/examples; fi
  (cd "$dir" && bazel --bazelrc="$work/test.bazelrc" --output_user_root="$work/out-$copy" "$@")
}
# outputs whose bytes must not depend on the copy: modules, manifests, reports, signatures
hashes() {
  local bin; bin=$(bz "$1" info bazel-bin 2>/dev/null)
  (cd "$bin" && sha256sum -- *.wasm *.manifest.json *.report.json *.report.html *.dsse.json | sort -k2)
}
# every recomp spawn of an execution log, as "MNEMONIC HIT" lines
spawns() { node "$here/spawns.mjs" "$1"; }

step "Starlark unit and analysis tests"
bz a root test //tests/bazel/... || fail "bazel test //tests/bazel/..."

step "examples: build //... and test //... (copy a, filling the HTTP cache)"
bz a build //... --remote_cache="$cache_url" || fail "bazel build //... in examples"
bz a test //... --remote_cache="$cache_url" || fail "bazel test //... in examples"

step "examples: the recomp actions support path mapping"
bz a aquery 'mnemonic("Recomp.*", //...)' --output=jsonproto >"$work/aquery.json" || fail "aquery"
node -e '
  const q = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const bad = (q.actions || []).filter((a) => !(a.executionInfo || []).some((e) => e.key === "supports-path-mapping"));
  if (!q.actions?.length || bad.length) { console.error(`${bad.length} of ${q.actions?.length ?? 0} recomp actions lack supports-path-mapping`); process.exit(1); }
  console.error(`${q.actions.length} recomp actions, all with supports-path-mapping`);
' "$work/aquery.json" || fail "path mapping"

step "examples: what is not supported yet fails with a message that says so"
expect_failure() {
  local target=$1 message=$2 out
  if out=$(bz a build "$target" 2>&1); then fail "$target built, but it must fail"; return; fi
  grep -qF "$message" <<<"$out" || { echo "$out" | tail -20 >&2; fail "$target failed without saying '$message'"; }
}
expect_failure //:greet_wasm "translating shared libraries into wasm libraries for dynamic linking (recomp_wasm_library) is not supported yet"
expect_failure //:hello_aot "recomp aot: this module was translated for engines"

step "reproducibility: copy b builds on its own (filling the disk cache) and gets the same bytes"
bz b build //... --disk_cache="$work/disk-cache" || fail "bazel build //... in copy b"
hashes a >"$work/hashes-a"
hashes b >"$work/hashes-b"
if ! diff "$work/hashes-a" "$work/hashes-b" >&2; then fail "the two copies built different bytes"; fi
echo "$(wc -l <"$work/hashes-a") outputs identical in both copies" >&2

check_hits() {
  local log=$1 what=$2
  spawns "$log" >"$log.spawns"
  local total hits
  total=$(wc -l <"$log.spawns")
  hits=$(awk '$3 == "hit"' "$log.spawns" | wc -l)
  echo "$what: $hits of $total recomp actions from the cache" >&2
  [ "$total" -gt 0 ] && [ "$hits" = "$total" ] || { cat "$log.spawns" >&2; fail "$what: not every recomp action came from the cache"; }
}

step "HTTP remote cache: a clean build of copy b takes every recomp action from it"
bz b clean
bz b build //... --remote_cache="$cache_url" --execution_log_json_file="$work/b-http.log" || fail "build with the HTTP cache"
check_hits "$work/b-http.log" "HTTP cache"

step "disk cache: a clean build of copy a takes every recomp action from it"
bz a clean
bz a build //... --disk_cache="$work/disk-cache" --execution_log_json_file="$work/a-disk.log" || fail "build with the disk cache"
check_hits "$work/a-disk.log" "disk cache"

step "persistent workers (--@rules_recomp//rules:worker): the same bytes, every recomp action in a worker"
bz a clean
bz a build //... --@rules_recomp//rules:worker --execution_log_json_file="$work/a-worker.log" || fail "build with workers"
spawns "$work/a-worker.log" >"$work/a-worker.spawns"
if awk '$4 != "worker"' "$work/a-worker.spawns" | grep -q .; then cat "$work/a-worker.spawns" >&2; fail "not every recomp action ran in a worker"; fi
hashes a >"$work/hashes-worker"
if ! diff "$work/hashes-b" "$work/hashes-worker" >&2; then fail "workers built other bytes"; fi
echo "$(wc -l <"$work/a-worker.spawns") recomp actions in workers, outputs identical" >&2

bz a shutdown || true
bz a root shutdown || true
bz b shutdown || true
if [ "$failures" -gt 0 ]; then
  echo "bazel tests: $failures failed" >&2
  exit 1
fi
echo "bazel tests: all passed" >&2
