#!/usr/bin/env bash
# Runs the translated aarch64 hello (its recomp_binary launcher, $1): it prints what the
# program prints natively (qemu-aarch64 recorded it when the corpus was built).
set -euo pipefail
out=$("$1")
[[ "$out" == "hello, world" ]] || { printf 'unexpected output:\n%s\n' "$out" >&2; exit 1; }
echo "ok: $1"
