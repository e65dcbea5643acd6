#!/usr/bin/env bash
# Times translated corpus benchmarks against native and qemu-x86_64, side by side, and the
# translation of /bin/busybox. Builds the corpus first if needed. Options: see bench/run.mjs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/node.sh"
corpus=${RECOMP_CORPUS:-$ROOT/.cache/corpus}
[ -d "$corpus/x86_64-glibc" ] || "$ROOT/../shared/corpus/build.sh" "$corpus" >/dev/null
exec "$NODE" "$ROOT/bench/run.mjs" "$@"
