// The wasm back end: turns lifted functions, the guest's initial memory image and its
// state slots into one module with binaryen.
//
// Shape of the module (the vkernel relies on it):
// - memory `memory`: guest addresses map 1:1 (data segments hold the loaded image);
// - one mutable global per state slot, exported as `s.<slot>`;
// - each guest function is `(func (param $pc i32) (param $sp i64) (param i64)... (result i64 i64 i32))`:
//   entered at its start, it runs until the guest returns or jumps out and returns the guest
//   address to continue at (the last result); a direct call compares that with its return
//   address and goes on, or passes it up. The guest stack pointer travels in and out with
//   the call, the first argument registers in and the result register out, not through
//   their globals (see guestFnType);
// - `enter(pc)` runs guest code from the state in the globals and writes the results back:
//   the vkernel's way in;
// - table `fns` maps `pc - codeBase` to the function starting there: a call the translator
//   could not resolve goes through it (`dispatch`, or the same written at the call site);
//   `run(pc)` loops on `enter`;
// - imports from `vkernel` are the syscall gate and the helpers named in `imports`.
import binaryen from 'binaryen';
import type { BlockIR, Expr, FunctionIR, SlotDecl, Stmt, Terminator, Ty } from '../ir/index.js';
import { Emitter, wasmType, type AddressSpace, type FnInfo, type Ref } from './emit.js';

export interface ImportDecl {
  name: string;
  params: Ty[];
  result: Ty | 'none';
  /** false when the import neither reads nor writes guest state slots (only memory, or nothing) */
  touchesState: boolean;
  /** true when the import never returns (it ends the guest) */
  noReturn?: boolean;
}

export interface ModuleInput {
  slots: SlotDecl[];
  imports: ImportDecl[];
  functions: FunctionIR[];
  /** initial memory contents at guest addresses */
  segments: { addr: number; bytes: Uint8Array }[];
  /** bytes of memory the image needs (the vkernel grows it for stack, brk and mmap) */
  memoryBytes: number;
  /** the guest address range the dispatch table covers */
  codeBase: number;
  codeEnd: number;
  /** custom sections, in this order, each written as JSON: `recomp.image` (what the vkernel loads), `recomp.map` (what reports read) */
  sections: [name: string, json: unknown][];
  /** the state slot holding the guest stack pointer */
  stackPointer: string;
  /**
   * The i64 slots a call passes as wasm parameters after the stack pointer (the first
   * argument registers): the callee starts with them in locals, and writes them back
   * where it writes back what it changed.
   */
  passed: string[];
  /** the i64 slots a function hands back as wasm results after the stack pointer (the result register) */
  returned: string[];
  /**
   * The slots the ABI has a callee give back as they were (its callee-saved registers):
   * after a call returns to its return address, the caller's locals still hold them, and it
   * does not load them again. A return elsewhere (a longjmp, an unwinder's landing pad)
   * loads them from their globals, as the jump left them. So a function that no such return
   * comes back to (no landing pad, no setjmp) does not write them back before a call, but
   * keeps them dirty across it (see heldAcross in addFunction).
   */
  preserved: string[];
  /**
   * The slots the ABI lets a callee change and leave changed that neither hold its results
   * nor are read where an unwinder lands (System V's rcx, rsi, rdi, r8-r11, xmm2-xmm15;
   * AAPCS64's x2-x17, v4-v7, v16-v31): a normal return does not write back those it wrote,
   * for a caller reads one after the call only when the callee leaves it alone (gcc's
   * -fipa-ra); the parameters among them are always written back (their globals are stale
   * from the entry on, written or not). A return is normal when the stack pointer is
   * where the call left it (x86_64: its return address popped) and, with `returnAddress`, it
   * goes to the address that register held at entry; any other return (an unwinder's, which
   * moves the stack pointer to the landing pad's frame) writes back everything it changed.
   */
  clobbered: string[];
  /** the slot holding the return address at a function's entry (aarch64: x30); none: it is on the stack */
  returnAddress?: string;
  /** bytes a call pushes (x86_64: the return address, 8; aarch64: 0) */
  callPushes: number;
  /** the guest addresses checked accesses may touch (see AddressSpace) */
  addressSpace: AddressSpace;
  /** binaryen optimisation level (0-3) */
  optimize: number;
  /** what will run the module (see Flavour) */
  flavour: Flavour;
}

/**
 * `engine`: for a JIT engine (V8 under the vkernel): relaxed SIMD's madd where the engine
 * fuses it, and loop re-entry so long loops reach the optimising tier. `aot`: for an ahead-of-
 * time compiler (wasm2c, then gcc): no relaxed SIMD (wasm2c has none; the exact multiply-add
 * always), no re-entry (a C compiler optimises every function before it runs), no tail calls
 * (guest jumps between functions are calls; see jumpsFor) and the pc handed back through a
 * global (see guestFnType). Both run under the vkernel and give the guest the same bits.
 */
export type Flavour = 'engine' | 'aot';

/** declares vkernel function `imp.name` as import vk.<name>, and calls to `imp.name` call it */
function addVkernelImport(mod: binaryen.Module, fns: Map<string, FnInfo>, imp: ImportDecl): void {
  const name = `vk.${imp.name}`;
  mod.addFunctionImport(name, 'vkernel', imp.name, binaryen.createType(imp.params.map(wasmType)), imp.result === 'none' ? binaryen.none : wasmType(imp.result));
  fns.set(imp.name, { name, result: imp.result, touchesState: imp.touchesState, noReturn: imp.noReturn });
}

/** backend-owned globals the helpers use (the vkernel writes some of them) */
const HELPER_GLOBALS: SlotDecl[] = [
  { name: 'rem128', ty: 'i64' },
  { name: 'cpuid1', ty: 'i64' },
  { name: 'cpuid2', ty: 'i64' },
  { name: 'cpuid3', ty: 'i64' },
  /** the last address given to dispatch: names the target when a dispatch traps */
  { name: 'dpc', ty: 'i32' },
  /** set by the vkernel when a signal handler left by a non-local jump: where to go on */
  { name: 'redirect', ty: 'i32' },
  /** set to 1 by the vkernel when this host's relaxed multiply-add is fused (see addFusedMultiplyAdd) */
  { name: 'fused', ty: 'i32' },
];

const FEATURES =
  binaryen.Features.MVP |
  binaryen.Features.SIMD128 |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.CallIndirectOverlong |
  binaryen.Features.SignExt |
  binaryen.Features.MutableGlobals |
  binaryen.Features.NontrappingFPToInt |
  binaryen.Features.TailCall |
  binaryen.Features.ReferenceTypes |
  binaryen.Features.Multivalue;

/**
 * The type of every guest function, dispatch and jumpOut: (pc, sp, passed...) -> (sp,
 * returned..., pc). The stack pointer, the argument registers and the result register are
 * parameters and results rather than only globals because calls wait on them: through a
 * global each went from a store to a load across every call or return, and each push, pop
 * and use of an argument or result waited on that store-to-load forwarding. The pc only
 * meets a compare with the return address, whose outcome the CPU predicts; so where results
 * beyond two words cost (wasm2c returns them through memory: measured 10% slower on qsort),
 * `pcResult` false hands it back through the global s.rpc instead.
 */
