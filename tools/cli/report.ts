// `recomp report MODULE [--html OUT.html] [--json]`: the mapping report of a module.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { failure, writeAtomic } from '../common/fs.js';
import { manifestPathOf, readManifest, sha256, TrustError, type Manifest } from '../manifest/manifest.js';
import { renderHtml } from '../report/html.js';
import { buildReport, ReportError, type LibrarySignatures, type Report } from '../report/report.js';
import { SignatureError, signaturesOf } from '../analyze/signatures.js';
import { parseFlags } from './args.js';
import { UsageError } from './command.js';

const HELP = `Usage: recomp report MODULE [--html OUT.html] [--json] [-o FILE]

Reports what a module made by 'recomp translate' holds, from the module alone (and its
manifest, MODULE.manifest.json, when it is beside it):
  - the Linux syscalls the guest code may make and how each is provided: vkernel (done on
    the host through the vkernel, within the grants), emulated (answered inside the
    vkernel), denied (ENOSYS), wasi (imported from WASI directly; not emitted yet)
  - every guest function: its name when the ELF has a symbol for it, how discovery found
    it, its blocks, instructions, guest and wasm bytes, and how it was treated
  - coverage: the share of the executable bytes reached, the indirect jumps and calls left
    to the dispatcher (with a capstone listing around each) and the places that fault
  - where the module's bytes go (guest code, glue, image, metadata, names)

Functions without a symbol (a stripped binary) are recognised by signature when their bytes
equal those of a function of a static library, the bytes the linker fills in aside. By
default the host's C library archive is used when it is there (x86_64:
/usr/lib/x86_64-linux-gnu/libc.a, from Debian's libc6-dev); the report names the archives
and their sha256. Only functions whose bytes match one library function (or its aliases)
are named; small wrappers that match several are left unnamed.

Without options it prints a summary. Options:
  --html FILE        write the report as one self-contained HTML page (sortable tables, a
                     chart of the bytes; no network needed to view it)
  --json             print the whole report as JSON (schema recomp.report/v1) on stdout
  -o, --output FILE  write the summary (or with --json the JSON) to FILE, not stdout
  --library A.a      look for the functions of this static library archive; repeatable
                     (replaces the default)
  --no-signatures    recognise functions by their symbols only
  -h, --help         this help

Exit status: 0 on success; 1 when the module cannot be read or was not made by recomp.

Example:
  recomp report busybox.wasm --html busybox.html
`;

function summary(r: Report): string {
  const s = r.summary;
  const by = (p: string) => r.syscalls.filter((x) => x.provided === p).map((x) => x.name);
  const denied = by('denied');
  const lines = [
    `${r.module.name}: ${r.arch} module, ${r.module.size.toLocaleString('en-US')} bytes`,
    r.manifest ? `  input ${r.manifest.input.name} (${r.manifest.input.linking}), -O${r.manifest.options.optimize}, recomp ${r.manifest.toolchain.recomp}` : '  no manifest beside the module',
    `  functions    ${s.functions} (${s.recognised - s.recognisedBySignature} recognised by symbol, ${s.recognisedBySignature} by signature), ${s.blocks} blocks, ${s.instructions} instructions`,
    ...r.signatures.map((l) => `  signatures   ${l.functions} functions of ${l.source} (sha256 ${l.sha256.slice(0, 16)}…)`),
    `  coverage     ${s.coveragePercent}% of ${s.guestCodeBytes.toLocaleString('en-US')} code bytes reached; ${s.unresolved} unresolved indirect branches; ${s.faults} places fault`,
    `  syscalls     ${s.syscalls}${s.syscallsComplete ? '' : ' (the set may be incomplete)'}: ${by('vkernel').length} vkernel, ${by('emulated').length} emulated, ${denied.length} denied${denied.length ? ` (${denied.join(', ')})` : ''}`,
    '  size',
    ...r.size.parts.map((p) => `    ${p.part.padEnd(22)} ${p.bytes.toLocaleString('en-US').padStart(12)}  ${((100 * p.bytes) / Math.max(1, r.size.total)).toFixed(1).padStart(5)}%`),
  ];
  return lines.join('\n') + '\n';
}

/** the C library archive of an x86_64 Debian host (libc6-dev) */
const HOST_LIBC = '/usr/lib/x86_64-linux-gnu/libc.a';

function librarySignatures(path: string): LibrarySignatures {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SignatureError(`cannot read the library ${path}: ${failure(e)}`);
  }
  return { set: signaturesOf(bytes, path), sha256: sha256(bytes) };
}

/** the manifest beside the module, if it is there and describes these bytes */
function manifestFor(module: string, bytes: Uint8Array): Manifest | null {
  const path = manifestPathOf(module);
  if (!existsSync(path)) return null;
  try {
    const m = readManifest(path);
    if (m.outputs[0].sha256 === sha256(bytes)) return m;
    process.stderr.write(`recomp report: ${path} describes other bytes than ${module}: left out of the report\n`);
  } catch (e) {
    if (!(e instanceof TrustError)) throw e;
    process.stderr.write(`recomp report: ${e.message}: left out of the report\n`);
  }
  return null;
}

export async function report(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    html: { type: 'string' },
    json: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    library: { type: 'string', multiple: true },
    'no-signatures': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('report takes one MODULE');
  const module = positionals[0];
  let bytes: Buffer;
  try {
    bytes = readFileSync(module);
  } catch (e) {
    process.stderr.write(`recomp report: cannot read ${module}: ${failure(e)}\n`);
    return 1;
  }
  if (values.library && values['no-signatures']) throw new UsageError('--library and --no-signatures exclude each other');
  let r: Report;
  try {
    const archives = values['no-signatures'] ? [] : (values.library ?? (existsSync(HOST_LIBC) ? [HOST_LIBC] : []));
    r = await buildReport(bytes, basename(module), manifestFor(module, bytes), archives.map(librarySignatures));
  } catch (e) {
    if (!(e instanceof ReportError || e instanceof SignatureError)) throw e;
    process.stderr.write(`recomp report: ${e.message}\n`);
    return 1;
  }
  if (values.html) {
    writeAtomic(values.html, renderHtml(r));
    if (!values.json) process.stderr.write(`recomp report: wrote ${values.html}\n`);
  }
  const text = values.json ? JSON.stringify(r, null, 2) + '\n' : !values.html || values.output ? summary(r) : '';
  if (values.output) writeAtomic(values.output, text);
  else process.stdout.write(text);
  return 0;
}
