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
# outputs whose bytes must not depend on the copy: modules, manifests, reports, signatures,
# AOT blobs (the aarch64 ones only when built: BLOB.manifest.json says which are there)
hashes() {
  local bin; bin=$(bz "$1" info bazel-bin 2>/dev/null)
  (cd "$bin" && sha256sum -- *.wasm *.manifest.json *.report.json *.report.html *.dsse.json $(ls -- *_aot.manifest.json | sed 's/\.manifest\.json$//') | sort -k2)
}
# the aarch64 blob: built for --platforms aarch64 (no aarch64 C toolchain is registered: the
# rule takes aarch64-linux-gnu-gcc from PATH)
AARCH64_AOT=(//:hello_aarch64_aot --platforms=//:linux_aarch64)
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

step "AOT: blobs for x86_64 (bazel test ran it) and for aarch64 (--platforms), each by the compiler it should be"
bz a build "${AARCH64_AOT[@]}" --remote_cache="$cache_url" || fail "bazel build ${AARCH64_AOT[*]}"
bin_a=$(bz a info bazel-bin 2>/dev/null)
# the blob's manifest: its target, and the compiler (the resolved C toolchain's for the host, an absolute path)
aot_manifest() {
  node -e '
    const [file, target, cc] = process.argv.slice(1);
    const m = JSON.parse(require("fs").readFileSync(file, "utf8"));
    const ok = m.trust === "aot" && m.aot.target === target && (cc === "/" ? m.aot.compiler.command.startsWith("/") : m.aot.compiler.command === cc);
    console.error(`${file.split("/").pop()}: ${m.aot.target}, ${m.aot.compiler.command} (${m.aot.compiler.version})`);
    process.exit(ok ? 0 : 1);
  ' "$@"
}
aot_manifest "$bin_a/hello_aot.manifest.json" x86_64 / || fail "hello_aot: not an x86_64 blob by the resolved C toolchain"
aot_manifest "$bin_a/hello_aarch64_aot.manifest.json" aarch64 aarch64-linux-gnu-gcc || fail "hello_aarch64_aot: not an aarch64 blob by aarch64-linux-gnu-gcc"
# ELF e_machine (bytes 18-19, little-endian): 62 x86-64, 183 aarch64
[ "$(od -An -tu2 -j18 -N2 "$bin_a/hello_aarch64_aot" | tr -d ' ')" = 183 ] || fail "hello_aarch64_aot is not an aarch64 executable"
if command -v qemu-aarch64 >/dev/null; then
  "$a/examples/hello_aarch64_test.sh" qemu-aarch64 "$bin_a/hello_aarch64_aot" || fail "the aarch64 blob under qemu-aarch64"
else
  echo "qemu-aarch64 is not installed: the aarch64 blob is built and checked, not run" >&2
fi

step "reproducibility: copy b builds on its own (filling the disk cache) and gets the same bytes"
bz b build //... --disk_cache="$work/disk-cache" || fail "bazel build //... in copy b"
bz b build "${AARCH64_AOT[@]}" --disk_cache="$work/disk-cache" || fail "bazel build ${AARCH64_AOT[*]} in copy b"
hashes a >"$work/hashes-a"
hashes b >"$work/hashes-b"
if ! diff "$work/hashes-a" "$work/hashes-b" >&2; then fail "the two copies built different bytes"; fi
echo "$(wc -l <"$work/hashes-a") outputs identical in both copies" >&2

# every recomp action of the logs from the cache, the AOT blobs' among them
check_hits() {
  local what=$1; shift
  local total hits aot
  local log; for log; do spawns "$log"; done >"$1.spawns"
  total=$(wc -l <"$1.spawns")
  hits=$(awk '$3 == "hit"' "$1.spawns" | wc -l)
  aot=$(awk '$1 == "RecompAot" && $3 == "hit"' "$1.spawns" | wc -l)
  echo "$what: $hits of $total recomp actions from the cache ($aot AOT compilations)" >&2
  [ "$total" -gt 0 ] && [ "$hits" = "$total" ] || { cat "$1.spawns" >&2; fail "$what: not every recomp action came from the cache"; }
  [ "$aot" = 2 ] || fail "$what: expected the two AOT compilations (x86_64 and aarch64) from the cache, not $aot"
}

step "HTTP remote cache: a clean build of copy b takes every recomp action from it"
bz b clean
bz b build //... --remote_cache="$cache_url" --execution_log_json_file="$work/b-http.log" || fail "build with the HTTP cache"
bz b build "${AARCH64_AOT[@]}" --remote_cache="$cache_url" --execution_log_json_file="$work/b-http-aarch64.log" || fail "aarch64 build with the HTTP cache"
check_hits "HTTP cache" "$work/b-http.log" "$work/b-http-aarch64.log"

step "disk cache: a clean build of copy a takes every recomp action from it"
bz a clean
bz a build //... --disk_cache="$work/disk-cache" --execution_log_json_file="$work/a-disk.log" || fail "build with the disk cache"
bz a build "${AARCH64_AOT[@]}" --disk_cache="$work/disk-cache" --execution_log_json_file="$work/a-disk-aarch64.log" || fail "aarch64 build with the disk cache"
check_hits "disk cache" "$work/a-disk.log" "$work/a-disk-aarch64.log"

step "persistent workers (--@rules_recomp//rules:worker): the same bytes, every recomp action in a worker"
bz a clean
bz a build //... --@rules_recomp//rules:worker --execution_log_json_file="$work/a-worker.log" || fail "build with workers"
spawns "$work/a-worker.log" >"$work/a-worker.spawns"
if awk '$4 != "worker"' "$work/a-worker.spawns" | grep -q .; then cat "$work/a-worker.spawns" >&2; fail "not every recomp action ran in a worker"; fi
hashes a >"$work/hashes-worker"
# the aarch64 blob and its module are not built again here
if ! diff <(grep -v aarch64_aot "$work/hashes-b") "$work/hashes-worker" >&2; then fail "workers built other bytes"; fi
echo "$(wc -l <"$work/a-worker.spawns") recomp actions in workers, outputs identical" >&2

bz a shutdown || true
bz a root shutdown || true
bz b shutdown || true
if [ "$failures" -gt 0 ]; then
  echo "bazel tests: $failures failed" >&2
  exit 1
fi
echo "bazel tests: all passed" >&2