function guestFnType(passed: number, returned: number, pcResult: boolean): GuestFnType {
  const results = binaryen.createType([binaryen.i64, ...Array<number>(returned).fill(binaryen.i64), ...(pcResult ? [binaryen.i32] : [])]);
  return {
    params: binaryen.createType([binaryen.i32, binaryen.i64, ...Array<number>(passed).fill(binaryen.i64)]),
    results,
    ret: (mod, values, pc) =>
      pcResult ? mod.return(mod.tuple.make([...values, pc])) : mod.block(null, [mod.global.set('s.rpc', pc), mod.return(values.length > 1 ? mod.tuple.make(values) : values[0])]),
    pcOf: (mod, result) => (pcResult ? mod.tuple.extract(result, 1 + returned) : mod.global.get('s.rpc', binaryen.i32)),
    valueOf: (mod, result, k) => (returned > 0 || pcResult ? mod.tuple.extract(result, k) : result),
  };
}
interface GuestFnType {
  params: number;
  /** (sp, returned...[, pc]) */
  results: number;
  /** returns `values` (sp, returned...) and the address to go on at */
  ret(mod: binaryen.Module, values: Ref[], pc: Ref): Ref;
  /** the address to go on at, after a call whose results are `result` */
  pcOf(mod: binaryen.Module, result: Ref): Ref;
  /** value k of (sp, returned...) of a call's results */
  valueOf(mod: binaryen.Module, result: Ref, k: number): Ref;
}
/** the address a guest function hands back to go on at, in modules for aot (see guestFnType) */
const RETURN_PC: SlotDecl = { name: 'rpc', ty: 'i32' };
const ADDR_FN = binaryen.createType([binaryen.i32]);
const MAX_SWITCH = 4096;

/** the largest k such that every offset is a multiple of 2^k (0 for a single offset of 0) */
function strideShift(offsets: number[]): number {
  const all = offsets.reduce((x, y) => x | y, 0);
  return all ? 31 - Math.clz32(all & -all) : 0;
}

export function fnName(entry: number): string {
  return `f${entry.toString(16)}`;
}

export function buildModule(input: ModuleInput): Uint8Array {
  const mod = new binaryen.Module();
  try {
    mod.setFeatures(input.flavour === 'engine' ? FEATURES | binaryen.Features.RelaxedSIMD : FEATURES);
    return build(mod, input);
  } finally {
    mod.dispose();
  }
}

function build(mod: binaryen.Module, input: ModuleInput): Uint8Array {
  const slots = new Map<string, Ty>();
  for (const s of [...input.slots, ...HELPER_GLOBALS, ...(input.flavour === 'aot' ? [RETURN_PC] : [])]) {
    slots.set(s.name, s.ty);
    mod.addGlobal(`s.${s.name}`, wasmType(s.ty), true, zero(mod, s.ty));
    mod.addGlobalExport(`s.${s.name}`, `s.${s.name}`);
  }
  const fns = new Map<string, FnInfo>();
  for (const imp of input.imports) addVkernelImport(mod, fns, imp);
  addArithmeticHelpers(mod, fns);
  addFusedMultiplyAdd(mod, fns, input.flavour);

  const pages = Math.max(1, Math.ceil(input.memoryBytes / 65536));
  mod.setMemory(
    pages,
    65536,
    'memory',
    input.segments.map((s) => ({ offset: mod.i32.const(s.addr), data: s.bytes, passive: false })),
  );

  for (const n of [input.stackPointer, ...input.passed, ...input.returned]) if (slots.get(n) !== 'i64') throw new Error(`wasm back end: slot ${n} goes in a call's parameters and must be an i64`);
  const entries = new Set(input.functions.map((f) => f.entry));
  const GuestFn = guestFnType(input.passed.length, input.returned.length, input.flavour === 'engine');
  const jump = jumpsFor(mod, input.flavour, GuestFn);
  // the table `fns`: the function that starts at pc at pc - codeBase
  const size = input.codeEnd - input.codeBase;
  mod.addTable('fns', size, size);
  /** the index in `fns` of guest address pc (an i32 expression) */
  const tableIndex = (pc: Ref) => mod.i32.sub(pc, mod.i32.const(input.codeBase));
  const viaTable = (pc: () => Ref, args: Ref[]): Ref =>
    mod.block(null, [mod.global.set('s.dpc', pc()), mod.call_indirect('fns', tableIndex(pc()), [pc(), ...args], GuestFn.params, GuestFn.results)], GuestFn.results);
  const ctx: FnContext = { mod, slots, fns, entries, sp: input.stackPointer, passed: input.passed, returned: input.returned, preserved: new Set(input.preserved), clobbered: new Set(input.clobbered), returnAddress: input.returnAddress, type: GuestFn, callPushes: input.callPushes, space: input.addressSpace, reentering: input.flavour === 'engine', jump, viaTable };
  for (const f of input.functions) addFunction(ctx, f);
  for (const f of input.functions) mod.addActiveElementSegment('fns', `e${f.entry.toString(16)}`, [fnName(f.entry)], mod.i32.const(f.entry - input.codeBase));

  // dispatch(pc): the function that starts at pc, through the table
  const pc = () => mod.local.get(0, binaryen.i32);
  const sp = () => mod.local.get(1, binaryen.i64);
  /** a guest function's parameters after pc, passed on as they came */
  const rest = () => [sp(), ...input.passed.map((_, k) => mod.local.get(2 + k, binaryen.i64))];
  mod.addFunction(
    'dispatch',
    GuestFn.params,
    GuestFn.results,
    [],
    mod.block(null, [
      mod.global.set('s.dpc', pc()),
      jump.indirect(tableIndex(pc()), [pc(), ...rest()]),
    ]),
  );
  // jumpOut(pc): an indirect jump leaving its function: a tail call when a function starts at
  // pc, else pc goes back up to the callers (a longjmp or unwinder target; see FunctionIR.resumable)
  const idx = () => tableIndex(pc());
  // pc goes up; the arguments to their globals first (the frames above write back only what they changed)
  const up = () =>
    mod.block(null, [
      ...input.passed.map((n, k) => mod.global.set(`s.${n}`, mod.local.get(2 + k, binaryen.i64))),
      GuestFn.ret(mod, [sp(), ...input.returned.map((n) => mod.global.get(`s.${n}`, binaryen.i64))], pc()),
    ]);
  mod.addFunction(
    'jumpOut',
    GuestFn.params,
    GuestFn.results,
    [],
    mod.block(null, [
      mod.if(mod.i32.ge_u(idx(), mod.i32.const(size)), up()),
      mod.if(mod.ref.is_null(mod.table.get('fns', idx(), binaryen.funcref)), up()),
      mod.global.set('s.dpc', pc()),
      jump.indirect(idx(), [pc(), ...rest()]),
    ], GuestFn.results),
  );
  // enter(pc): guest code from pc with the state in the globals, until an address comes up
  // to go on at; the results go back to their globals (the vkernel reads the state)
  const next = () => mod.local.get(1, GuestFn.results);
  const global = (n: string) => mod.global.get(`s.${n}`, binaryen.i64);
  mod.addFunction(
    'enter',
    ADDR_FN,
    binaryen.i32,
    [GuestFn.results],
    mod.block(null, [
      mod.local.set(1, mod.call('dispatch', [pc(), global(input.stackPointer), ...input.passed.map(global)], GuestFn.results)),
      ...[input.stackPointer, ...input.returned].map((n, k) => mod.global.set(`s.${n}`, GuestFn.valueOf(mod, next(), k))),
      GuestFn.pcOf(mod, next()),
    ], binaryen.i32),
  );
  // run(pc): enters guest code until the guest exits
  mod.addFunction('run', ADDR_FN, binaryen.none, [], mod.loop('top', mod.block(null, [mod.local.set(0, mod.call('enter', [pc()], binaryen.i32)), mod.br('top')])));
  mod.addFunctionExport('run', 'run');
  mod.addFunctionExport('enter', 'enter');
  mod.addTableExport('fns', 'fns');
  // vsave(addr)/vload(addr): the vector slots to and from memory (JS cannot read v128 globals)
  const vslots = input.slots.filter((s) => s.ty === 'v128');
  const at = (k: number) => mod.i32.add(mod.local.get(0, binaryen.i32), mod.i32.const(k * 16));
  mod.addFunction('vsave', ADDR_FN, binaryen.none, [], mod.block(null, vslots.map((s, k) => mod.v128.store(0, 1, at(k), mod.global.get(`s.${s.name}`, binaryen.v128)))));
  mod.addFunction('vload', ADDR_FN, binaryen.none, [], mod.block(null, vslots.map((s, k) => mod.global.set(`s.${s.name}`, mod.v128.load(0, 1, at(k))))));
  mod.addFunctionExport('vsave', 'vsave');
  mod.addFunctionExport('vload', 'vload');
  for (const [name, json] of input.sections) mod.addCustomSection(name, new TextEncoder().encode(JSON.stringify(json)));

  if (!mod.validate()) throw new Error('wasm back end: the generated module does not validate (a translator bug)');
  // Hot code runs in V8's optimising tier, which does most of what binaryen's full pipeline
  // would (measured: the corpus benchmarks run no faster after it, and it costs five times
  // the translation). What pays is folding the lifter's temps back into expressions (-O1)
  // and packing locals (-O2, the default); -O3 runs binaryen's full pipeline.
  if (input.optimize === 1) mod.runPasses(['simplify-locals-notee-nostructure', 'vacuum']);
  else if (input.optimize === 2) mod.runPasses(['simplify-locals-notee-nostructure', 'vacuum', 'reorder-locals', 'coalesce-locals', 'vacuum']);
  else if (input.optimize >= 3) {
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(0);
    mod.optimize();
  }
  // the name section (function names f<entry>): reports map wasm functions to guest code
  // with it, and traps and profiles name guest functions; the code is the same without it
  const debug = binaryen.getDebugInfo();
  binaryen.setDebugInfo(true);
  try {
    return mod.emitBinary();
  } finally {
    binaryen.setDebugInfo(debug);
  }
}

