// `recomp translate ELF -o OUT.wasm`: the module, and its manifest beside it.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ElfError, readElf } from '../elf/index.js';
import { decoderFor } from '../isa/index.js';
import { analyzeSyscalls } from '../analyze/syscalls.js';
import { translate, TranslateError, type TranslateResult } from '../translate/index.js';
import { parseFlags } from './args.js';
import { UsageError } from './command.js';
import { VERSION } from './version.js';

const HELP = `Usage: recomp translate ELF -o OUT.wasm [options]

Translates a static x86_64 Linux executable (glibc or musl, -static or -static-pie) into a
WebAssembly module that 'recomp run' executes, and writes OUT.wasm.manifest.json beside it:
the input's sha256, the options, the tool versions, the output's sha256 and the syscalls
the module may make. The same input and options always give the same bytes.

Options:
  -o, --output FILE   the module to write (required)
  -O LEVEL            optimisation: 0 (fastest to translate, least compact code), 1 (fold
                      temporaries), 2 (also pack locals; the default), 3 (binaryen's whole
                      pipeline: slowest to translate, rarely faster to run)
  --report FILE       also write a JSON report: functions, blocks, instructions, and every
                      address where the guest faults because code was not translatable
  --json              print the report on stdout
  -h, --help          this help

Exit status: 0 on success, 1 when the input cannot be translated (the message says why),
2 on bad usage.

Example:
  recomp translate ./hello -o hello.wasm && recomp run hello.wasm
`;

export interface Manifest {
  schema: 'recomp.manifest/v1';
  input: { name: string; sha256: string; arch: string; linking: string };
  options: { optimize: number };
  tools: { recomp: string; node: string; binaryen: string };
  output: { name: string; sha256: string };
  syscalls: { names: string[]; complete: boolean };
  trust: 'recompiled';
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function binaryenVersion(): string {
  const url = new URL('../../../node_modules/binaryen/package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** translates `input` and writes the module and its manifest (atomically, by rename) */
export function translateFile(input: string, output: string, optimize: number, onPhase?: (p: string) => void): { result: TranslateResult; manifest: Manifest } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(input);
  } catch (e) {
    throw new TranslateError(`cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let result: TranslateResult;
  try {
    result = translate(bytes, { optimize, progress: onPhase });
  } catch (e) {
    if (e instanceof ElfError) throw new TranslateError(`${input}: ${e.message}`);
    throw e;
  }
  const elf = readElf(bytes);
  const sys = analyzeSyscalls(elf, decoderFor('x86_64'));
  const manifest: Manifest = {
    schema: 'recomp.manifest/v1',
    input: { name: basename(input), sha256: sha256(bytes), arch: 'x86_64', linking: elf.linking },
    options: { optimize },
    tools: { recomp: VERSION, node: process.version, binaryen: binaryenVersion() },
    output: { name: basename(output), sha256: sha256(result.wasm) },
    syscalls: { names: [...new Set(sys.syscalls.map((s) => s.name))].sort(), complete: sys.complete },
    trust: 'recompiled',
  };
  writeAtomic(output, result.wasm);
  writeAtomic(`${output}.manifest.json`, JSON.stringify(manifest, null, 2) + '\n');
  return { result, manifest };
}

export function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export async function translateMain(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    output: { type: 'string', short: 'o' },
    O: { type: 'string', short: 'O' },
    report: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('translate takes one ELF file (see recomp translate --help)');
  if (!values.output) throw new UsageError('translate needs -o OUT.wasm');
  const level = values.O ?? '2';
  if (!/^[0-3]$/.test(level)) throw new UsageError(`-O takes 0, 1, 2 or 3, not '${level}'`);
  const started = Date.now();
  const tty = process.stderr.isTTY;
  try {
    const { result, manifest } = translateFile(positionals[0], values.output, Number(level), tty ? (p) => process.stderr.write(`\r\x1b[Ktranslate: ${p}...`) : undefined);
    if (tty) process.stderr.write('\r\x1b[K');
    const report = {
      schema: 'recomp.translate-report/v1',
      input: manifest.input,
      output: manifest.output,
      stats: result.stats,
      faults: result.meta.faults.map(([pc, reason]) => ({ address: `0x${pc.toString(16)}`, reason })),
      seconds: (Date.now() - started) / 1000,
    };
    if (values.report) writeAtomic(values.report, JSON.stringify(report, null, 2) + '\n');
    if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else {
      const s = result.stats;
      process.stderr.write(
        `recomp translate: ${values.output}: ${s.functions} functions, ${s.blocks} blocks, ${s.instructions} instructions, ${result.wasm.length} bytes in ${report.seconds.toFixed(1)} s` +
          (s.faults ? `; ${s.faults} places fault when reached (see --report)` : '') +
          '\n',
      );
    }
    return 0;
  } catch (e) {
    if (tty) process.stderr.write('\r\x1b[K');
    if (e instanceof TranslateError) {
      process.stderr.write(`recomp translate: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
