# Sourced by the project's scripts: sets NODE to the Node pinned in package.json.
case $(uname -m) in x86_64) _arch=x64 ;; aarch64 | arm64) _arch=arm64 ;; *) echo "no pinned Node for $(uname -m)" >&2; exit 2 ;; esac
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
NODE=$ROOT/node_modules/node-linux-$_arch/bin/node
