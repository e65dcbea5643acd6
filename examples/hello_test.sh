#!/usr/bin/env bash
# Runs the translated hello and checks what the guest printed and its exit status against
# what the C program does. The command is the arguments: a recomp_binary launcher, or an AOT
# blob with its own options (--argv0 hello --).
set -euo pipefail
out=$("$@" world 40 2)
expected=$'hello from hello\nhello, world\nsum of 2 numbers: 42'
if [[ "$out" != "$expected" ]]; then
  printf 'unexpected output:\n%s\nexpected:\n%s\n' "$out" "$expected" >&2
  exit 1
fi
set +e
"$@" nothing-to-add >/dev/null
status=$?
set -e
[[ $status == 3 ]] || { echo "exit status $status, expected 3" >&2; exit 1; }
echo "ok: $*"
