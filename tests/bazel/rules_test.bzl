"""Analysis tests of the rules: the actions each target registers, their mnemonics and argv,
and that every action is hermetic (no host environment; the AOT action, which runs a C
compiler, gets Bazel's default shell environment as Bazel's C++ actions do). Starlark cannot see an action's
execution info: tests/bazel/checks.sh asks aquery that they support path mapping."""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts", "unittest")
load("//rules/private:paths.bzl", "rlocation_path", "shell_quote")

def _recomp_actions(env):
    return [a for a in analysistest.target_actions(env) if a.mnemonic.startswith("Recomp")]

# node's own flags, between node and the tool (see rules/private/action.bzl)
_NODE_FLAGS = ["--max-semi-space-size=32"]

def _after_tool(action):
    """argv after `node NODE_FLAGS recomp.mjs`: the recomp command line."""
    argv = action.argv
    return argv[2 + len(_NODE_FLAGS):]

def _check_tool(env, action):
    asserts.true(env, action.argv[0].endswith("/bin/node"), "%s runs node, not %s" % (action.mnemonic, action.argv[0]))
    asserts.equals(env, _NODE_FLAGS, action.argv[1:1 + len(_NODE_FLAGS)], "%s: node's flags" % action.mnemonic)
    tool = action.argv[1 + len(_NODE_FLAGS)]
    asserts.true(env, tool.endswith("/recomp.mjs"), "%s runs the bundled tool, not %s" % (action.mnemonic, tool))

def _check_hermetic(env, action):
    asserts.equals(env, {}, action.env, "%s: the action environment must be empty" % action.mnemonic)
    _check_tool(env, action)

def _binary_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = _recomp_actions(env)
    asserts.equals(env, ["RecompLift", "RecompReport", "RecompSign"], [a.mnemonic for a in actions])
    lift, report, sign = actions
    for a in actions:
        _check_hermetic(env, a)
    asserts.equals(env, [
        "translate",
        "tests/bazel/testdata/elf",
        "-o",
        ctx.bin_dir.path + "/tests/bazel/signed.wasm",
        "-O3",
        "--quiet",
        "--arch",
        "x86_64",
    ], _after_tool(lift))
    asserts.equals(env, sorted(["signed.wasm", "signed.wasm.manifest.json"]), sorted([f.basename for f in lift.outputs.to_list()]))
    asserts.equals(env, ["report", ctx.bin_dir.path + "/tests/bazel/signed.wasm", "--json", "-o", ctx.bin_dir.path + "/tests/bazel/signed.report.json", "--html", ctx.bin_dir.path + "/tests/bazel/signed.report.html", "--no-signatures"], _after_tool(report))
    asserts.equals(env, ["sign", ctx.bin_dir.path + "/tests/bazel/signed.wasm", "--key", "tests/bazel/testdata/test.key", "--quiet"], _after_tool(sign))
    asserts.equals(env, ["signed.wasm.dsse.json"], [f.basename for f in sign.outputs.to_list()])
    # the key is an input of the signing action only
    for a in (lift, report):
        asserts.false(env, "test.key" in [f.basename for f in a.inputs.to_list()], "%s must not read the signing key" % a.mnemonic)
    return analysistest.end(env)

binary_test = analysistest.make(_binary_test_impl)

def _unsigned_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = _recomp_actions(env)
    asserts.equals(env, ["RecompLift", "RecompReport"], [a.mnemonic for a in actions])
    lift, report = actions
    asserts.true(env, "-O2" in lift.argv, "the default optimisation is -O2")
    asserts.false(env, "--arch" in lift.argv, "arch = auto passes no --arch")
    argv = _after_tool(report)
    asserts.equals(env, ["--library", "tests/bazel/testdata/libfake.a"], argv[-2:])
    return analysistest.end(env)

unsigned_test = analysistest.make(_unsigned_test_impl)