function zero(mod: binaryen.Module, t: Ty): Ref {
  switch (t) {
    case 'i32': return mod.i32.const(0);
    case 'i64': return mod.i64.const(0n);
    case 'f32': return mod.f32.const(0);
    case 'f64': return mod.f64.const(0);
    case 'v128': return mod.v128.const(new Uint8Array(16));
  }
}

interface FnContext {
  mod: binaryen.Module;
  slots: Map<string, Ty>;
  fns: Map<string, FnInfo>;
  entries: Set<number>;
  sp: string;
  passed: string[];
  returned: string[];
  preserved: Set<string>;
  clobbered: Set<string>;
  returnAddress?: string;
  type: GuestFnType;
  callPushes: number;
  space: AddressSpace;
  /** loop heads count passes and re-enter the function (engine flavour) */
  reentering: boolean;
  jump: Jumps;
  /**
   * a call of the guest function at pc (`pc()` gives a fresh copy of the i32 expression)
   * through the table, with pc in s.dpc to name it should the call trap: what `dispatch`
   * does, written at the call site (as a function of its own, wasm2c made every indirect
   * guest call two calls: 6% of qsort's blob instructions went)
   */
  viaTable(pc: () => Ref, args: Ref[]): Ref;
}

/** how control leaves a guest function for another one (a guest jump, not a call) */
interface Jumps {
  direct(name: string, args: Ref[]): Ref;
  /** through the table `fns` */
  indirect(index: Ref, args: Ref[]): Ref;
}

/**
 * Engines get tail calls: a chain of guest jumps runs in constant stack. wasm2c compiles a
 * tail call into a trampoline that passes arguments and results through memory (14 ns a step
 * against 4 for an indirect call, measured), and once a function can be tail-called every
 * indirect call to it goes through that trampoline; so the aot flavour calls and returns,
 * and a chain of jumps takes native stack until it returns (the blob runs guest code on a
 * large stack; see tools/aot/host/main.c).
 */
function jumpsFor(mod: binaryen.Module, flavour: Flavour, type: GuestFnType): Jumps {
  if (flavour === 'engine') {
    return {
      direct: (name, args) => mod.return_call(name, args, type.results),
      indirect: (index, args) => mod.return_call_indirect('fns', index, args, type.params, type.results),
    };
  }
  return {
    direct: (name, args) => mod.return(mod.call(name, args, type.results)),
    indirect: (index, args) => mod.return(mod.call_indirect('fns', index, args, type.params, type.results)),
  };
}

/** passes through loop heads between two re-entries (see addFunction): rare enough to cost nothing */
const REENTRY_PERIOD = 1 << 16;

