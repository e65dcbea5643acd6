"""recomp_aot: a translated module compiled ahead of time into a native blob."""

load(":action.bzl", "ACTION_ATTRS", "EXEC_TOOLCHAIN", "command_args", "run_recomp")
load(":providers.bzl", "RecompModuleInfo")

AOT_TOOLCHAIN = Label("//toolchains:aot_toolchain_type")

def _recomp_aot_impl(ctx):
    module = ctx.attr.module[RecompModuleInfo]
    target = ctx.toolchains[AOT_TOOLCHAIN].aot.target
    blob = ctx.actions.declare_file(ctx.label.name)
    args = command_args(ctx, "aot")
    args.add(module.module)
    args.add("--target", target)
    args.add("-o", blob)
    run_recomp(ctx, "RecompAot", "Compiling %{label} ahead of time for " + target, args, [module.module, module.manifest], [blob])
    return [DefaultInfo(files = depset([blob]))]

recomp_aot = rule(
    implementation = _recomp_aot_impl,
    doc = """Compiles a recomp_binary's module into a native blob for the target platform
(--platforms selects x86_64 or aarch64 through the AOT toolchain). Not wired up yet:
`recomp aot` compiles modules translated `--for aot`, which recomp_binary does not make
yet, so building this target fails with a message that says so.""",
    attrs = ACTION_ATTRS | {
        "module": attr.label(doc = "A recomp_binary.", providers = [RecompModuleInfo], mandatory = True),
    },
    toolchains = [EXEC_TOOLCHAIN, AOT_TOOLCHAIN],
)