def _library_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = _recomp_actions(env)
    asserts.equals(env, ["RecompAnalyze", "RecompLift"], [a.mnemonic for a in actions])
    for a in actions:
        _check_hermetic(env, a)
    analyze = _after_tool(actions[0])
    asserts.equals(env, ["analyze", "--json", "-o"], analyze[:3])
    asserts.true(env, "--no-host-libraries" in analyze, "analysis must not read the host's libraries")
    asserts.equals(env, "tests/bazel/testdata/elf", analyze[-1])
    return analysistest.end(env)

library_test = analysistest.make(_library_test_impl)

def _aot_test_impl(ctx):
    env = analysistest.begin(ctx)
    actions = _recomp_actions(env)
    asserts.equals(env, ["RecompAot"], [a.mnemonic for a in actions])
    aot = actions[0]
    _check_tool(env, aot)
    argv = _after_tool(aot)
    asserts.equals(env, ["aot", "tests/bazel/for_aot.wasm", "--target", ctx.attr.target], [argv[0], argv[1].partition("/bin/")[2]] + argv[2:4])
    cc = argv[argv.index("--cc") + 1]
    if ctx.attr.cc:
        asserts.equals(env, ctx.attr.cc, cc, "the compiler without a C toolchain for the target")
    else:
        # the C toolchain Bazel resolved for the host (autodetected: /usr/bin/gcc or so)
        asserts.true(env, cc.startswith("/") and cc.rpartition("/")[2] in ("gcc", "cc", "clang"), "the resolved C toolchain's compiler, not " + cc)
    asserts.equals(env, sorted(["aot", "aot.manifest.json"]), sorted([f.basename for f in aot.outputs.to_list()]))
    inputs = [f.basename for f in aot.inputs.to_list()]
    for f in ("for_aot.wasm", "for_aot.wasm.manifest.json", "wasm2c.cjs", "host.h", "wasm-rt.c"):
        asserts.true(env, f in inputs, "the AOT action reads " + f)
    return analysistest.end(env)

aot_test = analysistest.make(_aot_test_impl, attrs = {"target": attr.string(), "cc": attr.string()})

# no C toolchain for aarch64 is registered here (Bazel's autodetected one serves the host)
aot_aarch64_test = analysistest.make(
    _aot_test_impl,
    attrs = {"target": attr.string(), "cc": attr.string()},
    config_settings = {"//command_line_option:platforms": str(Label("//tests/bazel:linux_aarch64"))},
)

def _for_aot_test_impl(ctx):
    env = analysistest.begin(ctx)
    lift = [a for a in _recomp_actions(env) if a.mnemonic == "RecompLift"]
    asserts.equals(env, 1, len(lift))
    asserts.equals(env, ["--for", "aot"], _after_tool(lift[0])[-2:])
    return analysistest.end(env)

for_aot_test = analysistest.make(_for_aot_test_impl)

def _aot_engine_module_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, "is a module translated for engines (recomp_binary flavour = \"engine\")")
    asserts.expect_failure(env, "give recomp_aot a recomp_binary with flavour = \"aot\"")
    return analysistest.end(env)

aot_engine_module_test = analysistest.make(_aot_engine_module_test_impl, expect_failure = True)

def _bad_src_test_impl(ctx):
    env = analysistest.begin(ctx)
    asserts.expect_failure(env, "must provide one ELF file")
    return analysistest.end(env)

bad_src_test = analysistest.make(_bad_src_test_impl, expect_failure = True)

def _paths_test_impl(ctx):
    env = unittest.begin(ctx)
    asserts.equals(env, "_main/pkg/file", rlocation_path("_main", "pkg/file"))
    asserts.equals(env, "rules_recomp~/tool/recomp.mjs", rlocation_path("_main", "../rules_recomp~/tool/recomp.mjs"))
    asserts.equals(env, "'plain'", shell_quote("plain"))
    asserts.equals(env, "'it'\\''s $HOME'", shell_quote("it's $HOME"))
    return unittest.end(env)

paths_test = unittest.make(_paths_test_impl)
