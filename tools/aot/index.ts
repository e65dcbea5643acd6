// Ahead-of-time compilation: a module translated --for aot becomes a standalone Linux
// executable for a named host architecture. wasm2c (wabt, from npm) turns the module into C;
// the glue (glue.ts) ties it to the native host (host/: the vkernel's Linux semantics in C)
// and to our wasm2c runtime (runtime/: memory behind guard pages, traps); the target's C
// compiler links it all statically. The wasm sandbox stays: the guest reaches only its
// linear memory, and the host sees only what the run grants. Under it, a seccomp filter
// (host/seccomp.c) limits the host to the system calls its handlers for the module's guest
// system calls make (host/host-syscalls.ts), listed in the glue and the blob's manifest.
//
// Reproducible: the C is named relative to a fresh work directory, paths are mapped out of
// the objects (-ffile-prefix-map), no build id, no debug info; the same module, recomp and
// compiler give the same bytes on any host, from any directory.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch as hostArch, availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonAs } from '../common/json.js';
import { imageMetaOf, ModuleError } from '../vkernel/index.js';
import type { ImageMeta } from '../translate/index.js';
import { TranslationMap } from '../translate/map.js';
import { generateGlue, generateOps, MODULE_NAME } from './glue.js';
import { checkHandlerTables, hostSyscalls } from './host/host-syscalls.js';

export class AotError extends Error {}

const SIMDE = '/usr/include/simde';

export type Target = 'x86_64' | 'aarch64';
export const TARGETS: Target[] = ['x86_64', 'aarch64'];

export interface AotOptions {
  target: Target;
  /** the C compiler (default: gcc for the host's own architecture, else the Debian cross compiler) */
  cc?: string;
  /** keep the generated C here (for audits and debugging) */
  keepC?: string;
  onPhase?: (phase: string) => void;
}

export interface AotResult {
  blob: Uint8Array;
  meta: ImageMeta;
  wasm2c: string;
  compiler: { command: string; version: string };
  flags: string[];
  /** the host system calls the blob's seccomp filter allows once the guest runs, sorted */
  hostSyscalls: string[];
}

/** the host sources, in the source tree (dist/tools/aot is three levels below it); the Bazel bundle has none yet */
function sourceDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const d = join(here, '..', '..', '..', 'tools', 'aot');
  if (existsSync(join(d, 'host', 'host.h'))) return d;
  throw new AotError(`the AOT host sources are missing (looked for ${d}): the bundled tool cannot compile blobs yet, run recomp from its source tree`);
}

/** wabt's wasm2c, a Node script, from node_modules */
function wasm2cScript(): string {
  try {
    return createRequire(import.meta.url).resolve('wabt/bin/wasm2c');
  } catch {
    throw new AotError('wasm2c is missing: the npm package wabt is not installed (npm ci)');
  }
}

/** the syscalls the guest code may make, from the module's recomp.map section */
function guestSyscalls(module: WebAssembly.Module): TranslationMap['syscalls'] {
  const sections = WebAssembly.Module.customSections(module, 'recomp.map');
  if (sections.length !== 1) throw new AotError('the module has no recomp.map section (its syscall set, which the seccomp filter is built from): not a module recomp translate made');
  return parseJsonAs(TranslationMap.pick({ syscalls: true }), new TextDecoder().decode(sections[0]), 'the recomp.map section', AotError).syscalls;
}

/** the module compiled (for its sections and imports) and its image facts; refuses what is not a recomp module translated --for aot */
function aotModule(bytes: Uint8Array): { module: WebAssembly.Module; meta: ImageMeta } {
  let module: WebAssembly.Module;
  let meta: ImageMeta;
  try {
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new AotError(`not a valid WebAssembly module: ${(e as Error).message}`);
  }
  try {
    meta = imageMetaOf(module);
  } catch (e) {
    if (e instanceof ModuleError) throw new AotError(e.message);
    throw e;
  }
  if (meta.flavour !== 'aot')
    throw new AotError(
      "this module was translated for engines ('recomp run'): it uses relaxed SIMD and loop re-entry, which wasm2c cannot compile; translate the ELF with `recomp translate --for aot`, or give recomp aot the ELF itself",
    );
  return { module, meta };
}

const HOST_TARGET: Target | undefined = hostArch() === 'x64' ? 'x86_64' : hostArch() === 'arm64' ? 'aarch64' : undefined;

export function defaultCompiler(target: Target): string {
  return target === HOST_TARGET ? 'gcc' : `${target}-linux-gnu-gcc`;
}

