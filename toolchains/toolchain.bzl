"""The toolchain rules: what recomp's actions run (exec) and what AOT targets (target)."""

RecompToolchainInfo = provider(
    doc = "The recomp tool and the node that runs it, for build actions.",
    fields = {
        "node": "File: the node executable (for the exec platform)",
        "main": "File: the bundled recomp CLI (recomp.mjs)",
        "tool_files": "depset of File: main and the files it loads from beside it",
        "node_version": "string: the node's version, as the manifests record it",
    },
)

RecompAotToolchainInfo = provider(
    doc = "What an AOT blob is compiled for.",
    fields = {
        "target": "string: x86_64 or aarch64, as `recomp aot --target` takes it",
    },
)

def _recomp_toolchain_impl(ctx):
    tool_files = depset([ctx.file.main] + ctx.files.tool)
    return [platform_common.ToolchainInfo(
        recomp = RecompToolchainInfo(
            node = ctx.executable.node,
            main = ctx.file.main,
            tool_files = tool_files,
            node_version = ctx.attr.node_version,
        ),
    )]

recomp_toolchain = rule(
    implementation = _recomp_toolchain_impl,
    doc = """Declares a recomp exec toolchain: a node and the bundled recomp tool.

Register your own to bring your own node (for example one from rules_js):

    recomp_toolchain(
        name = "my_recomp",
        node = "@my_node//:bin/node",
        main = "@rules_recomp//toolchains:recomp.mjs",
        tool = "@rules_recomp//toolchains:bundled_tool",
        node_version = "24.21.0",
    )
    toolchain(
        name = "my_recomp_toolchain",
        exec_compatible_with = ["@platforms//os:linux", "@platforms//cpu:x86_64"],
        toolchain = ":my_recomp",
        toolchain_type = "@rules_recomp//toolchains:exec_toolchain_type",
    )

and `register_toolchains("//path/to:my_recomp_toolchain")` in your MODULE.bazel.""",
    attrs = {
        "main": attr.label(doc = "The bundled CLI, recomp.mjs.", allow_single_file = [".mjs"], mandatory = True, cfg = "exec"),
        "node": attr.label(doc = "A node executable, version 24 or newer.", allow_single_file = True, executable = True, mandatory = True, cfg = "exec"),
        "node_version": attr.string(doc = "The node's version (informational: manifests record the version node reports).", mandatory = True),
        "tool": attr.label_list(doc = "The files the bundle loads from beside itself.", allow_files = True, cfg = "exec"),
    },
    provides = [platform_common.ToolchainInfo],
)

def _recomp_aot_toolchain_impl(ctx):
    return [platform_common.ToolchainInfo(aot = RecompAotToolchainInfo(target = ctx.attr.target))]

recomp_aot_toolchain = rule(
    implementation = _recomp_aot_toolchain_impl,
    doc = "Declares what recomp_aot compiles for on the platforms the toolchain() matches.",
    attrs = {
        "target": attr.string(doc = "The blob's architecture.", values = ["x86_64", "aarch64"], mandatory = True),
    },
    provides = [platform_common.ToolchainInfo],
)
