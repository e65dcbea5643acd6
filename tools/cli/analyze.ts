// `recomp analyze PATH... [--json]`: what each executable of a file, root file system or
// container image is, which syscalls it can make, and whether recomp can translate it.
import { writeAtomic } from '../common/fs.js';
import { ImageError } from '../image/index.js';
import { analyzeInputs, type InputReport } from '../analyze/driver.js';
import type { AnalysisRecord, ElfRecord } from '../analyze/record.js';
import { FLAG_NAMES } from '../analyze/record.js';
import { parseFlags } from './args.js';
import { UsageError } from './command.js';
import { progressBar } from './progress.js';
import { VERSION } from './version.js';

const HELP = `Usage: recomp analyze PATH... [options]

Reports, for every executable (ELF or #! script) in each PATH: architecture, linking,
interpreter and needed libraries, symbol and relocation counts, the Linux syscalls it can
make (resolved statically at each syscall site), behaviour flags (jit, selfModifying,
runtimeCodegen, dlopen, threads, cpuidDispatch) with their evidence, and whether recomp can
translate it.

PATH may be:
  an ELF file or a #! script
  a directory holding a root file system
  an OCI image layout directory
  a tar archive: docker save output (Docker 25+ or legacy form) or an OCI archive,
  plain, gzip or zstd compressed

Options:
  --json             print one JSON document (schema recomp.analyze/v1) instead of tables
  -o, --output FILE  with --json: write the document to FILE, not stdout
  --platform OS/ARCH for multi-platform images: linux/amd64, linux/arm64... (default: the
                     host's, or the only image an index holds)
  --no-host-libraries
                     for a file given alone, do not look for its shared libraries on this
                     host (build actions, which may read their declared inputs only)
  --code, --no-code  recover functions, basic blocks and jump tables (the 'code' field):
                     on by default for a lone file, off for root file systems and images,
                     where it would cost most of the time; syscall sets do not depend on it
  --jobs N           threads (default: 1 below 96 MB of executables, where starting
                     workers costs more than it saves; else one per core)
  -h, --help         this help

Exit status: 0 when every input and executable was read, 1 when one could not be
(missing path, malformed image, corrupt ELF: the message says what and where), 2 on bad usage.

Examples:
  recomp analyze /bin/busybox
  recomp analyze --json /bin/ls | jq '.inputs[0].records[0].needed'
  recomp analyze ./rootfs --jobs 2
  recomp analyze image.tar --platform linux/arm64
`;

export async function analyze(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    json: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    platform: { type: 'string' },
    'no-host-libraries': { type: 'boolean' },
    code: { type: 'boolean' },
    'no-code': { type: 'boolean' },
    jobs: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no PATH given');
  if (values.output && !values.json) throw new UsageError('-o writes the JSON document: give --json too');
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new UsageError(`--jobs wants a whole number from 1 to 256, not '${values.jobs}'`);
  }
  let reports: InputReport[];
  try {
    reports = await analyzeInputs(positionals, {
      jobs,
      platform: values.platform,
      hostLibraries: !values['no-host-libraries'],
      code: values['no-code'] ? false : values.code ? true : undefined,
      onProgress: progressBar('analyze'),
    });
  } catch (e) {
    if (e instanceof ImageError) {
      process.stderr.write(`recomp analyze: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (values.json && values.output) writeAtomic(values.output, JSON.stringify(toJson(reports), null, 2) + '\n');
  else if (values.json) process.stdout.write(JSON.stringify(toJson(reports), null, 2) + '\n');
  else printTables(reports);
  let status = 0;
  for (const r of reports) {
    if (r.kind === 'file' && r.records.length === 0) {
      process.stderr.write(`recomp analyze: ${r.input}: neither an ELF file nor a #! script\n`);
      status = 1;
    }
    for (const rec of r.records) if (rec.kind === 'error') status = 1;
  }
  return status;
}

function toJson(reports: InputReport[]) {
  return {
    schema: 'recomp.analyze/v1',
    tool: { name: 'recomp', version: VERSION, node: process.versions.node },
    inputs: reports.map((r) => ({ input: r.input, kind: r.kind, description: r.description, findings: r.findings, records: r.records, libraries: r.libraries, summary: summarize(r.records) })),
  };
}

