"""recomp_binary: an ELF executable translated into a WebAssembly module, runnable by bazel run."""

load(":action.bzl", "ACTION_ATTRS", "EXEC_TOOLCHAIN", "command_args", "recomp_tool", "run_recomp")
load(":elf.bzl", "elf_of")
load(":paths.bzl", "rlocation_path", "shell_quote")
load(":providers.bzl", "RecompModuleInfo")

def _lift(ctx, src):
    """RecompLift: `recomp translate`, the module and its manifest."""
    wasm = ctx.actions.declare_file(ctx.label.name + ".wasm")
    manifest = ctx.actions.declare_file(ctx.label.name + ".wasm.manifest.json")
    args = command_args(ctx, "translate")
    args.add(src)
    args.add("-o", wasm)
    args.add("-O" + ctx.attr.opt)
    args.add("--quiet")
    if ctx.attr.arch != "auto":
        args.add("--arch", ctx.attr.arch)
    if ctx.attr.flavour != "engine":
        args.add("--for", ctx.attr.flavour)
    run_recomp(ctx, "RecompLift", "Translating %{label} into WebAssembly", args, [src], [wasm, manifest])
    return wasm, manifest

def _report(ctx, wasm, manifest):
    """RecompReport: `recomp report`, the mapping report as JSON and as HTML."""
    report = ctx.actions.declare_file(ctx.label.name + ".report.json")
    html = ctx.actions.declare_file(ctx.label.name + ".report.html")
    args = command_args(ctx, "report")
    args.add(wasm)
    args.add("--json")
    args.add("-o", report)
    args.add("--html", html)
    if ctx.files.signature_libraries:
        args.add_all(ctx.files.signature_libraries, before_each = "--library")
    else:
        # never the host's libc.a: the report depends on declared inputs only
        args.add("--no-signatures")
    run_recomp(ctx, "RecompReport", "Writing the mapping report of %{label}", args, [wasm, manifest] + ctx.files.signature_libraries, [report, html])
    return report, html

def _sign(ctx, wasm, manifest):
    """RecompSign: `recomp sign`, a DSSE envelope over the manifest (Ed25519 is deterministic)."""
    envelope = ctx.actions.declare_file(ctx.label.name + ".wasm.dsse.json")
    args = command_args(ctx, "sign")
    args.add(wasm)
    args.add("--key", ctx.file.sign_key)
    args.add("--quiet")
    run_recomp(ctx, "RecompSign", "Signing %{label}", args, [wasm, manifest, ctx.file.sign_key], [envelope])
    return envelope

def _loc(ctx, f):
    """f's path in the launcher: below the runfiles root $r, quoted."""
    return '"$r"/' + shell_quote(rlocation_path(ctx.workspace_name, f.short_path))

def _launcher(ctx, src, wasm):
    """The executable `bazel run` and tests start: `recomp run` of the module, arguments to the guest."""
    tool = recomp_tool(ctx)
    flags = []
    for key in ctx.files.trusted_keys:
        flags += ["--trusted-key", _loc(ctx, key)]
    if ctx.file.policy:
        flags += ["--policy", _loc(ctx, ctx.file.policy)]
    flags += ["--argv0", shell_quote(ctx.attr.argv0 or src.basename)]
    flags += [shell_quote(f) for f in ctx.attr.run_flags]
    launcher = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.write(launcher, is_executable = True, content = """#!/usr/bin/env bash
# {label}: runs {module} through the vkernel (recomp run); the arguments go to the guest.
set -euo pipefail
if [[ -d "$0.runfiles" ]]; then r="$0.runfiles"
elif [[ -n "${{RUNFILES_DIR:-}}" ]]; then r="$RUNFILES_DIR"
elif [[ -n "${{TEST_SRCDIR:-}}" ]]; then r="$TEST_SRCDIR"
else echo "{label}: cannot find the runfiles of $0" >&2; exit 2
fi
exec {node} {main} run {flags} {module_path} -- "$@"
""".format(
        label = str(ctx.label),
        module = wasm.basename,
        node = _loc(ctx, tool.node),
        main = _loc(ctx, tool.main),
        flags = " ".join(flags),
        module_path = _loc(ctx, wasm),
    ))
    return launcher