function addFunction(ctx: FnContext, f: FunctionIR): void {
  const { mod } = ctx;
  const blocks = new Map<number, BlockIR>(f.blocks.map((b) => [b.start, b]));
  const GuestFn = ctx.type;
  // locals: the parameters (pc, sp, passed), the temps, then these
  const tempBase = 2 + ctx.passed.length;
  const rLocal = tempBase + f.temps.length;
  const labelLocal = rLocal + 1;
  const spLocal = labelLocal + 1;
  const resultLocal = spLocal + 1;
  // guest state slots live in locals inside the function (see Emitter); those that come in
  // as parameters always
  const params = [ctx.sp, ...ctx.passed];
  const results = [ctx.sp, ...ctx.returned];
  const used = slotsUsed(f);
  for (const n of [...params, ...results]) used.add(n);
  const cached = new Map<string, number>();
  const cacheTypes: number[] = [];
  for (const name of [...used].filter((n) => !UNCACHED.has(n)).sort()) {
    cached.set(name, resultLocal + 1 + cacheTypes.length);
    cacheTypes.push(wasmType(ctx.slots.get(name)!));
  }
  const scratch = resultLocal + 1 + cacheTypes.length;
  const tierLocal = scratch + 1;
  // the return address at entry (with ctx.returnAddress), set when a return compares with it;
  // the stack pointer at entry is parameter 1, which nothing writes
  const entryRaLocal = tierLocal + 1;
  let readsEntryRa = false;
  const spType = binaryen.i64;
  /** slot n (an i64) where `loaded` are the loaded slots (when not loaded, its global holds it) */
  const valueNow = (n: string, loaded: Set<string>) => (loaded.has(n) ? mod.local.get(cached.get(n)!, binaryen.i64) : mod.global.get(`s.${n}`, binaryen.i64));
  const spNow = (loaded: Set<string>) => valueNow(ctx.sp, loaded);
  /** the parameters after pc of a call or tail call made where `loaded` are loaded */
  const passOn = (loaded: Set<string>) => params.map((n) => valueNow(n, loaded));
  /** the return of `pc`, with the results as the emitter has them */
  const retWith = (pc: Ref, loaded: Set<string>) => GuestFn.ret(mod, results.map((n) => valueNow(n, loaded)), pc);
  const em = new Emitter(mod, tempBase, ctx.slots, ctx.fns, cached, scratch, ctx.space, retWith);
  /** the state at entry: the parameters are loaded, their globals stale */
  const atEntry = new Set(params);
  /** the state after a call: the results are loaded (they came back), their globals stale; at its return address more (keptBy) */
  const carried = new Set(results);
  /** the loaded slots after a call that returned to its return address, where `loaded` were loaded when it was made (see ModuleInput.preserved) */
  const keptBy = (loaded: Set<string>) => new Set([...carried, ...[...loaded].filter((n) => ctx.preserved.has(n))]);
  /**
   * The dirty slots a call keeps in their locals instead of writing them back: the preserved
   * ones, in a function no non-local return comes back to. The callee saves and restores
   * them itself (from their stale globals, which it gives back as it found them), and after
   * its normal return they are still dirty in their locals (keptBy). Where a landing pad or
   * a setjmp return may come back, the jump restores them from what the callees saved, so
   * there they are written back as before. (A non-local jump through this frame discards
   * it: what it leaves in its locals is not wanted above.)
   */
  const heldAcross = (dirty: Set<string>) => (f.resumable.length ? new Set<string>() : new Set([...dirty].filter((n) => ctx.preserved.has(n))));
  const stateIn = stateAtEntry(f, blocks, em, atEntry, carried, keptBy, heldAcross);
  const allCached = new Set(cached.keys());
  /** the dirty slots but the results: what a return writes back */
  const toSpill = (dirty: Set<string>) => new Set([...dirty].filter((n) => !carried.has(n)));
  /** the dirty slots but the parameters: what a call or tail call writes back (the callee gets the others) */
  const toSpillForCall = (dirty: Set<string>) => new Set([...dirty].filter((n) => !atEntry.has(n)));
  /** what a call that may come back writes back: as a tail call, less the callee-saved slots it holds across */
  const toSpillBeforeCall = (dirty: Set<string>) => {
    const held = heldAcross(dirty);
    return new Set([...toSpillForCall(dirty)].filter((n) => !held.has(n)));
  };
  /** the loaded slots where each block ends (the results after a call) */
  const loadedOut = new Map<number, Set<string>>();
  /** code on the edge into block `to` from where `have` are loaded: loads of what `to` expects loaded */
  const edgeLoads = (have: Set<string>, to: number): Ref[] => em.loadMissing(have, stateIn.get(to)?.loaded ?? allCached);
  const edge = (have: Set<string>, to: number): Ref => {
    const loads = edgeLoads(have, to);
    return loads.length ? mod.block(null, loads, binaryen.none) : 0;
  };
  const from = (b: number, to: number): Ref => edge(loadedOut.get(b)!, to);
  const resumable = f.resumable.length > 0;
  const rl = new binaryen.Relooper(mod);
  const ref = new Map<number, number>();
  const i32c = (n: number) => mod.i32.const(n | 0);
  const r = () => mod.local.get(rLocal, binaryen.i32);
  /** the stack pointer, where `loaded` are loaded, is back at `before` less what a call pushed: a return to the frame that was at `before` */
  const spBackAt = (loaded: Set<string>, before: Ref) => mod.i64.eq(spNow(loaded), mod.i64.add(before, mod.i64.const(BigInt(ctx.callPushes))));

  /** control leaves this function for guest address `pc` (an i32 expression), with `dirty` slots to write back and `loaded` ones */
  const leave = (dirty: Set<string>, loaded: Set<string>, pc: Ref, known?: number): Ref =>
    mod.block(
      null,
      [
        ...em.spill(toSpillForCall(dirty)),
        known !== undefined && ctx.entries.has(known)
          ? ctx.jump.direct(fnName(known), [i32c(known), ...passOn(loaded)])
          : ctx.jump.direct('jumpOut', [pc, ...passOn(loaded)]),
      ],
      binaryen.none,
    );
  /** a guest return to `pc`: writes back what changed, but on a normal return the clobbered slots (see ModuleInput.clobbered) */
  const ret = (dirty: Set<string>, loaded: Set<string>, pc: Ref): Ref => {
    const all = toSpill(dirty);
    // not the parameters: they are dirty from the entry on whether or not the function wrote
    // them, and a caller compiled with gcc's -fipa-ra reads a register after the call when it
    // knows the callee leaves it alone (_Unwind_RaiseException reads rsi after calling the
    // empty _Unwind_DebugHook)
    const kept = new Set([...all].filter((n) => !ctx.clobbered.has(n) || atEntry.has(n)));
    if (kept.size === all.size) return mod.block(null, [...em.spill(all), retWith(pc, loaded)], binaryen.none);
    const sameFrame = spBackAt(loaded, mod.local.get(1, spType));
    if (ctx.returnAddress) readsEntryRa = true;
    const normal = ctx.returnAddress ? mod.i32.and(sameFrame, mod.i32.eq(r(), mod.local.get(entryRaLocal, binaryen.i32))) : sameFrame;
    return mod.block(
      null,
      [mod.local.set(rLocal, pc), mod.if(normal, mod.block(null, [...em.spill(kept), retWith(r(), loaded)])), ...em.spill(all), retWith(r(), loaded)],
      binaryen.none,
    );
  };
  const exitBlock = (code: Ref) => rl.addBlock(code);
  // a callee handed back another address than its return address: resume here or pass it up
  let resume: number | undefined;
  const resumeBlock = (): number => {
    if (resume !== undefined) return resume;
    // the callee wrote back everything but the results it returned
    if (!resumable) return (resume = exitBlock(ret(new Set(), carried, r())));
    resume = rl.addBlock(mod.nop());
    // the stack pointer is back where it was before the call pushed its return address
    const sameFrame = () => spBackAt(carried, mod.local.get(spLocal, spType));
    for (const a of [...new Set(f.resumable)].sort((x, y) => x - y)) {
      if (blocks.has(a)) rl.addBranch(resume, ref.get(a)!, mod.i32.and(mod.i32.eq(r(), i32c(a)), sameFrame()), edge(carried, a));
    }
    rl.addBranch(resume, exitBlock(ret(new Set(), carried, r())), 0, 0);
    return resume;
  };

  // V8 runs a function in its baseline tier until it is called again after its optimised
  // code is ready (wasm has no on-stack replacement), so a long loop in a function entered
  // once (a guest main) would stay slow. So each loop head counts its passes, and once
  // REENTRY_PERIOD have gone by, the next outermost loop head reached tail-calls the function
  // itself, to be entered at that head, and so picks up the optimised code. (Only outermost
  // heads: an entry into an inner loop would make the control flow irreducible, and the
  // relooper would dispatch on a label inside the loops.)
  const heads = loopHeads(f, blocks);
  const { reentering } = ctx;
  const count = () => mod.i32.sub(mod.local.get(tierLocal, binaryen.i32), i32c(1));
  const reentry = (head: number, dirty: Set<string>, loaded: Set<string>): Ref =>
    heads.outer.has(head)
      ? mod.if(
          mod.i32.le_s(mod.local.tee(tierLocal, count(), binaryen.i32), i32c(0)),
          mod.block(null, [...em.spill(toSpillForCall(dirty)), ctx.jump.direct(fnName(f.entry), [i32c(head), ...passOn(loaded)])]),
        )
      : mod.local.set(tierLocal, count());

  type Pending = () => void;
  const pending: Pending[] = [];
  /**
   * A block of `code` that ends in the indirect jump of block `fromBlock` to pc (whose known
   * in-function targets are `inside`, sorted), with `dirty` and `loaded` slots there: a switch
   * on pc where the targets are close enough, else a chain of compares; any other pc leaves.
   */
  const jumpOnPc = (code: Ref, fromBlock: number, pc: Expr, inside: number[], dirty: Set<string>, loaded: Set<string>): number => {
    const lo = inside[0];
    const hi = inside[inside.length - 1];
    // targets 2^shift apart (aarch64's all are 4 bytes) index the table by (pc - lo) rotated right
    // by shift: a pc between them rotates its low bits to the top, past the table, to the default
    const shift = strideShift(inside.map((a) => a - lo));
    const away = () => exitBlock(leave(dirty, loaded, em.expr(pc)));
    if ((hi - lo) >>> shift < MAX_SWITCH) {
      const offset = mod.i32.sub(em.expr(pc), i32c(lo));
      const me = rl.addBlockWithSwitch(code, shift ? mod.i32.rotr(offset, i32c(shift)) : offset);
      pending.push(() => {
        for (const a of inside) rl.addBranchForSwitch(me, ref.get(a)!, [(a - lo) >>> shift], from(fromBlock, a));
        rl.addBranchForSwitch(me, away(), [], 0);
      });
      return me;
    }
    const me = rl.addBlock(code);
    pending.push(() => {
      for (const a of inside) rl.addBranch(me, ref.get(a)!, mod.i32.eq(em.expr(pc), i32c(a)), from(fromBlock, a));
      rl.addBranch(me, away(), 0, 0);
    });
    return me;
  };
  for (const b of f.blocks) {
    // a block the dataflow did not reach writes back every cached slot (always correct)
    const { dirty, loaded } = stateIn.get(b.start) ?? { dirty: allCached, loaded: allCached };
    em.enter(dirty, loaded);
    const body = b.stmts.map((s) => em.stmt(s));
    if (reentering && heads.all.has(b.start)) body.unshift(reentry(b.start, dirty, loaded));
    const t: Terminator = b.end;
    // what the terminator reads is loaded at the end of the block
    body.push(...em.loadFor(...terminatorReads(t)));
    const out = em.dirtyNow();
    const outLoaded = em.loadedNow();
    loadedOut.set(b.start, t.k === 'call' || t.k === 'icall' ? carried : outLoaded);
    const seal = (extra: Ref[]) => mod.block(null, [...body, ...extra], binaryen.none);
    switch (t.k) {
      case 'jump': {
        if (blocks.has(t.to)) {
          const me = rl.addBlock(seal([]));
          ref.set(b.start, me);
          pending.push(() => rl.addBranch(me, ref.get(t.to)!, 0, from(b.start, t.to)));
        } else ref.set(b.start, rl.addBlock(seal([leave(out, outLoaded, i32c(t.to), t.to)])));
        break;
      }
      case 'branch': {
        const me = rl.addBlock(seal([]));
        ref.set(b.start, me);
        const target = (to: number) => (blocks.has(to) ? () => ref.get(to)! : () => exitBlock(leave(out, outLoaded, i32c(to), to)));
        const code = (to: number) => (blocks.has(to) ? from(b.start, to) : 0);
        const yes = target(t.to);
        const no = target(t.else);
        pending.push(() => {
          if (t.to === t.else) return rl.addBranch(me, yes(), 0, code(t.to));
          rl.addBranch(me, yes(), em.expr(t.cond), code(t.to));
          rl.addBranch(me, no(), 0, code(t.else));
        });
        break;
      }
      case 'call':
      case 'icall': {
        // a known function directly, any other address through the table (pc in rLocal, set again after the call)
        const known = t.k === 'call' && ctx.entries.has(t.target);
        const pcNow = t.k === 'call' ? () => i32c(t.target) : () => r();
        const pcToLocal = t.k === 'icall' ? [mod.local.set(rLocal, em.expr(t.pc))] : [];
        const call = known ? mod.call(fnName(t.target), [pcNow(), ...passOn(outLoaded)], GuestFn.results) : ctx.viaTable(pcNow, passOn(outLoaded));
        const result = () => mod.local.get(resultLocal, GuestFn.results);
        const set = [
          ...pcToLocal,
          mod.local.set(resultLocal, call),
          mod.local.set(rLocal, GuestFn.pcOf(mod, result())),
          ...results.map((n, k) => mod.local.set(cached.get(n)!, GuestFn.valueOf(mod, result(), k))),
        ];
        const save = resumable ? [mod.local.set(spLocal, spNow(outLoaded))] : [];
        em.forget();
        const me = rl.addBlock(seal([...em.spill(toSpillBeforeCall(out)), ...save, ...set]));
        ref.set(b.start, me);
        pending.push(() => {
          if (blocks.has(t.ret) && !t.noReturn) rl.addBranch(me, ref.get(t.ret)!, mod.i32.eq(r(), i32c(t.ret)), edge(keptBy(outLoaded), t.ret));
          rl.addBranch(me, resumeBlock(), 0, 0);
        });
        break;
      }
      case 'ret':
        ref.set(b.start, rl.addBlock(seal([ret(out, outLoaded, em.expr(t.pc))])));
        break;
      case 'ijump': {
        const inside = [...new Set(t.targets)].filter((a) => blocks.has(a)).sort((x, y) => x - y);
        if (!inside.length) {
          ref.set(b.start, rl.addBlock(seal([leave(out, outLoaded, em.expr(t.pc))])));
          break;
        }
        const table = t.table && t.table.entries.length < MAX_SWITCH && t.table.entries.some((a) => blocks.has(a)) ? t.table : undefined;
        if (!table) {
          ref.set(b.start, jumpOnPc(seal([]), b.start, t.pc, inside, out, outLoaded));
          break;
        }
        // a jump table: switch on its index, then check pc against the entry (a branch the CPU
        // predicts); a pc that is not the entry's target takes the jump on pc itself
        const me = rl.addBlockWithSwitch(seal([]), em.expr(table.index));
        ref.set(b.start, me);
        const onPc = jumpOnPc(mod.nop(), b.start, t.pc, inside, out, outLoaded);
        pending.push(() => {
          const arms = new Map<number, number[]>();
          table.entries.forEach((a, k) => {
            if (!blocks.has(a)) return;
            if (!arms.has(a)) arms.set(a, []);
            arms.get(a)!.push(k);
          });
          for (const [a, ks] of [...arms].sort((x, y) => x[0] - y[0])) {
            const check = rl.addBlock(mod.nop());
            rl.addBranch(check, ref.get(a)!, mod.i32.eq(em.expr(t.pc), i32c(a)), from(b.start, a));
            rl.addBranch(check, onPc, 0, 0);
            rl.addBranchForSwitch(me, check, ks, 0);
          }
          rl.addBranchForSwitch(me, onPc, [], 0);
        });
        break;
      }
      case 'fault':
        ref.set(b.start, rl.addBlock(seal([...em.spill(out), mod.call(ctx.fns.get('fault')!.name, [i32c(t.pc), i32c(t.signal)], binaryen.none), mod.unreachable()])));
        break;
    }
  }
  for (const p of pending) p();
  let entry = ref.get(f.entry);
  if (entry === undefined) throw new Error(`wasm back end: function ${f.name} has no block at its entry`);
  // (a module for aot runs no baseline tier: its functions have no re-entries, nor the entry's dispatch on pc)
  const reentries = reentering ? [...heads.outer].filter((h) => h !== f.entry).sort((x, y) => x - y) : [];
  if (reentries.length) {
    // entered at its start, or at an outermost loop head by its own re-entry
    const start = entry;
    entry = rl.addBlock(mod.nop());
    for (const h of reentries) rl.addBranch(entry, ref.get(h)!, mod.i32.eq(mod.local.get(0, binaryen.i32), i32c(h)), edge(atEntry, h));
    rl.addBranch(entry, start, 0, edge(atEntry, f.entry));
  }
  const prologue = [
    ...params.map((n, k) => mod.local.set(cached.get(n)!, mod.local.get(1 + k, binaryen.i64))),
    ...(readsEntryRa ? [mod.local.set(entryRaLocal, mod.i32.wrap(mod.global.get(`s.${ctx.returnAddress}`, binaryen.i64)))] : []),
    ...(reentering && heads.all.size ? [mod.local.set(tierLocal, i32c(REENTRY_PERIOD))] : []),
  ];
  // entered with the parameters loaded (unless through the re-entry dispatch, whose edges load)
  const startLoads = reentries.length ? [] : edgeLoads(atEntry, f.entry);
  // every path ends in a return or tail call; the relooper's structure does not show it
  const body = mod.block(null, [...prologue, ...startLoads, rl.renderAndDispose(entry, labelLocal), mod.unreachable()], GuestFn.results);
  const locals = [...f.temps.map(wasmType), binaryen.i32, binaryen.i32, spType, GuestFn.results, ...cacheTypes, binaryen.i64, binaryen.i32, binaryen.i32];
  mod.addFunction(fnName(f.entry), GuestFn.params, GuestFn.results, locals, body);
}

