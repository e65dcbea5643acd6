"""Public providers of rules_recomp."""

load("//rules/private:providers.bzl", _RecompLibraryInfo = "RecompLibraryInfo", _RecompModuleInfo = "RecompModuleInfo")

RecompModuleInfo = _RecompModuleInfo
RecompLibraryInfo = _RecompLibraryInfo
