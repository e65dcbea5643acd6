"""The providers the rules return (re-exported by //rules:providers.bzl)."""

RecompModuleInfo = provider(
    doc = "A WebAssembly module translated from an ELF executable, with what describes it.",
    fields = {
        "module": "File: the .wasm module",
        "flavour": "string: what it was translated for (recomp translate --for): engine (recomp run) or aot (recomp_aot)",
        "manifest": "File: its manifest (recomp.manifest/v1)",
        "report": "File: its mapping report as JSON (recomp.report/v1)",
        "report_html": "File: the same report as one HTML page",
        "signature": "File or None: the DSSE envelope over the manifest, when signed",
        "src": "File: the ELF it was translated from",
    },
)

RecompLibraryInfo = provider(
    doc = "A shared library translated into a wasm library for the dynamic-linking loader.",
    fields = {
        "module": "File: the .wasm library",
        "manifest": "File: its manifest",
        "analysis": "File: what `recomp analyze` found in the library (recomp.analyze/v1)",
    },
)
