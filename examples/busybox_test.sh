#!/usr/bin/env bash
# Runs applets of the translated Debian busybox-static (its recomp_binary launcher, $1).
set -euo pipefail
check() {
  local expected=$1; shift
  local out; out=$("$@")
  [[ "$out" == "$expected" ]] || { printf 'busybox %s: got %q, expected %q\n' "${*:2}" "$out" "$expected" >&2; exit 1; }
}
check "hello busybox" "$1" echo hello busybox
check "6" "$1" sh -c 'i=0; while [ $i -lt 3 ]; do i=$((i+1)); s=$((s+i)); done; echo $s'
check "5 7 11" "$1" sh -c 'echo $(( 2+3 )) $(( 3+4 )) $(( 5+6 ))'
check "12: 2 2 3" "$1" factor 12
echo "ok: $1"
