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
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonAs } from '../common/json.js';
import { imageMetaOf, ModuleError } from '../vkernel/index.js';
import type { ImageMeta } from '../translate/index.js';
import { TranslationMap } from '../translate/map.js';
import { generateGlue, generateOps, INSTANCE, MODULE_NAME } from './glue.js';
import { ColdMarker, type HotSet } from './cold.js';
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
  /** from a profile: the functions to compile with full optimisation, the others cheaply (see cold.ts) */
  hot?: HotSet;
  onPhase?: (phase: string) => void;
}

export interface AotResult {
  blob: Uint8Array;
  meta: ImageMeta;
  wasm2c: string;
  compiler: { command: string; version: string };
  flags: string[];
  /** with `hot`: how many guest functions were compiled each way */
  split?: { hot: number; cold: number };
  /** the host system calls the blob's seccomp filter allows once the guest runs, sorted */
  hostSyscalls: string[];
}

/**
 * What compileAot reads besides the module: the C sources (host/, runtime/) and wabt's wasm2c
 * script. The bundled tool (dist/bundle, the Bazel toolchain's) carries them beside itself,
 * as aot/ and wasm2c.cjs (scripts/bundle.mjs); tsc's output (dist/tools/aot, three levels
 * below the source tree) reads the source tree and node_modules.
 */
function aotFiles(): { src: string; wasm2c: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, 'aot');
  if (existsSync(join(bundled, 'host', 'host.h'))) {
    const wasm2c = join(here, 'wasm2c.cjs');
    if (!existsSync(wasm2c)) throw new AotError(`wasm2c is missing beside the bundled tool (${wasm2c}): rebuild the bundle (scripts/bundle.mjs)`);
    return { src: bundled, wasm2c };
  }
  const src = join(here, '..', '..', '..', 'tools', 'aot');
  if (!existsSync(join(src, 'host', 'host.h'))) throw new AotError(`the AOT host sources are missing (looked for ${bundled} and ${src}): rebuild the bundle (scripts/bundle.mjs) or run recomp from its source tree`);
  let wasm2c: string;
  try {
    wasm2c = createRequire(import.meta.url).resolve('wabt/bin/wasm2c');
  } catch {
    throw new AotError('wasm2c is missing: the npm package wabt is not installed (npm ci)');
  }
  return { src, wasm2c };
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
  // modules for aot hand the pc back through s.rpc and make no tail calls since this global came
  if (!WebAssembly.Module.exports(module).some((e) => e.name === 's.rpc'))
    throw new AotError('this module was translated --for aot by an older recomp (with tail calls, which recomp aot no longer compiles): translate the ELF again');
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
 * The compiler flags, by target. -O2 as wasm2c recommends, with link-time optimisation;
 * wasm2c's C relies on wrapping integer arithmetic and on not being vectorised across its
 * explicit SIMD (-fno-strict-aliasing for its memory accesses through casts); the host is
 * built warning-clean.
 */
function flagsFor(target: Target, work: string, src: string): string[] {
  return [
    '-std=gnu11',
    '-O2',
    // gcc's straight-line vectoriser pairs the stores of guest registers into their globals
    // (two movq, a punpcklqdq and a movups for two movs): 3% more instructions, no faster
    '-fno-tree-slp-vectorize',
    // gcc's partial redundancy elimination (tree and RTL) keeps addresses it computed once
    // (each guest push's slot, to reuse at its pop) live across whole guest functions, where
    // they crowd the registers and spill: without it, 2.2% fewer instructions on bintrees, 1.8%
    // on qsort, 1.3% on fannkuch, none more on any corpus benchmark (callgrind)
    '-fno-gcse',
    '-fno-tree-pre',
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
    // wasm2c's output is split in parts compiled side by side: link-time optimisation inlines
    // across them (the arithmetic helpers, dispatch, small guest functions) and drops what is
    // never called. Its partitions do not depend on the jobs, so the bytes do not either.
    '-flto=auto',
  ];
}

/**
 * Places the memory at its fixed address (WASM_RT_MEMORY_BASE in runtime/wasm-rt.h) in a C
 * file or header wasm2c wrote: its MEM_ADDR, which every load and store goes through, adds
 * the constant base instead of the instance's data pointer. Refuses a MEM_ADDR of another
 * shape; a file without one comes back unchanged.
 */
export function placeMemory(c: string): string {
  const memAddr = '#define MEM_ADDR(mem, addr, n) &((mem)->data[addr])';
  if (!c.includes('#define MEM_ADDR(')) return c;
  if (c.split(memAddr).length !== 2) throw new AotError('wasm2c wrote C of an unknown shape (its MEM_ADDR): this recomp does not know how to place the memory');
  return c.replace(memAddr, '#define MEM_ADDR(mem, addr, n) ((u8*)WASM_RT_MEMORY_BASE + (addr))');
}

