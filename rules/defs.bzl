"""Public API of rules_recomp: the rules BUILD files load.

    load("@rules_recomp//rules:defs.bzl", "recomp_binary")
"""

load("//rules/private:aot.bzl", _recomp_aot = "recomp_aot")
load("//rules/private:binary.bzl", _recomp_binary = "recomp_binary")
load("//rules/private:library.bzl", _recomp_wasm_library = "recomp_wasm_library")

recomp_binary = _recomp_binary
recomp_wasm_library = _recomp_wasm_library
recomp_aot = _recomp_aot