/** the dirty slots (written in their locals, not yet in their globals) and the loaded ones (their locals hold their values) */
interface SlotState {
  dirty: Set<string>;
  loaded: Set<string>;
}

/**
 * The slot state where each block starts: a forward dataflow from the entry, where the
 * parameters are loaded (and dirty: their globals are stale); after every call the results
 * (the callee wrote back everything but the results it returned), and at the call's return
 * address also the preserved slots that were loaded when it was made (keptBy), dirty where
 * it held them (heldAcross). A block
 * starts with the slots any predecessor left dirty, and with those any left loaded that it
 * may read (needAtEntry): the edges from predecessors that did not load them load them (see
 * addFunction), so a load moves to the paths that read it, out of loops, and never clobbers
 * a dirty value. Blocks the dataflow does not reach are not in the map.
 */
function stateAtEntry(
  f: FunctionIR,
  blocks: Map<number, BlockIR>,
  em: Emitter,
  atEntry: Set<string>,
  carried: Set<string>,
  keptBy: (loaded: Set<string>) => Set<string>,
  heldAcross: (dirty: Set<string>) => Set<string>,
): Map<number, SlotState> {
  const need = needAtEntry(f, blocks, em);
  const stateIn = new Map<number, SlotState>();
  const work: number[] = [];
  const join = (a: number, out: SlotState) => {
    let cur = stateIn.get(a);
    const fresh = !cur;
    if (!cur) stateIn.set(a, (cur = { dirty: new Set(), loaded: new Set() }));
    const size = cur.dirty.size + cur.loaded.size;
    const wanted = need.get(a)!;
    for (const n of out.dirty) cur.dirty.add(n), cur.loaded.add(n);
    for (const n of out.loaded) if (wanted.has(n)) cur.loaded.add(n);
    if (fresh || cur.dirty.size + cur.loaded.size > size) work.push(a);
  };
  const afterCall = (): SlotState => ({ dirty: new Set(carried), loaded: new Set(carried) });
  if (blocks.has(f.entry)) join(f.entry, { dirty: new Set(atEntry), loaded: new Set(atEntry) });
  while (work.length) {
    const b = blocks.get(work.pop()!)!;
    const out = em.stateAfter(b.stmts, stateIn.get(b.start)!);
    for (const e of terminatorReads(b.end)) em.reads(e, out.loaded);
    const t = b.end;
    if (t.k !== 'call' && t.k !== 'icall') {
      for (const n of successors(f, blocks, b)) join(n, out);
      continue;
    }
    // back at the return address with the preserved slots still loaded (those it held still
    // dirty), or anywhere else with only the results
    const kept = keptBy(out.loaded);
    if (!t.noReturn && blocks.has(t.ret)) join(t.ret, { dirty: new Set([...carried, ...heldAcross(out.dirty)]), loaded: kept });
    for (const n of f.resumable) if (blocks.has(n)) join(n, afterCall());
  }
  return stateIn;
}