/**
 * Has a C file wasm2c wrote name the blob's one instance of the module (INSTANCE, glue.c's)
 * where its functions named their instance parameter. A table call hands the callee the
 * instance its table entry holds, which gcc cannot see is the same one, so every function
 * kept the instance in a register and reached the state globals through it; named, they are
 * at link-time constants (one register more for the guest's values in every function, none
 * passed on). The parameters stay, renamed and unused. Refuses a file whose functions take
 * the instance but that does not include the module's header; a file without such functions
 * comes back unchanged.
 */
export function oneInstance(c: string): string {
  const renamed = c.replace(new RegExp(`([(,] ?(?:w2c_${MODULE_NAME}|void) ?\\* ?)instance(?=[,)])`, 'g'), '$1unused_instance');
  if (renamed === c) return c;
  const include = new RegExp(`^#include "${MODULE_NAME}(-impl)?\\.h"\n`, 'm');
  if (!include.test(renamed)) throw new AotError('wasm2c wrote C of an unknown shape (functions on an instance without the module header): this recomp does not know how to name its one instance');
  // a declaration of another shape than those renamed above would now fail to compile
  return renamed.replace(include, (line) => `${line}extern w2c_${MODULE_NAME} ${INSTANCE};\n#define instance (&${INSTANCE})\n`);
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
  // it runs in the work directory: a relative path (a Bazel toolchain's, below the execroot)
  // is taken from here, and recorded as given, which names no directory of this machine
  const ccPath = cc.includes('/') ? resolve(cc) : cc;
  const compiler = { command: cc, version: compilerVersion(ccPath) };
  const { src, wasm2c: w2c } = aotFiles();
  const disagree = checkHandlerTables(join(src, 'host'));
  if (disagree.length) throw new AotError(`the host's system call handlers and its table of their host system calls disagree (a recomp bug): ${disagree.join('; ')}`);
  const allowed = hostSyscalls(guestSyscalls(compiled), opts.target);
  const work = mkdtempSync(join(tmpdir(), 'recomp-aot-'));
  try {
    opts.onPhase?.('wasm2c');
    writeFileSync(join(work, 'module.wasm'), module);
    const parts = outputsFor(module.length);
    await runTool(process.execPath, [w2c, '--num-outputs', String(parts), 'module.wasm', '-n', MODULE_NAME, '-o', `${MODULE_NAME}.c`], work, 'wasm2c');
    const wasm2c = execFileSync(process.execPath, [w2c, '--version'], { encoding: 'utf8' }).trim();
    const cold = opts.hot && new ColdMarker(opts.hot);
    // MEM_ADDR is defined in the module's C, or in its impl header when the output is split
    let placed = 0;
    for (const f of readdirSync(work).filter((n) => /\.[ch]$/.test(n)).sort()) {
      const text = readFileSync(join(work, f), 'utf8');
      let c = placeMemory(text);
      if (c !== text) placed++;
      if (f.endsWith('.c')) c = oneInstance(c);
      if (cold && f.endsWith('.c')) c = cold.mark(c);
      writeFileSync(join(work, f), c);
    }
    if (placed !== 1) throw new AotError(`wasm2c wrote C of an unknown shape (MEM_ADDR defined in ${placed} files): this recomp does not know how to place the memory`);
    const split = cold?.finish();
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
      sources.map((s, k) => () => runTool(ccPath, [...flags.filter((f) => !f.startsWith('-static') && !f.startsWith('-Wl')), ...includes, '-c', s, '-o', objects[k]], work, `compiling ${s.startsWith(src) ? s.slice(src.length + 1) : s}`)),
      availableParallelism(),
    );
    opts.onPhase?.('linking');
    await runTool(ccPath, [...flags, ...objects, '-lm', '-o', 'blob'], work, 'linking');
    if (opts.keepC) for (const f of readdirSync(work).filter((n) => /\.[ch]$/.test(n)).sort()) writeFileSync(join(opts.keepC, f), readFileSync(join(work, f)));
    const blob = readFileSync(join(work, 'blob'));
    // the recorded flags name what the compiler was given, without this machine's paths
    const recorded = flags.map((f) => f.replace(work, '$WORK').replace(src, '$RECOMP_AOT'));
    return { blob, meta, wasm2c, compiler, flags: recorded, hostSyscalls: allowed, ...(split ? { split } : {}) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