function summarize(records: AnalysisRecord[]) {
  const count = (f: (r: AnalysisRecord) => boolean) => records.filter(f).length;
  return {
    executables: records.length,
    elf: count((r) => r.kind === 'elf'),
    scripts: count((r) => r.kind === 'script'),
    errors: count((r) => r.kind === 'error'),
    translatable: { yes: count((r) => r.translatable === 'yes'), fallback: count((r) => r.translatable === 'fallback'), no: count((r) => r.translatable === 'no') },
  };
}

const hex = (n: number) => '0x' + n.toString(16);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

function flagsOf(r: ElfRecord): string {
  return FLAG_NAMES.filter((f) => r.flags[f].set).join(',') || '-';
}

function printTables(reports: InputReport[]) {
  const out = process.stdout;
  for (const rep of reports) {
    out.write(`${rep.input}: ${rep.description}\n`);
    if (rep.records.length === 1 && rep.records[0].kind === 'elf') printDetail(rep.records[0]);
    else if (rep.records.length) {
      const rows = [['PATH', 'KIND', 'ARCH', 'LINKING', 'SYSCALLS', 'FLAGS', 'TRANSLATABLE']];
      for (const r of rep.records) {
        if (r.kind === 'elf') rows.push([r.path, 'elf', r.arch, r.linking ?? '-', `${r.syscalls.length}${r.syscallsComplete ? '' : '+'}`, flagsOf(r), r.translatable]);
        else if (r.kind === 'script') rows.push([r.path, 'script', '-', '-', '-', `#!${r.interpreter}`, r.translatable]);
        else rows.push([r.path, 'error', '-', '-', '-', r.error, 'no']);
      }
      out.write(table(rows));
    }
    for (const f of rep.findings) out.write(`finding: ${f.kind} ${f.path}: ${f.detail}\n`);
    const s = summarize(rep.records);
    out.write(
      `summary: ${s.executables} executable(s) (${s.elf} ELF, ${s.scripts} script(s), ${s.errors} unreadable): ` +
        `${s.translatable.yes} translatable, ${s.translatable.fallback} fallback, ${s.translatable.no} not; ${rep.findings.length} finding(s)\n`,
    );
    if (s.executables && s.translatable.yes + s.translatable.fallback < s.executables) out.write('(a "+" after a syscall count: some sites were unresolved, so the set is widened)\n');
  }
}

function printDetail(r: ElfRecord) {
  const out = process.stdout;
  const lines: [string, string][] = [
    ['path', r.path],
    ['arch', r.arch],
    ['linking', r.linking ?? '-'],
    ['interpreter', r.interpreter ?? '-'],
    ['needed', r.needed.join(' ') || '-'],
    ['entry', hex(r.entry)],
    ['symbols', `${r.symbols.symtab} symtab, ${r.symbols.dynsym} dynsym, ${r.symbols.functions} functions`],
    ['relocations', Object.entries(r.relocations).map(([k, v]) => `${k} ${v}`).join(', ') || '-'],
  ];
  if (r.code) {
    lines.push(['code', `${r.code.functions} functions, ${r.code.blocks} blocks, ${r.code.instructions} instructions, ${(r.code.coverage * 100).toFixed(1)}% of code bytes, ${r.code.jumpTables} jump tables, ${r.code.unresolvedIndirectJumps.length} unresolved indirect jumps`]);
  }
  lines.push([`syscalls (${r.syscalls.length}${r.syscallsComplete ? '' : ', incomplete'})`, r.syscalls.map((s) => s.name).join(' ') || '-']);
  for (const u of r.unresolvedSyscallSites.slice(0, 10)) lines.push(['  unresolved', `${u.address !== undefined ? hex(u.address) : '?'}: ${u.detail}`]);
  if (r.missingLibraries.length) lines.push(['missing libraries', r.missingLibraries.join(' ')]);
  for (const f of FLAG_NAMES) {
    const fl = r.flags[f];
    if (fl.set) lines.push([`flag ${f}`, fl.evidence.slice(0, 3).map((e) => (e.address !== undefined ? `${hex(e.address)}: ` : '') + e.detail).join('; ')]);
  }
  lines.push(['translatable', `${r.translatable} (${r.reason})`]);
  const w = Math.max(...lines.map(([k]) => k.length));
  out.write(lines.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n') + '\n');
}
