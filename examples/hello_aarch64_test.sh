#!/usr/bin/env bash
# Runs the translated aarch64 hello: it prints what the program prints natively (qemu-aarch64
# recorded it when the corpus was built). The command is the arguments: a recomp_binary
# launcher, or `qemu-aarch64 BLOB` for its AOT blob (tests/bazel/checks.sh).
set -euo pipefail
out=$("$@")
[[ "$out" == "hello, world" ]] || { printf 'unexpected output:\n%s\n' "$out" >&2; exit 1; }
echo "ok: $*"