/** the cached slots each block may read before writing them or calling (backward dataflow) */
function needAtEntry(f: FunctionIR, blocks: Map<number, BlockIR>, em: Emitter): Map<number, Set<string>> {
  const need = new Map<number, Set<string>>();
  const preds = new Map<number, number[]>();
  for (const b of blocks.values()) {
    need.set(b.start, new Set());
    for (const n of successors(f, blocks, b)) {
      if (!preds.has(n)) preds.set(n, []);
      preds.get(n)!.push(b.start);
    }
  }
  const work = [...blocks.keys()];
  while (work.length) {
    const b = blocks.get(work.pop()!)!;
    const t = b.end;
    const after = new Set<string>();
    for (const e of terminatorReads(t)) em.reads(e, after);
    if (t.k !== 'call' && t.k !== 'icall') for (const n of successors(f, blocks, b)) for (const x of need.get(n)!) after.add(x);
    const before = em.needBefore(b.stmts, after);
    if (before.size > need.get(b.start)!.size) {
      need.set(b.start, before);
      work.push(...(preds.get(b.start) ?? []));
    }
  }
  return need;
}

/** the expressions a terminator evaluates at the end of its block */
function terminatorReads(t: Terminator): Expr[] {
  switch (t.k) {
    case 'branch': return [t.cond];
    case 'icall': case 'ret': return [t.pc];
    case 'ijump': return t.table ? [t.pc, t.table.index] : [t.pc];
    default: return [];
  }
}

/** in-function successors of a block (a call may come back at any resumable block) */
function successors(f: FunctionIR, blocks: Map<number, BlockIR>, b: BlockIR): number[] {
  const t = b.end;
  const all = (() => {
    switch (t.k) {
      case 'jump': return [t.to];
      case 'branch': return [t.to, t.else];
      case 'call': case 'icall': return t.noReturn ? f.resumable : [t.ret, ...f.resumable];
      case 'ijump': return t.targets;
      default: return [];
    }
  })();
  return all.filter((a) => blocks.has(a));
}

interface LoopHeads {
  /** targets of back edges (depth-first from the entry) */
  all: Set<number>;
  /** those in no other loop's body (the blocks that reach its back edges without passing its head) */
  outer: Set<number>;
}

function loopHeads(f: FunctionIR, blocks: Map<number, BlockIR>): LoopHeads {
  const backEdges = new Map<number, number[]>();
  const state = new Map<number, 'open' | 'done'>();
  // iterative: guest functions can be deep enough to overflow a recursive walk
  const stack: { a: number; next: number[] }[] = [];
  const push = (a: number) => {
    state.set(a, 'open');
    stack.push({ a, next: successors(f, blocks, blocks.get(a)!) });
  };
  if (blocks.has(f.entry)) push(f.entry);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const n = top.next.pop();
    if (n === undefined) {
      state.set(top.a, 'done');
      stack.pop();
    } else if (state.get(n) === 'open') {
      if (!backEdges.has(n)) backEdges.set(n, []);
      backEdges.get(n)!.push(top.a);
    } else if (!state.has(n)) push(n);
  }
  const preds = new Map<number, number[]>();
  for (const b of blocks.values()) {
    for (const n of successors(f, blocks, b)) {
      if (!preds.has(n)) preds.set(n, []);
      preds.get(n)!.push(b.start);
    }
  }
  const inner = new Set<number>();
  for (const [head, tails] of backEdges) {
    const body = new Set<number>([head]);
    const work = tails.filter((t) => !body.has(t));
    for (const t of work) body.add(t);
    while (work.length) for (const p of preds.get(work.pop()!) ?? []) if (!body.has(p)) body.add(p), work.push(p);
    for (const other of backEdges.keys()) if (other !== head && body.has(other)) inner.add(other);
  }
  return { all: new Set(backEdges.keys()), outer: new Set([...backEdges.keys()].filter((h) => !inner.has(h))) };
}

