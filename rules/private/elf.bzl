"""Which file of a src attribute is the ELF to translate."""

def elf_of(ctx, attr_name = "src"):
    """The ELF a src target provides: its executable (a cc_binary), else its one file."""
    target = getattr(ctx.attr, attr_name)
    info = target[DefaultInfo]
    if info.files_to_run and info.files_to_run.executable:
        return info.files_to_run.executable
    files = info.files.to_list()
    if len(files) != 1:
        fail("%s: '%s' must provide one ELF file; %s provides %d: %s" % (
            ctx.label,
            attr_name,
            target.label,
            len(files),
            ", ".join([f.short_path for f in files[:5]]),
        ))
    return files[0]
