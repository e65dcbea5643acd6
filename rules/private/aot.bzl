"""recomp_aot: a translated module compiled ahead of time into a native blob."""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "C_COMPILE_ACTION_NAME")
load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain", "use_cpp_toolchain")
load(":action.bzl", "ACTION_ATTRS", "EXEC_TOOLCHAIN", "command_args", "run_recomp")
load(":providers.bzl", "RecompModuleInfo")

AOT_TOOLCHAIN = Label("//toolchains:aot_toolchain_type")

def _compiler(ctx, target):
    """The C compiler for the blob: (command, struct(files, env) for run_recomp, what to tell).

    The C toolchain Bazel resolves for the target platform when there is one: its compiler
    executable, files and environment (its flags are not taken: recomp aot chooses its own,
    the same everywhere, for reproducible blobs). Without one (Bazel's autodetected toolchain
    serves the host's architecture alone), the Debian compiler for the target from PATH:
    x86_64-linux-gnu-gcc or aarch64-linux-gnu-gcc (gcc-aarch64-linux-gnu).
    """
    cc_toolchain = find_cpp_toolchain(ctx, mandatory = False)
    if not cc_toolchain:
        cc = target + "-linux-gnu-gcc"
        return cc, struct(files = depset(), env = {}), "%s from PATH (no C toolchain resolved for the target platform)" % cc
    features = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    env = cc_common.get_environment_variables(
        feature_configuration = features,
        action_name = C_COMPILE_ACTION_NAME,
        variables = cc_common.empty_variables(),
    )
    cc = cc_toolchain.compiler_executable
    return cc, struct(files = cc_toolchain.all_files, env = env), cc

def _recomp_aot_impl(ctx):
    module = ctx.attr.module[RecompModuleInfo]
    if module.flavour != "aot":
        fail(("%s is a module translated for engines (recomp_binary flavour = \"%s\"), which wasm2c " +
              "cannot compile (relaxed SIMD, loop re-entry): give recomp_aot a recomp_binary with " +
              "flavour = \"aot\"") % (ctx.attr.module.label, module.flavour))
    target = ctx.toolchains[AOT_TOOLCHAIN].aot.target
    cc, compiler, told = _compiler(ctx, target)
    blob = ctx.actions.declare_file(ctx.label.name)
    manifest = ctx.actions.declare_file(ctx.label.name + ".manifest.json")
    args = command_args(ctx, "aot")
    args.add(module.module)
    args.add("--target", target)
    args.add("--cc", cc)
    args.add("-o", blob)
    args.add("--quiet")
    run_recomp(
        ctx,
        "RecompAot",
        "Compiling %%{label} ahead of time for %s with %s" % (target, told),
        args,
        [module.module, module.manifest],
        [blob, manifest],
        compiler = compiler,
    )
    return [DefaultInfo(files = depset([blob, manifest]), executable = blob)]

recomp_aot = rule(
    implementation = _recomp_aot_impl,
    doc = """Compiles a module into NAME, a standalone, sandboxed native executable for the target
platform (--platforms: @platforms//cpu:x86_64 or aarch64, through the AOT toolchain), and
NAME.manifest.json (recomp aot). The module comes from a recomp_binary with flavour = "aot";
an engine module is refused when the target is analysed.

The C compiler is the C toolchain's Bazel resolves for the target platform; without one (Bazel's
autodetected toolchain serves the host's architecture alone), the Debian compiler for the
target from PATH: x86_64-linux-gnu-gcc or aarch64-linux-gnu-gcc. The progress message says
which. The simde headers must be installed (/usr/include/simde, Debian libsimde-dev).
`bazel run :NAME -- ARGS` runs the blob on a host of its architecture (its options first:
--dir, --env, --argv0; see NAME --help).""",
    attrs = ACTION_ATTRS | {
        "module": attr.label(doc = "A recomp_binary with flavour = \"aot\".", providers = [RecompModuleInfo], mandatory = True),
        # the C toolchain where toolchain resolution is off (find_cpp_toolchain's fallback)
        "_cc_toolchain": attr.label(default = Label("@bazel_tools//tools/cpp:optional_current_cc_toolchain")),
    },
    executable = True,
    fragments = ["cpp"],
    toolchains = [EXEC_TOOLCHAIN, AOT_TOOLCHAIN] + use_cpp_toolchain(mandatory = False),
)
