"""Running the recomp tool in an action: one place for how every action is spawned."""

EXEC_TOOLCHAIN = Label("//toolchains:exec_toolchain_type")

def recomp_tool(ctx):
    """The RecompToolchainInfo resolved for this target's actions."""
    return ctx.toolchains[EXEC_TOOLCHAIN].recomp

def command_args(ctx, command):
    """A fresh Args for a recomp subcommand; long command lines spill into a param file."""
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = False)
    args.set_param_file_format("multiline")
    args.add(command)
    return args

def run_recomp(ctx, mnemonic, progress_message, args, inputs, outputs):
    """Runs `node recomp.mjs ARGS` hermetically.

    Args:
      ctx: the rule context.
      mnemonic: the action's mnemonic (RecompAnalyze, RecompLift, RecompReport, RecompSign, RecompAot).
      progress_message: what Bazel shows while it runs; %{label} names the target.
      args: an Args from command_args().
      inputs: list of File the command reads (besides the tool).
      outputs: list of File it writes.
    """
    tool = recomp_tool(ctx)
    main = ctx.actions.args()
    main.add(tool.main)
    ctx.actions.run(
        executable = tool.node,
        arguments = [main, args],
        inputs = inputs,
        tools = tool.tool_files,
        outputs = outputs,
        mnemonic = mnemonic,
        progress_message = progress_message,
        # nothing from the host: the tool's output depends on its inputs alone
        env = {},
        use_default_shell_env = False,
        execution_requirements = {"supports-path-mapping": "1"},
        toolchain = EXEC_TOOLCHAIN,
    )
