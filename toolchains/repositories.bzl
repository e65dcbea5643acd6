"""The repository rule that provides the default recomp toolchains: the bundled tool of this
rules_recomp checkout (dist/bundle, made by `npm ci`) and the pinned node, checked."""

load(":versions.bzl", "NODE_CPU", "NODE_INTEGRITY", "NODE_SHA256", "NODE_VERSION")

# the bundle's files (scripts/bundle.mjs), besides the C sources below aot/
_BUNDLE = ["recomp.mjs", "worker.mjs", "capstone.wasm", "wasm2c.cjs", "wabt.LICENSE"]

def _bundle_files(bundle):
    """The bundle's files as paths relative to it: _BUNDLE, then aot/DIR/FILE (recomp aot's C sources)."""
    files = list(_BUNDLE)
    aot = bundle.get_child("aot")
    if aot.exists:
        for d in sorted(aot.readdir(), key = lambda p: p.basename):
            files += ["aot/%s/%s" % (d.basename, f.basename) for f in sorted(d.readdir(), key = lambda p: p.basename)]
    return files

def _node(rctx, root, arch):
    """Puts node-linux-<arch>/bin/node in the repository, or returns False when there is none.

    The node installed by npm in the checkout is taken when it is there (offline), else the
    npm package is fetched from the registry; either way its bytes must be the pinned ones.
    """
    out = "node-linux-%s/bin/node" % arch
    local = root.get_child("node_modules").get_child("node-linux-" + arch).get_child("bin").get_child("node")
    if local.exists:
        # a file:// download checks the sha256 and copies: a node of other bytes is refused
        rctx.download(url = "file://" + str(local), output = out, sha256 = NODE_SHA256[arch], executable = True)
        return True
    if rctx.os.environ.get("RECOMP_FETCH_NODE", "0") != "1":
        return False
    rctx.download_and_extract(
        url = "https://registry.npmjs.org/node-linux-%s/-/node-linux-%s-%s.tgz" % (arch, arch, NODE_VERSION),
        integrity = NODE_INTEGRITY[arch],
        output = "node-linux-" + arch,
        stripPrefix = "package",
    )
    return True

def _recomp_host_toolchains_impl(rctx):
    root = rctx.path(Label("//:package.json")).dirname
    bundle = root.get_child("dist").get_child("bundle")
    files = _bundle_files(bundle)
    for f in files:
        p = bundle.get_child(f)
        if not p.exists:
            fail("rules_recomp: the bundled recomp tool is missing (%s): run `npm ci` in %s, which builds it" % (p, root))
        rctx.symlink(p, "tool/" + f)
    if not [f for f in files if f.startswith("aot/")]:
        fail("rules_recomp: the bundled recomp tool has no C sources for recomp aot (%s/aot): rebuild it with `npm ci` in %s" % (bundle, root))
    archs = [a for a in sorted(NODE_SHA256.keys()) if _node(rctx, root, a)]
    if not archs:
        fail(("rules_recomp: no Node %s for the toolchain: run `npm ci` in %s (it installs the pinned node), " +
              "set RECOMP_FETCH_NODE=1 (--repo_env) to fetch it from the npm registry, or register your own " +
              "recomp_toolchain (see toolchains/toolchain.bzl)") % (NODE_VERSION, root))
    build = [
        'load("@rules_recomp//toolchains:toolchain.bzl", "recomp_toolchain")',
        'package(default_visibility = ["//visibility:public"])',
        'exports_files(["tool/recomp.mjs"])',
        'filegroup(name = "tool", srcs = %s)' % repr(["tool/" + f for f in files]),
    ]
    for arch in archs:
        build.append("""
recomp_toolchain(
    name = "recomp_linux_{arch}",
    main = "tool/recomp.mjs",
    node = "node-linux-{arch}/bin/node",
    node_version = "{version}",
    tool = [":tool"],
)

toolchain(
    name = "linux_{arch}",
    exec_compatible_with = ["@platforms//os:linux", "{cpu}"],
    toolchain = ":recomp_linux_{arch}",
    toolchain_type = "@rules_recomp//toolchains:exec_toolchain_type",
)""".format(arch = arch, version = NODE_VERSION, cpu = NODE_CPU[arch]))
    rctx.file("BUILD.bazel", "\n".join(build) + "\n")

recomp_host_toolchains = repository_rule(
    implementation = _recomp_host_toolchains_impl,
    doc = "The default recomp exec toolchains: this checkout's bundle and the pinned node.",
    environ = ["RECOMP_FETCH_NODE"],
)