/** helper globals that stay globals: the vkernel writes them between reads */
const UNCACHED = new Set(HELPER_GLOBALS.map((g) => g.name));

/** the slots a function reads or writes */
function slotsUsed(f: FunctionIR): Set<string> {
  const used = new Set<string>();
  const expr = (e: Expr): void => {
    switch (e.k) {
      case 'slot': used.add(e.name); break;
      case 'load': expr(e.addr); break;
      case 'op': case 'call': e.args.forEach(expr); break;
      case 'select': expr(e.cond); expr(e.then); expr(e.else); break;
    }
  };
  const stmt = (s: Stmt): void => {
    switch (s.k) {
      case 'set': expr(s.e); break;
      case 'setSlot': used.add(s.name); expr(s.e); break;
      case 'store': expr(s.addr); expr(s.e); break;
      case 'do': s.args.forEach(expr); break;
      case 'copy': expr(s.dst); expr(s.src); expr(s.n); break;
      case 'fill': expr(s.dst); expr(s.byte); expr(s.n); break;
      case 'leave': expr(s.pc); break;
      case 'if': expr(s.cond); s.then.forEach(stmt); s.else?.forEach(stmt); break;
    }
  };
  for (const b of f.blocks) {
    b.stmts.forEach(stmt);
    terminatorReads(b.end).forEach(expr);
  }
  return used;
}

/**
 * Helpers for what wasm lacks: the high half of a 64x64 multiply and 128-by-64 division
 * (x86 mul/div, aarch64 umulh/smulh). Division takes the wasm fast path when the dividend
 * fits 64 bits, and asks the vkernel (BigInt) otherwise.
 */
function addArithmeticHelpers(mod: binaryen.Module, fns: Map<string, FnInfo>): void {
  const I64 = binaryen.i64;
  const g = (n: number) => mod.local.get(n, I64);
  const c = (n: number | bigint) => {
    return mod.i64.const(BigInt.asIntN(64, BigInt(n)));
  };
  const lo32 = (e: Ref) => mod.i64.and(e, c(0xffffffff));
  const hi32 = (e: Ref) => mod.i64.shr_u(e, c(32));
  // locals: 0 a, 1 b, 2 t, 3 u, 4 v
  mod.addFunction(
    'mulhu64',
    binaryen.createType([I64, I64]),
    I64,
    [I64, I64, I64],
    mod.block(null, [
      mod.local.set(2, mod.i64.mul(lo32(g(0)), lo32(g(1)))),
      mod.local.set(3, mod.i64.add(mod.i64.mul(hi32(g(0)), lo32(g(1))), hi32(g(2)))),
      mod.local.set(4, mod.i64.add(mod.i64.mul(lo32(g(0)), hi32(g(1))), lo32(g(3)))),
      mod.return(mod.i64.add(mod.i64.add(mod.i64.mul(hi32(g(0)), hi32(g(1))), hi32(g(3))), hi32(g(4)))),
    ], I64),
  );
  mod.addFunction(
    'mulhs64',
    binaryen.createType([I64, I64]),
    I64,
    [],
    mod.i64.sub(
      mod.i64.sub(mod.call('mulhu64', [g(0), g(1)], I64), mod.i64.and(mod.i64.shr_s(g(0), c(63)), g(1))),
      mod.i64.and(mod.i64.shr_s(g(1), c(63)), g(0)),
    ),
  );
  fns.set('mulhu64', { name: 'mulhu64', result: 'i64', touchesState: false });
  fns.set('mulhs64', { name: 'mulhs64', result: 'i64', touchesState: false });
  // divu128(hi, lo, d, pc) / divs128: quotient; the remainder goes to s.rem128
  const div = fns.get('div128');
  const raise = fns.get('raise');
  if (!div || !raise) return;
  const params = binaryen.createType([I64, I64, I64, binaryen.i32]);
  const pc = mod.local.get(3, binaryen.i32);
  for (const signed of [false, true]) {
    const fits = signed ? mod.i64.eq(g(0), mod.i64.shr_s(g(1), c(63))) : mod.i64.eqz(g(0));
    const body: Ref[] = [];
    if (signed) {
      // INT64_MIN / -1 overflows
      body.push(
        mod.if(
          mod.i32.and(mod.i64.eq(g(2), c(-1)), mod.i32.and(fits, mod.i64.eq(g(1), c(1n << 63n)))),
          mod.block(null, [mod.call(raise.name, [mod.i32.const(8), pc], binaryen.none), mod.unreachable()]),
        ),
      );
    }
    body.push(
      mod.if(
        signed ? mod.i64.eq(g(0), mod.i64.shr_s(g(1), c(63))) : mod.i64.eqz(g(0)),
        mod.block(null, [
          mod.global.set('s.rem128', signed ? mod.i64.rem_s(g(1), g(2)) : mod.i64.rem_u(g(1), g(2))),
          mod.return(signed ? mod.i64.div_s(g(1), g(2)) : mod.i64.div_u(g(1), g(2))),
        ]),
      ),
      mod.return(mod.call(div.name, [g(0), g(1), g(2), mod.i32.const(signed ? 1 : 0), pc], I64)),
    );
    const name = signed ? 'divs128' : 'divu128';
    mod.addFunction(name, params, I64, [], mod.block(null, body, I64));
    fns.set(name, { name, result: 'i64', touchesState: false });
  }
}

/**
 * Fused multiply-add, exactly rounded (aarch64 fmadd and kin; wasm has no deterministic
 * one). fma64: the product split exactly into p + e (Dekker), p + c into s + t (Knuth's
 * two-sum), then s + RO(t + e), the inner sum rounded to odd, which makes the outer
 * rounding the correct one (Boldo and Melquiond). fma32: the product is exact in double;
 * the double sum rounded to odd, then to single. Infinities, NaNs, zero products and
 * operands near the ends of the exponent range take the unfused a * b + c (exact for the
 * first three; the last is rounded twice, a documented limit).
 *
 * Fast path: relaxed SIMD's madd is fused or not at the engine's choice (V8 fuses where the
 * host has FMA: x86_64 with FMA3, every aarch64). The module cannot know which, so the vkernel
 * asks: it calls the exported fmaProbe64/fmaProbe32 on operands whose fused and unfused
 * results differ, and sets the `s.fused` global when both came out fused. Each call site
 * then takes the single instruction; otherwise (or under a runtime that never probes) it
 * calls the exact emulation above. Either way the guest sees the same bits.
 *
 * A module for aot calls imports instead (vkernel.fma64, vkernel.fma32), which a blob's host
 * implements with C's fma: one instruction where its CPU has it, else the C library's exact
 * emulation, with no limit at the ends of the exponent range (the emulation here took 69% of
 * the time of the aarch64 nbody blob on x86_64). The module exports its own as fmaExact64 and
 * fmaExact32 for recomp run's vkernel (a profiling run), which has no fma of its own.
 */
