"""The Node the recomp toolchain runs on by default: Node 24 LTS from npm, pinned.

The version must be package.json's (a test checks). NODE_SHA256 is the sha256 of bin/node in
the npm package node-linux-<arch> at that version: the repository rule accepts a node only
when its bytes are these. NODE_INTEGRITY is the npm tarball's integrity (package-lock.json),
used when the node is fetched from the npm registry instead.
"""

NODE_VERSION = "24.21.0"

NODE_SHA256 = {
    "arm64": "0f8949d1028f6d61506b2d5bc57e7e6fe893d7b1997509b7847294fc9c616584",
    "x64": "7fde7b8afa198da66257f42ee2001d874c7355631e6d1579a5fb5ef1f246df4c",
}

NODE_INTEGRITY = {
    "arm64": "sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==",
    "x64": "sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==",
}

# Bazel's names for the CPUs of the exec platforms these nodes run on
NODE_CPU = {
    "arm64": "@platforms//cpu:aarch64",
    "x64": "@platforms//cpu:x86_64",
}
