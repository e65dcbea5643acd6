"""The module extension that makes the default toolchain repository, @recomp_toolchains."""

load(":repositories.bzl", "recomp_host_toolchains")

def _recomp_impl(module_ctx):
    recomp_host_toolchains(name = "recomp_toolchains")
    return module_ctx.extension_metadata(reproducible = True)

recomp = module_extension(
    implementation = _recomp_impl,
    doc = "Provides @recomp_toolchains (registered by rules_recomp's MODULE.bazel).",
)