function addFusedMultiplyAdd(mod: binaryen.Module, fns: Map<string, FnInfo>, flavour: Flavour): void {
  const F = binaryen.f64;
  const f = binaryen.f32;
  const g = (n: number) => mod.local.get(n, F);
  const set = (n: number, e: Ref) => mod.local.set(n, e);
  const c = (v: number) => mod.f64.const(v);
  const add = (a: Ref, b: Ref) => mod.f64.add(a, b);
  const sub = (a: Ref, b: Ref) => mod.f64.sub(a, b);
  const mul = (a: Ref, b: Ref) => mod.f64.mul(a, b);
  const bits = (e: Ref) => mod.i64.reinterpret(e);
  // binaryen.js has no builder for the relaxed ternaries; its C API (exported, untyped) does
  const ternary = (binaryen as unknown as { _BinaryenSIMDTernary(m: number, op: number, a: Ref, b: Ref, c: Ref): Ref })._BinaryenSIMDTernary;
  const relaxed64 = (a: Ref, b: Ref, cc: Ref): Ref =>
    mod.f64x2.extract_lane(ternary(mod.ptr, binaryen.RelaxedMaddVecF64x2, mod.f64x2.splat(a), mod.f64x2.splat(b), mod.f64x2.splat(cc)), 0);
  const relaxed32 = (a: Ref, b: Ref, cc: Ref): Ref =>
    mod.f32x4.extract_lane(ternary(mod.ptr, binaryen.RelaxedMaddVecF32x4, mod.f32x4.splat(a), mod.f32x4.splat(b), mod.f32x4.splat(cc)), 0);
  /** local x rounded to odd given its rounding error (local err): when inexact and even, one step toward err (fresh nodes: binaryen trees share none) */
  const toOdd = (x: number, err: number): Ref =>
    mod.if(
      mod.i32.and(mod.f64.ne(g(err), c(0)), mod.i64.eqz(mod.i64.and(bits(g(x)), mod.i64.const(1n)))),
      mod.f64.reinterpret(
        mod.i64.add(
          bits(g(x)),
          // toward err: +1 when err has x's sign (away from zero), else -1
          mod.select(mod.i32.eq(mod.i64.lt_s(bits(g(x)), mod.i64.const(0n)), mod.i64.lt_s(bits(g(err)), mod.i64.const(0n))), mod.i64.const(1n), mod.i64.const(-1n)),
        ),
      ),
      g(x),
    );
  // fma64 locals: 0 a, 1 b, 2 c, 3 p, 4 ah, 5 al, 6 bh, 7 bl, 8 e, 9 s, 10 v, 11 t, 12 u, 13 w
  /** Veltkamp's split of local x into hi + lo, 26 bits each */
  const split = (x: number, hi: number, lo: number, tmp: number): Ref[] => [
    set(tmp, mul(c(134217729), g(x))),
    set(hi, sub(g(tmp), sub(g(tmp), g(x)))),
    set(lo, sub(g(x), g(hi))),
  ];
  const safe = (x: Ref, lim: number) => mod.f64.lt(mod.f64.abs(x), c(lim));
  const fast = mod.i32.and(
    mod.i32.and(safe(g(0), 2 ** 995), safe(g(1), 2 ** 995)),
    mod.i32.and(mod.i32.and(safe(g(3), 2 ** 1000), mod.f64.gt(mod.f64.abs(g(3)), c(2 ** -900))), safe(g(2), 2 ** 1000)),
  );
  mod.addFunction(
    'fma64',
    binaryen.createType([F, F, F]),
    F,
    [F, F, F, F, F, F, F, F, F, F, F],
    mod.block(null, [
      set(3, mul(g(0), g(1))),
      mod.if(mod.i32.eqz(fast), mod.return(add(g(3), g(2)))),
      ...split(0, 4, 5, 12),
      ...split(1, 6, 7, 12),
      // e: the product's rounding error, exactly
      set(8, add(add(add(sub(mul(g(4), g(6)), g(3)), mul(g(4), g(7))), mul(g(5), g(6))), mul(g(5), g(7)))),
      // s + t = p + c exactly
      set(9, add(g(3), g(2))),
      set(10, sub(g(9), g(3))),
      set(11, add(sub(g(3), sub(g(9), g(10))), sub(g(2), g(10)))),
      // w = RO(t + e)
      set(12, add(g(11), g(8))),
      set(10, sub(g(12), g(11))),
      set(13, add(sub(g(11), sub(g(12), g(10))), sub(g(8), g(10)))),
      set(12, toOdd(12, 13)),
      mod.return(add(g(9), g(12))),
    ], F),
  );
  // fma32 locals (double): 0 a, 1 b, 2 c (single), 3 s, 4 v, 5 err, 6 p
  const gf = (n: number) => mod.local.get(n, f);
  mod.addFunction(
    'fma32',
    binaryen.createType([f, f, f]),
    f,
    [F, F, F, F],
    mod.block(null, [
      // p = a * b, exact in double; s + err = p + c exactly (two-sum)
      set(6, mul(mod.f64.promote(gf(0)), mod.f64.promote(gf(1)))),
      set(3, add(g(6), mod.f64.promote(gf(2)))),
      set(4, sub(g(3), g(6))),
      set(5, add(sub(g(6), sub(g(3), g(4))), sub(mod.f64.promote(gf(2)), g(4)))),
      mod.if(
        mod.i32.eqz(mod.i32.and(safe(g(3), 2 ** 1000), mod.f64.gt(mod.f64.abs(g(3)), c(2 ** -900)))),
        mod.return(mod.f32.demote(g(3))),
      ),
      mod.return(mod.f32.demote(toOdd(3, 5))),
    ], f),
  );
  if (flavour === 'aot') {
    for (const [name, ty] of [['fma64', 'f64'], ['fma32', 'f32']] as const) {
      addVkernelImport(mod, fns, { name, params: [ty, ty, ty], result: ty, touchesState: false });
      mod.addFunctionExport(name, name.replace('fma', 'fmaExact'));
    }
    return;
  }
  // at each call site: the relaxed madd when the vkernel found it fused, else the call
  const fused = () => mod.global.get('s.fused', binaryen.i32);
  const args = (arg: (i: number) => Ref): [Ref, Ref, Ref] => [arg(0), arg(1), arg(2)];
  fns.set('fma64', { name: 'fma64', result: 'f64', touchesState: false, inline: (arg) => mod.if(fused(), relaxed64(...args(arg)), mod.call('fma64', args(arg), F)) });
  fns.set('fma32', { name: 'fma32', result: 'f32', touchesState: false, inline: (arg) => mod.if(fused(), relaxed32(...args(arg)), mod.call('fma32', args(arg), f)) });
  // the probes run the relaxed madd on operands the vkernel passes in (constants here could be folded)
  mod.addFunction('fmaProbe64', binaryen.createType([F, F, F]), F, [], relaxed64(g(0), g(1), g(2)));
  mod.addFunction('fmaProbe32', binaryen.createType([f, f, f]), f, [], relaxed32(gf(0), gf(1), gf(2)));
  mod.addFunctionExport('fmaProbe64', 'fmaProbe64');
  mod.addFunctionExport('fmaProbe32', 'fmaProbe32');
}

