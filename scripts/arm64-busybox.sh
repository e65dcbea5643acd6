#!/usr/bin/env bash
# Fetch Debian's arm64 busybox-static and unpack it into DIR (default .cache/arm64):
# a real, large aarch64 binary for the decoder tests. Idempotent; exits non-zero if apt cannot fetch.
set -euo pipefail
DIR=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/arm64}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
BIN=$DIR/bin/busybox
[ -f "$BIN" ] && { echo "$BIN"; exit 0; }
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  $SUDO apt-get update -qq
fi
cd "$DIR"
if ! ls busybox-static_*_arm64.deb >/dev/null 2>&1; then
  apt-get download busybox-static:arm64 >/dev/null 2>&1 || { $SUDO apt-get update -qq && apt-get download busybox-static:arm64; }
fi
dpkg -x "$(ls busybox-static_*_arm64.deb | head -1)" "$DIR"
[ -f "$BIN" ] || { echo "no $BIN in the package" >&2; exit 1; }
echo "$BIN"