/** the compiler's own name for itself: its first --version line */
function compilerVersion(cc: string): string {
  try {
    return execFileSync(cc, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    throw new AotError(`the C compiler ${cc} is not installed or does not run (Debian: apt-get install ${cc === 'gcc' ? 'gcc' : `gcc-${cc.replace(/-gcc$/, '')}`})`);
  }
}

/**
 * The compiler flags, by target. -O2 as wasm2c recommends; wasm2c's C relies on wrapping
 * integer arithmetic and on not being vectorised across its explicit SIMD (-fno-strict-
 * aliasing for its memory accesses through casts); the host is built warning-clean.
 */
function flagsFor(target: Target, work: string, src: string): string[] {
  return [
    '-std=gnu11',
    '-O2',
    '-fno-strict-aliasing',
    '-fwrapv',
    // the translation's asserts would name its C file; the runtime checks what matters
    '-DNDEBUG',
    ...(target === 'x86_64' ? ['-march=x86-64', '-mtune=generic'] : ['-march=armv8-a']),
    '-w',
    // reproducible: no paths of this machine, no build id, no random seeds
    `-ffile-prefix-map=${work}=.`,
    `-ffile-prefix-map=${src}=recomp-aot`,
    '-frandom-seed=recomp',
    '-fno-ident',
    '-static',
    '-Wl,--build-id=none',
  ];
}

/**
 * Mends three faults of wasm2c 1.0.39's tail calls in the C it writes, each checked against
 * the shape it fixes (anything of that shape left over is refused):
 *
 * - The tail-callee copy of a function (\`wasm_tailcall_...\`) garbles the declaration of its
 *   first group of locals: the type, then the stack variables' declarations, then the rest of
 *   the locals' line at column 0. The pieces are put back in order:
 *
 *       u64   u32 var_i0, var_i1;          becomes     u64 var_l5 = 0;
 *       u64 var_j0, var_j1;                            u32 var_i0, var_i1;
 *     var_l5 = 0;                                      u64 var_j0, var_j1;
 *
 * - The trampoline that runs a tail-call chain from an ordinary call leaves the instance
 *   pointer the callees read uninitialised: it gets the caller's.
 *
 * - A return_call_indirect in a tail callee, when the table's function has no tail-callee
 *   copy, calls it normally but never hands its results back (the caller then reads its own
 *   arguments as results): they are written where the trampoline reads them.
 */
export function mendWasm2c(c: string): string {
  const lines = c.replaceAll('void *instance_ptr_storage;', 'void *instance_ptr_storage = instance;').split('\n');
  const out: string[] = [];
  let inTailCallee = false;
  for (let k = 0; k < lines.length; k++) {
    if (lines[k].startsWith('void wasm_tailcall_')) inTailCallee = true;
    else if (/^\S/.test(lines[k]) && !lines[k].startsWith('#')) inTailCallee = false;
    // the callee's results, then the chain ends without them: hand them back first
    if (inTailCallee && /^\s+struct wasm_multi_\w+ tmp = CALL_INDIRECT\(/.test(lines[k])) {
      let j = k + 1;
      while (j < lines.length && !/^\s+\}$/.test(lines[j])) j++;
      if (!/^\s+next->fn = NULL;$/.test(lines[j + 1] ?? '')) throw new AotError(`wasm2c wrote C of an unknown shape at line ${k + 1} (an indirect call in a tail callee): this recomp does not know how to mend it`);
      out.push(...lines.slice(k, j), '      wasm_rt_memcpy(tail_call_stack, &tmp, sizeof(tmp));');
      k = j - 1;
      continue;
    }
    const broken = /^  (\w+)   (\w+ var_[ijfdv]\d.*)$/.exec(lines[k]);
    if (!broken) {
      out.push(lines[k]);
      continue;
    }
    // the stack variables' declarations (continuation lines indented), up to the locals' rest at column 0
    let j = k + 1;
    while (j < lines.length && lines[j].startsWith('  ') && !/^\S/.test(lines[j])) j++;
    if (j >= lines.length || !/^var_l\d+ = /.test(lines[j])) throw new AotError(`wasm2c wrote C of an unknown shape at line ${k + 1} (${lines[k].trim()}): this recomp does not know how to mend it`);
    let end = j;
    while (!lines[end].trimEnd().endsWith(';') && end + 1 < lines.length) end++;
    out.push(`  ${broken[1]} ${lines[j]}`, ...lines.slice(j + 1, end + 1), `  ${broken[2]}`, ...lines.slice(k + 1, j));
    k = end;
  }
  return out.join('\n');
}

/** runs a command, its output collected; a failure becomes an AotError with the tail of stderr */
function runTool(cmd: string, args: string[], cwd: string, what: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.on('error', (e) => reject(new AotError(`${what}: cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new AotError(`${what} failed (${cmd} exit ${code}):\n${err.trim()}`))));
  });
}

/** runs jobs, at most `width` at a time */
async function inParallel(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
}

/** C files wasm2c writes the module into: more for big modules, so the compiler runs in parallel */
function outputsFor(moduleBytes: number): number {
  return Math.max(1, Math.min(8, Math.ceil(moduleBytes / (2 << 20))));
}

export async function compileAot(module: Uint8Array, opts: AotOptions): Promise<AotResult> {
  const { module: compiled, meta } = aotModule(module);
  const imports = WebAssembly.Module.imports(compiled)
    .filter((i) => i.kind === 'function')
    .map((i) => i.name);
  const cc = opts.cc ?? defaultCompiler(opts.target);
  const compiler = { command: cc, version: compilerVersion(cc) };
  const src = sourceDir();
  const disagree = checkHandlerTables(join(src, 'host'));
  if (disagree.length) throw new AotError(`the host's system call handlers and its table of their host system calls disagree (a recomp bug): ${disagree.join('; ')}`);
  const allowed = hostSyscalls(guestSyscalls(compiled), opts.target);
  const work = mkdtempSync(join(tmpdir(), 'recomp-aot-'));
  try {
    opts.onPhase?.('wasm2c');
    writeFileSync(join(work, 'module.wasm'), module);
    const parts = outputsFor(module.length);
    const w2c = wasm2cScript();
    await runTool(process.execPath, [w2c, '--enable-tail-call', '--num-outputs', String(parts), 'module.wasm', '-n', MODULE_NAME, '-o', `${MODULE_NAME}.c`], work, 'wasm2c');
    const wasm2c = execFileSync(process.execPath, [w2c, '--version'], { encoding: 'utf8' }).trim();
    for (const f of readdirSync(work).filter((n) => n.endsWith('.c'))) writeFileSync(join(work, f), mendWasm2c(readFileSync(join(work, f), 'utf8')));
    const header = readFileSync(join(work, `${MODULE_NAME}.h`), 'utf8');
    writeFileSync(join(work, 'glue.c'), generateGlue({ meta, imports, header, target: opts.target, hostSyscalls: allowed }));
    writeFileSync(join(work, 'ops.h'), generateOps());
    const moduleC = readdirSync(work)
      .filter((f) => f.endsWith('.c') && f !== 'glue.c')
      .sort();
    const hostC = readdirSync(join(src, 'host'))
      .filter((f) => f.endsWith('.c'))
      .sort()
      .map((f) => join(src, 'host', f));
    const runtimeC = readdirSync(join(src, 'runtime'))
      .filter((f) => f.endsWith('.c'))
      .sort()
      .map((f) => join(src, 'runtime', f));
    const flags = flagsFor(opts.target, work, src);
    // wasm2c's SIMD is simde's (Debian libsimde-dev, headers only); a cross compiler does not
    // search /usr/include, and must not (the host's libc headers are there), so it gets
    // simde alone through a directory of its own
    if (!existsSync(join(SIMDE, 'wasm', 'simd128.h'))) throw new AotError(`the simde headers are missing (${SIMDE}): apt-get install libsimde-dev`);
    mkdirSync(join(work, 'inc'));
    symlinkSync(SIMDE, join(work, 'inc', 'simde'));
    const includes = ['-I', '.', '-I', 'inc', '-I', join(src, 'host'), '-I', join(src, 'runtime')];
    const sources = [...moduleC, 'glue.c', ...hostC, ...runtimeC];
    opts.onPhase?.(`compiling ${sources.length} C files with ${cc}`);
    const objects = sources.map((_, k) => `o${String(k).padStart(2, '0')}.o`);
    await inParallel(
      sources.map((s, k) => () => runTool(cc, [...flags.filter((f) => !f.startsWith('-static') && !f.startsWith('-Wl')), ...includes, '-c', s, '-o', objects[k]], work, `compiling ${s.startsWith(src) ? s.slice(src.length + 1) : s}`)),
      availableParallelism(),
    );
    opts.onPhase?.('linking');
    await runTool(cc, [...flags, ...objects, '-lm', '-o', 'blob'], work, 'linking');
    if (opts.keepC) for (const f of readdirSync(work).filter((n) => /\.[ch]$/.test(n)).sort()) writeFileSync(join(opts.keepC, f), readFileSync(join(work, f)));
    const blob = readFileSync(join(work, 'blob'));
    // the recorded flags name what the compiler was given, without this machine's paths
    const recorded = flags.map((f) => f.replace(work, '$WORK').replace(src, '$RECOMP_AOT'));
    return { blob, meta, wasm2c, compiler, flags: recorded, hostSyscalls: allowed };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
