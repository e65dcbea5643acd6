#!/usr/bin/env bash
# Fetch Debian arm64 packages (PKG... without the :arm64 suffix) and unpack them into DIR.
# Adds the arm64 foreign architecture to dpkg once. Idempotent: a package whose .deb is
# already in DIR is not fetched again. Exits non-zero if apt cannot fetch.
set -euo pipefail
DIR=$1
shift
mkdir -p "$DIR"
cd "$DIR"
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  $SUDO apt-get update -qq
fi
for pkg in "$@"; do
  if ! ls "${pkg}"_*_arm64.deb >/dev/null 2>&1; then
    # apt-get download runs as _apt when it can; quiet its warning about the directory
    apt-get download "$pkg:arm64" >/dev/null 2>&1 || { $SUDO apt-get update -qq && apt-get download "$pkg:arm64" >/dev/null; }
  fi
  dpkg -x "$(ls "${pkg}"_*_arm64.deb | head -1)" "$DIR"
done
