"""Runfiles paths, for the launchers `bazel run` and tests execute."""

def rlocation_path(workspace_name, short_path):
    """The path of a file below the runfiles root, from its short_path.

    Files of other repositories have short paths like ../repo/pkg/file; those of the main
    repository are found under its workspace name (_main with Bzlmod).
    """
    if short_path.startswith("../"):
        return short_path[3:]
    return workspace_name + "/" + short_path

def shell_quote(s):
    """s quoted for bash, whatever it holds."""
    return "'" + s.replace("'", "'\\''") + "'"