def _recomp_binary_impl(ctx):
    src = elf_of(ctx)
    wasm, manifest = _lift(ctx, src)
    report, html = _report(ctx, wasm, manifest)
    signature = _sign(ctx, wasm, manifest) if ctx.file.sign_key else None
    launcher = _launcher(ctx, src, wasm)
    outputs = [wasm, manifest, report, html] + ([signature] if signature else [])
    tool = recomp_tool(ctx)
    runfiles = ctx.runfiles(
        files = [wasm, manifest, tool.node] + ([signature] if signature else []) + ctx.files.trusted_keys + ctx.files.policy + ctx.files.data,
        transitive_files = tool.tool_files,
    )
    for d in ctx.attr.data:
        runfiles = runfiles.merge(d[DefaultInfo].default_runfiles)
    return [
        DefaultInfo(files = depset(outputs), executable = launcher, runfiles = runfiles),
        RecompModuleInfo(module = wasm, flavour = ctx.attr.flavour, manifest = manifest, report = report, report_html = html, signature = signature, src = src),
        OutputGroupInfo(module = depset([wasm]), manifest = depset([manifest]), report = depset([report, html])),
    ]

recomp_binary = rule(
    implementation = _recomp_binary_impl,
    doc = """Translates a static Linux ELF executable into a WebAssembly module.

Outputs NAME.wasm, NAME.wasm.manifest.json (what it was made from, with which tools, and the
syscalls it may make), NAME.report.json and NAME.report.html (the mapping report), and with
sign_key NAME.wasm.dsse.json. `bazel run :NAME -- ARGS` runs the module through the vkernel
with ARGS as the guest's arguments; as a data dependency of a test, NAME is that launcher.
With flavour = "aot" the module is what recomp_aot compiles into a native blob.""",
    attrs = ACTION_ATTRS | {
        "src": attr.label(doc = "The ELF executable: a file, or a target such as a cc_binary linked -static.", allow_files = True, mandatory = True),
        "arch": attr.string(doc = "The input's architecture; auto takes the ELF header's.", default = "auto", values = ["auto", "x86_64", "aarch64"]),
        "opt": attr.string(doc = "Optimisation level (recomp translate -O).", default = "2", values = ["0", "1", "2", "3"]),
        "flavour": attr.string(
            doc = "What the module is for (recomp translate --for): engine, run by the vkernel on V8 (`bazel run`); aot, for recomp_aot to compile into a native blob (`bazel run` runs it under the vkernel too).",
            default = "engine",
            values = ["engine", "aot"],
        ),
        "sign_key": attr.label(doc = "An Ed25519 private key (recomp keygen): sign the manifest.", allow_single_file = True),
        "trusted_keys": attr.label_list(doc = "Public keys `bazel run` requires a signature of (recomp run --trusted-key).", allow_files = [".pub"]),
        "policy": attr.label(doc = "A run policy (recomp.policy/v1) for `bazel run` and tests (recomp run --policy).", allow_single_file = [".json"]),
        "argv0": attr.string(doc = "The guest's argv[0] when the launcher runs it; default: the src file's name (busybox chooses its applet by it)."),
        "run_flags": attr.string_list(doc = "More `recomp run` flags for the launcher, e.g. [\"--env\", \"LANG=C\"]."),
        "data": attr.label_list(doc = "Files the launcher needs at run time (keys a policy names, granted directories).", allow_files = True),
        "signature_libraries": attr.label_list(doc = "Static library archives (.a) whose functions the report recognises in stripped code.", allow_files = [".a"]),
    },
    executable = True,
    toolchains = [EXEC_TOOLCHAIN],
)
