"""Running the recomp tool in an action: one place for how every action is spawned."""

load("@bazel_skylib//rules:common_settings.bzl", "BuildSettingInfo")

EXEC_TOOLCHAIN = Label("//toolchains:exec_toolchain_type")

# the attributes every rule that runs recomp needs (add them to the rule's own)
ACTION_ATTRS = {
    "_worker": attr.label(default = Label("//rules:worker"), providers = [BuildSettingInfo]),
}

def _use_worker(ctx):
    return ctx.attr._worker[BuildSettingInfo].value

def recomp_tool(ctx):
    """The RecompToolchainInfo resolved for this target's actions."""
    return ctx.toolchains[EXEC_TOOLCHAIN].recomp

def command_args(ctx, command):
    """A fresh Args for a recomp subcommand; long command lines spill into a param file.

    A persistent worker takes its requests' arguments from the param file, always.
    """
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = _use_worker(ctx))
    args.set_param_file_format("multiline")
    args.add(command)
    return args

def _requirements(ctx):
    requirements = {"supports-path-mapping": "1"}
    if _use_worker(ctx):
        requirements.update({"requires-worker-protocol": "proto", "supports-workers": "1"})
    return requirements

def run_recomp(ctx, mnemonic, progress_message, args, inputs, outputs, compiler = None):
    """Runs `node recomp.mjs ARGS` hermetically.

    Args:
      ctx: the rule context.
      mnemonic: the action's mnemonic (RecompAnalyze, RecompLift, RecompReport, RecompSign, RecompAot).
      progress_message: what Bazel shows while it runs; %{label} names the target.
      args: an Args from command_args().
      inputs: list of File the command reads (besides the tool).
      outputs: list of File it writes.
      compiler: for an action that runs a C compiler (RecompAot), a struct(files = depset of
        File, env = dict): the compiler's files and variables. The action then gets the
        environment Bazel gives its own C++ actions (its default shell environment: PATH,
        --action_env), where the compiler finds its assembler and linker, with env on top.
    """
    tool = recomp_tool(ctx)
    main = ctx.actions.args()
    # the young generation bin/recomp asks for too (fewer scavenges of the decoders' objects)
    main.add("--max-semi-space-size=32")
    main.add(tool.main)
    ctx.actions.run(
        executable = tool.node,
        arguments = [main, args],
        inputs = depset(inputs, transitive = [compiler.files] if compiler else []),
        tools = tool.tool_files,
        outputs = outputs,
        mnemonic = mnemonic,
        progress_message = progress_message,
        # nothing from the host: the tool's output depends on its inputs alone (and on the C
        # compiler, for the actions that run one)
        env = compiler.env if compiler else {},
        use_default_shell_env = compiler != None,
        execution_requirements = _requirements(ctx),
        toolchain = EXEC_TOOLCHAIN,
    )
