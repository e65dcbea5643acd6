#!/usr/bin/env bash
# Puts the prebuilt inputs of the examples in prebuilt/: Debian's busybox-static and an
# aarch64 build of the corpus's hello. Run it once before `bazel build //...`.
#   prepare.sh [CORPUS_DIR]   (default: ../../shared/corpus)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
corpus=${1:-$here/../../shared/corpus}
[ -x /bin/busybox ] || { echo "prepare: /bin/busybox is missing: apt-get install busybox-static" >&2; exit 1; }
cmp -s /bin/busybox "$here/prebuilt/busybox" 2>/dev/null || cp /bin/busybox "$here/prebuilt/busybox"
src=$corpus/programs/hello.c
[ -f "$src" ] || src=$(find "$corpus" -name hello.c | head -1)
[ -f "$src" ] || { echo "prepare: no hello.c in $corpus" >&2; exit 1; }
command -v aarch64-linux-gnu-gcc >/dev/null || { echo "prepare: aarch64-linux-gnu-gcc is missing: apt-get install gcc-aarch64-linux-gnu" >&2; exit 1; }
# reproducible: no build id, relative file names
aarch64-linux-gnu-gcc -O2 -static -Wl,--build-id=none -ffile-prefix-map="$(dirname "$src")"=. -o "$here/prebuilt/hello-aarch64.tmp" "$src"
mv "$here/prebuilt/hello-aarch64.tmp" "$here/prebuilt/hello-aarch64"
echo "prepare: prebuilt/busybox and prebuilt/hello-aarch64 are ready"
