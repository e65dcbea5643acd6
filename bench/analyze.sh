#!/usr/bin/env bash
# Times `recomp analyze` on /bin/busybox, /bin/ls and a Debian minbase root file system
# (built once with debootstrap into .cache/rootfs-bookworm). Prints seconds and MB/s of ELF.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/scripts/node.sh"
rootfs=$ROOT/.cache/rootfs-bookworm
if [ ! -x "$rootfs/bin/bash" ]; then
  command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  echo "bench: building a Debian minbase root in $rootfs (once)" >&2
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" >"$ROOT/.cache/debootstrap.log" 2>&1 || { tail "$ROOT/.cache/debootstrap.log" >&2; exit 1; }
fi
exec "$NODE" "$ROOT/bench/analyze.mjs" "$rootfs"
