#!/usr/bin/env bash
# Fetch Debian's arm64 busybox-static and unpack it into DIR (default .cache/arm64):
# a real, large aarch64 binary for the decoder tests. Idempotent; exits non-zero if apt cannot fetch.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=${1:-$HERE/../.cache/arm64}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
BIN=$DIR/bin/busybox
[ -f "$BIN" ] && { echo "$BIN"; exit 0; }
"$HERE/arm64-debs.sh" "$DIR" busybox-static
[ -f "$BIN" ] || { echo "no $BIN in the package" >&2; exit 1; }
echo "$BIN"
