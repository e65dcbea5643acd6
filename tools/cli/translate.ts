// `recomp translate ELF -o OUT.wasm`: the module, and its manifest beside it.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { checkOutputDir, failure, writeAtomic } from '../common/fs.js';
import { ElfError, readElf } from '../elf/index.js';
import { translate, TranslateError, type TranslateResult } from '../translate/index.js';
import { fileRef, manifestPathOf, serializeManifest, stampNow, toolchain, TrustError, type Manifest } from '../manifest/manifest.js';
import { syscallProvision } from '../vkernel/syscalls.js';
import { signOutput } from '../manifest/attestation.js';
import { loadSigningKey } from '../manifest/keys.js';
import { parseFlags } from './args.js';
import { phaseLine } from './progress.js';
import { UsageError } from './command.js';
import { VERSION } from './version.js';
import type { Arch } from '../isa/types.js';
import type { Flavour } from '../wasm/module.js';

const HELP = `Usage: recomp translate ELF -o OUT.wasm [options]

Translates a static x86_64 Linux executable (glibc or musl, -static or -static-pie) into a
WebAssembly module that 'recomp run' executes, and writes OUT.wasm.manifest.json beside it:
the input's sha256, the options, the tool versions, the output's sha256 and the syscalls
the module may make (schema: tools/manifest/schemas/manifest.v1.json). The same input and
options give the same bytes on any host, from any directory.

Options:
  -o, --output FILE   the module to write (required)
  --arch ARCH         x86_64 or aarch64: refuse an input of another architecture (default
                      auto: the ELF header decides)
  -O LEVEL            optimisation: 0 (fastest to translate, least compact code), 1 (fold
                      temporaries), 2 (also pack locals; the default), 3 (binaryen's whole
                      pipeline: slowest to translate, rarely faster to run)
  --for RUNNER        engine (the default: 'recomp run', V8's JIT) or aot (for 'recomp aot':
                      no relaxed SIMD, no loop re-entry, no tail calls; 'recomp run' runs it
                      too, slower, and a long chain of jumps between functions can exhaust
                      the engine's stack there)
  --sign-key KEY      sign the manifest with the Ed25519 private key KEY (see recomp keygen):
                      writes OUT.wasm.dsse.json, which 'recomp run --trusted-key' checks
  --stamp             add the time and host name to the manifest (in 'stamp', outside the
                      part that reproduces)
  --report FILE       also write a JSON report: functions, blocks, instructions, and every
                      address where the guest faults because code was not translatable
  --json              print the report on stdout
  -q, --quiet         print nothing on success: no progress, no summary (build actions)
  -h, --help          this help

Exit status: 0 on success, 1 when the input cannot be translated (the message says why),
2 on bad usage.

Example:
  recomp translate ./hello -o hello.wasm && recomp run hello.wasm
`;

export interface TranslateFileOptions {
  optimize: number;
  flavour?: Flavour;
  /** the architecture the input must have (default: whatever its ELF header says) */
  arch?: Arch;
  /** the input's name in the manifest (default: its base name), for a rebuild from a copy */
  inputName?: string;
  /** add time and host to the manifest (outside its reproducible part) */
  stamp?: boolean;
  onPhase?: (p: string) => void;
}

/** translates `input` and writes the module and its manifest (atomically, by rename) */
export function translateFile(input: string, output: string, opts: TranslateFileOptions): { result: TranslateResult; manifest: Manifest } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(input);
  } catch (e) {
    throw new TranslateError(`cannot read ${input}: ${failure(e)}`);
  }
  let result: TranslateResult;
  try {
    result = translate(bytes, { optimize: opts.optimize, flavour: opts.flavour, arch: opts.arch, progress: opts.onPhase });
  } catch (e) {
    if (e instanceof ElfError) throw new TranslateError(`${input}: ${e.message}`);
    throw e;
  }
  const elf = readElf(bytes);
  const flavour = opts.flavour ?? 'engine';
  const { names, complete } = result.map.syscalls;
  const [inName, outName] = [opts.inputName ?? basename(input), basename(output)];
  const manifest: Manifest = {
    schema: 'recomp.manifest/v1',
    trust: 'recompiled',
    input: { ...fileRef(inName, bytes), arch: result.meta.arch, linking: elf.linking },
    options: { optimize: opts.optimize, ...(flavour === 'aot' ? { for: 'aot' } : {}) },
    toolchain: toolchain(VERSION),
    outputs: [{ ...fileRef(outName, result.wasm), mediaType: 'application/wasm' }],
    syscalls: { names, complete },
    policy: { name: 'vkernel-default', denied: names.filter((n) => syscallProvision(n) === 'denied') },
    build: { command: ['recomp', 'translate', `-O${opts.optimize}`, ...(flavour === 'aot' ? ['--for', 'aot'] : []), inName, '-o', outName] },
    ...(opts.stamp ? { stamp: stampNow() } : {}),
  };
  writeAtomic(output, result.wasm);
  writeAtomic(manifestPathOf(output), serializeManifest(manifest));
  return { result, manifest };
}

export async function translateMain(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    output: { type: 'string', short: 'o' },
    O: { type: 'string', short: 'O' },
    report: { type: 'string' },
    arch: { type: 'string' },
    for: { type: 'string' },
    'sign-key': { type: 'string' },
    stamp: { type: 'boolean' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
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
  const arch = values.arch ?? 'auto';
  if (arch !== 'auto' && arch !== 'x86_64' && arch !== 'aarch64') throw new UsageError(`--arch takes x86_64, aarch64 or auto, not '${arch}'`);
  const flavour = values.for ?? 'engine';
  if (flavour !== 'engine' && flavour !== 'aot') throw new UsageError(`--for takes engine or aot, not '${flavour}'`);
  // an output that cannot be written fails before the long translation, not after
  for (const out of [values.output, values.report]) if (out) checkOutputDir(out);
  const started = Date.now();
  const phase = values.quiet ? undefined : phaseLine('translate');
  try {
    // a bad key fails before the long translation, not after
    const signer = values['sign-key'] ? loadSigningKey(values['sign-key']) : undefined;
    const { result, manifest } = translateFile(positionals[0], values.output, {
      optimize: Number(level),
      flavour,
      arch: arch === 'auto' ? undefined : arch,
      stamp: values.stamp,
      onPhase: phase?.show,
    });
    phase?.clear();
    const signed = signer ? signOutput(values.output, signer) : undefined;
    const report = {
      schema: 'recomp.translate-report/v1',
      input: manifest.input,
      outputs: manifest.outputs,
      ...(signed ? { signature: signed } : {}),
      stats: result.stats,
      faults: result.meta.faults.map(([pc, reason]) => ({ address: `0x${pc.toString(16)}`, reason })),
      seconds: (Date.now() - started) / 1000,
    };
    if (values.report) writeAtomic(values.report, JSON.stringify(report, null, 2) + '\n');
    if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else if (!values.quiet) {
      const s = result.stats;
      process.stderr.write(
        `recomp translate: ${values.output}: ${s.functions} functions, ${s.blocks} blocks, ${s.instructions} instructions, ${result.wasm.length} bytes in ${report.seconds.toFixed(1)} s` +
          (s.faults ? `; ${s.faults} places fault when reached (see --report)` : '') +
          (signed ? `; signed by key ${signed.keyid.slice(0, 16)} (${signed.path})` : '') +
          '\n',
      );
    }
    return 0;
  } catch (e) {
    phase?.clear();
    if (e instanceof TranslateError || e instanceof TrustError) {
      process.stderr.write(`recomp translate: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
