#!/usr/bin/env bash
# Installs everything recomp and its tests need on a Debian machine (run as root):
# the Debian tools the tests use as oracles and inputs, then the npm packages (which
# pin Node 24 and build the toolchain). Idempotent: it skips what is already there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# Debian packages: compilers for the corpus, qemu-user (aarch64 runs, fallback emulator),
# busybox-static (a real static binary as input), binutils (readelf is the ELF oracle in
# tests), strace (the syscall-soundness oracle), zstd (image layers), luajit (a JIT user),
# chromium (renders the HTML reports in their test), libc6-dev (its libc.a gives the
# signatures reports recognise stripped library code by), nginx (the HTTP remote cache of
# the Bazel integration tests, with WebDAV PUT), libsimde-dev (the SIMD of the C that
# wasm2c writes for recomp aot; gcc and the aarch64 cross gcc compile the blobs).
pkgs=(gcc g++ libc6-dev musl-tools gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user busybox-static
  binutils strace zstd luajit chromium nginx libsimde-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install: apt-get install ${missing[*]}" >&2
  if [ "$(id -u)" != 0 ]; then
    echo "install: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# npm packages, exactly as locked; `prepare` builds the toolchain into dist/.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.recomp-lock; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.recomp-lock
else
  npm run --silent build
fi
# Debian's arm64 busybox-static: a real aarch64 binary for the decoder and analysis tests.
scripts/arm64-busybox.sh "$ROOT/.cache/arm64" >/dev/null
# An aarch64 host under qemu-aarch64 (arm64 Node 24 and Debian's arm64 C++ runtime): the
# reproducibility test translates on it and compares hashes with this host.
scripts/arm64-host.sh "$ROOT/.cache/arm64-host" >/dev/null
