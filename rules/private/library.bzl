"""recomp_wasm_library: a shared library into a wasm library for the dynamic-linking loader."""

load(":action.bzl", "ACTION_ATTRS", "EXEC_TOOLCHAIN", "command_args", "run_recomp")
load(":elf.bzl", "elf_of")
load(":providers.bzl", "RecompLibraryInfo")

def _recomp_wasm_library_impl(ctx):
    src = elf_of(ctx)
    analysis = ctx.actions.declare_file(ctx.label.name + ".analysis.json")
    args = command_args(ctx, "analyze")
    args.add("--json")
    args.add("-o", analysis)
    args.add("--no-host-libraries")  # only the declared input: not the libraries of this host
    args.add(src)
    run_recomp(ctx, "RecompAnalyze", "Analysing %{label}", args, [src], [analysis])

    # The translator refuses shared libraries with a message that says what is missing
    # (dynamic translation), so this action fails clearly until that lands.
    wasm = ctx.actions.declare_file(ctx.label.name + ".wasm")
    manifest = ctx.actions.declare_file(ctx.label.name + ".wasm.manifest.json")
    args = command_args(ctx, "translate")
    args.add(src)
    args.add("-o", wasm)
    args.add("-O" + ctx.attr.opt)
    args.add("--quiet")
    run_recomp(ctx, "RecompLift", "Translating the library %{label} into WebAssembly", args, [src], [wasm, manifest])
    return [
        DefaultInfo(files = depset([wasm, manifest, analysis])),
        RecompLibraryInfo(module = wasm, manifest = manifest, analysis = analysis),
        OutputGroupInfo(analysis = depset([analysis])),
    ]

recomp_wasm_library = rule(
    implementation = _recomp_wasm_library_impl,
    doc = """Translates a shared library (.so) into a wasm library, its exports and imports recorded.

The analysis (NAME.analysis.json, output group `analysis`) builds today; the translation
itself needs dynamic translation, which recomp does not do yet: building NAME fails with a
message that says so.""",
    attrs = ACTION_ATTRS | {
        "src": attr.label(doc = "The shared library: a file or a target providing one.", allow_files = True, mandatory = True),
        "opt": attr.string(doc = "Optimisation level (recomp translate -O).", default = "2", values = ["0", "1", "2", "3"]),
    },
    toolchains = [EXEC_TOOLCHAIN],
)
