// Lowers IR expressions and statements to binaryen expressions inside one wasm function.
import binaryen from 'binaryen';
import type { Expr, Stmt, Ty } from '../ir/index.js';

export type Ref = number;

export function wasmType(t: Ty): number {
  switch (t) {
    case 'i32': return binaryen.i32;
    case 'i64': return binaryen.i64;
    case 'f32': return binaryen.f32;
    case 'f64': return binaryen.f64;
    case 'v128': return binaryen.v128;
  }
}

const LOADS: Record<string, Record<number, [string, string?]>> = {
  i64: { 1: ['load8_u', 'load8_s'], 2: ['load16_u', 'load16_s'], 4: ['load32_u', 'load32_s'], 8: ['load', 'load'] },
  i32: { 1: ['load8_u', 'load8_s'], 2: ['load16_u', 'load16_s'], 4: ['load', 'load'] },
};

/** the unmapped low pages: a null pointer dereference faults as on Linux */
export const GUARD = 0x10000;

/**
 * The guest addresses a checked access may touch: from `low`, the first page of the image
 * (at least GUARD: the vkernel maps nothing below the image), up to `limit`, the top of the
 * guest address space.
 */
export interface AddressSpace {
  low: number;
  limit: number;
  /**
   * The host faults every access outside the guest's memory itself (the AOT host protects
   * the pages below the image and reserves 8 GiB from the memory's base): a check then compares
   * against `limit` alone, and a checked base covers the displacements near it (see accessAddr)
   */
  hostFaults: boolean;
}

/** a helper or import, and whether calling it reads or writes guest state slots */
export interface FnInfo {
  name: string;
  result: Ty | 'none';
  /** true: the cached slots must be in their globals before the call and are read from them again after */
  touchesState: boolean;
  /** true: the call never returns (it ends the guest): the engine need keep nothing live across it */
  noReturn?: boolean;
  /** code emitted at the call site instead of the plain call (a fast path that falls back to it); `arg(i)` gives a fresh copy of argument i */
  inline?: (arg: (i: number) => Ref) => Ref;
}

/** binaryen builder methods by dotted path ('i64.add', 'f64.convert_s.i64'), looked up once */
const builders = new WeakMap<binaryen.Module, Map<string, (...a: unknown[]) => Ref>>();

export class Emitter {
  constructor(
    readonly mod: binaryen.Module,
    /** temp id → local index */
    private tempBase: number,
    /** slot name → global name and type */
    private slots: Map<string, Ty>,
    /** helper or import name → wasm function name and result type */
    private fns: Map<string, FnInfo>,
    /**
     * Slots this function keeps in locals (slot → local index): loaded at entry, written
     * back before anything that leaves the function or lets other code see the state.
     */
    private cached: Map<string, number>,
    /** an i64 local for checked addresses, and the guest address space they are checked against */
    private scratch: number,
    space: AddressSpace,
    /** the return of guest address `pc` from the function, where `loaded` are the loaded slots (a `leave`) */
    private exit: (pc: Ref, loaded: Set<string>) => Ref,
  ) {
    // the bottom a check compares against; how far below and above a checked address another
    // displacement of its base stays safe (see checked): down to the null page's guard; where
    // the host faults, down to GUARD below it, where an address wraps past 0 to a wasm
    // address above 2^32 - GUARD, which the host never maps
    const checkedLow = space.hostFaults ? 0 : space.low;
    this.space = { ...space, checkedLow, below: BigInt(space.hostFaults ? GUARD : Math.max(0, checkedLow - GUARD)), above: 2n ** 32n - BigInt(space.limit) };
  }
  private space: AddressSpace & { checkedLow: number; below: bigint; above: bigint };

  /**
   * The cached slots written since they were last loaded from or stored to their globals,
   * at the current point of emission: only these need writing back (a call in a loop then
   * stores only what the loop changed, not every register the function ever writes).
   */
  private dirty = new Set<string>();
  /**
   * The cached slots whose locals hold their values at the current point of emission. A
   * slot is loaded from its global where it is first read, not at the function's entry:
   * a short path through a big function (free's fast path through _int_free) then loads
   * the few registers it uses, and the engine keeps fewer values live across the function.
   * Always a superset of `dirty`.
   */
  private loaded = new Set<string>();

  /**
   * Checked guest addresses of the block so far, by their variable part (temps never change
   * once set): the smallest and largest displacements checked. Once base + d1 passed the
   * check (it lies in [low, limit)), base + d2 for d1 - (low - GUARD) <= d2 < d1 + 2^32 - limit
   * lies in [GUARD, 2^32): it cannot wrap into the guard pages, below `low` nothing is ever
   * mapped (an access there that goes unchecked reads memory the guest cannot own, as any
   * unmapped address above the image does), and at or above the limit, where the wasm memory
   * ends (the vkernel never grows it past GUEST_TOP), the engine's own bounds check traps
   * (SIGSEGV, without the address). So `[rbx+8]` after `[rbx]`, and a push after a push, need
   * no check of their own. Checks made inside a statement count from the next statement on
   * (`pending`), and those inside one arm of an `if` not after it.
   */
  private checked = new Map<string, [bigint, bigint]>();
  private pending: [string, bigint][] = [];
  /**
   * The temps of the block so far that hold another temp plus a constant, as that root temp
   * and the constant (temps never change once set): an access through one of them, such as
   * the pops after a pop (each at the stack pointer the one before left), then addresses the
   * root with the constant as its offset, as if written base + d (see accessAddr).
   */
  private displaced = new Map<number, Displaced>();

  /** starts emitting a block entered with `dirty` and `loaded` slots (see stateAfter) */
  enter(dirty: Set<string>, loaded: Set<string>): void {
    this.dirty = new Set(dirty);
    this.loaded = new Set(loaded);
    this.checked = new Map();
    this.pending = [];
    this.displaced = new Map();
  }
  /** the dirty slots at this point of emission */
  dirtyNow(): Set<string> {
    return new Set(this.dirty);
  }
  /** the loaded slots at this point of emission */
  loadedNow(): Set<string> {
    return new Set(this.loaded);
  }

  /** global.set for the given dirty slots (by default those at this point) */
  spill(dirty: Set<string> = this.dirty): Ref[] {
    const m = this.mod;
    return [...dirty].sort().map((n) => m.global.set(`s.${n}`, m.local.get(this.cached.get(n)!, wasmType(this.slots.get(n)!))));
  }
  /** local.set from its global for each of `names` not loaded yet (none dirty: their globals hold their values) */
  load(names: Iterable<string>): Ref[] {
    const list = [...names];
    const refs = this.loadMissing(this.loaded, list);
    for (const n of list) this.loaded.add(n);
    return refs;
  }
  /** the loads of `want` that `have` lacks, marking nothing (code on a control-flow edge) */
  loadMissing(have: Set<string>, want: Iterable<string>): Ref[] {
    const m = this.mod;
    return [...want]
      .filter((n) => !have.has(n))
      .sort()
      .map((n) => m.local.set(this.cached.get(n)!, m.global.get(`s.${n}`, wasmType(this.slots.get(n)!))));
  }
  /** the loads that let `es` read their cached slots */
  loadFor(...es: Expr[]): Ref[] {
    const reads = new Set<string>();
    for (const e of es) this.reads(e, reads);
    return this.load(reads);
  }
  /** after a call that may change the state: nothing dirty (it was spilled), nothing loaded */
  forget(): void {
    this.dirty.clear();
    this.loaded.clear();
  }
  /** `code` with the state written back before it and forgotten after */
  private around(code: Ref): Ref {
    const before = this.spill();
    this.forget();
    return this.mod.block(null, [...before, code], binaryen.none);
  }

  /** adds the cached slots `e` reads to `out` */
  reads(e: Expr, out: Set<string>): Set<string> {
    switch (e.k) {
      case 'slot': if (this.cached.has(e.name)) out.add(e.name); break;
      case 'load': this.reads(e.addr, out); break;
      case 'op': case 'call': for (const a of e.args) this.reads(a, out); break;
      case 'select': this.reads(e.cond, out); this.reads(e.then, out); this.reads(e.else, out); break;
    }
    return out;
  }
  /** the expressions a statement other than `if` evaluates */
  private operands(s: Exclude<Stmt, { k: 'if' }>): Expr[] {
    switch (s.k) {
      case 'set': case 'setSlot': return [s.e];
      case 'store': return [s.addr, s.e];
      case 'do': return s.args;
      case 'copy': return [s.dst, s.src, s.n];
      case 'fill': return [s.dst, s.byte, s.n];
      case 'leave': return [s.pc];
    }
  }
  /** true when the statement calls something that reads or writes the state */
  private touches(s: Stmt): boolean {
    return (s.k === 'set' && s.e.k === 'call' && this.fn(s.e.fn).touchesState) || (s.k === 'do' && this.fn(s.fn).touchesState);
  }

  /**
   * The dirty and loaded slots after `stmts` when `state` holds before them: the same rules
   * the emission follows (a read loads, a slot write dirties and loads, a call that touches
   * the state writes everything back and forgets it), for the back end's dataflow over blocks.
   */
  stateAfter(stmts: Stmt[], state: { dirty: Set<string>; loaded: Set<string> }): { dirty: Set<string>; loaded: Set<string> } {
    let dirty = new Set(state.dirty);
    let loaded = new Set(state.loaded);
    for (const s of stmts) {
      if (s.k === 'if') {
        this.reads(s.cond, loaded);
        const then = this.stateAfter(s.then, { dirty, loaded });
        const other = s.else ? this.stateAfter(s.else, { dirty, loaded }) : { dirty, loaded };
        dirty = new Set([...then.dirty, ...other.dirty]);
        loaded = new Set([...then.loaded, ...other.loaded]);
        continue;
      }
      for (const e of this.operands(s)) this.reads(e, loaded);
      if (this.touches(s)) {
        dirty = new Set();
        loaded = new Set();
      } else if (s.k === 'setSlot' && this.cached.has(s.name)) {
        dirty.add(s.name);
        loaded.add(s.name);
      }
    }
    return { dirty, loaded };
  }

  /**
   * The cached slots `stmts` may read before writing them (or before a call that touches the
   * state, after which they are read from their globals again), when `after` may be read after
   * them: where a slot must be loaded on entry to a block (backward dataflow over blocks).
   */
  needBefore(stmts: Stmt[], after: Set<string>): Set<string> {
    let need = new Set(after);
    for (let i = stmts.length - 1; i >= 0; i--) {
      const s = stmts[i];
      if (s.k === 'if') {
        need = new Set([...this.needBefore(s.then, need), ...this.needBefore(s.else ?? [], need)]);
        this.reads(s.cond, need);
        continue;
      }
      if (this.touches(s) || s.k === 'leave' || (s.k === 'do' && this.fn(s.fn).noReturn)) need = new Set();
      else if (s.k === 'setSlot') need.delete(s.name);
      for (const e of this.operands(s)) this.reads(e, need);
    }
    return need;
  }

  private builder(path: string): (...a: unknown[]) => Ref {
    let cache = builders.get(this.mod);
    if (!cache) builders.set(this.mod, (cache = new Map()));
    let f = cache.get(path);
    if (f) return f;
    let o: unknown = this.mod;
    const parts = path.split('.');
    let owner: unknown = this.mod;
    for (const p of parts) {
      owner = o;
      o = (o as Record<string, unknown>)[p];
      if (o === undefined) throw new Error(`wasm back end: no operator ${path}`);
    }
    const fn = o as (...a: unknown[]) => Ref;
    f = (...a: unknown[]) => fn.apply(owner, a);
    cache.set(path, f);
    return f;
  }

  expr(e: Expr): Ref {
    const m = this.mod;
    switch (e.k) {
      case 'const':
        if (e.ty === 'i32') return m.i32.const(Number(BigInt.asIntN(32, e.v)));
        return m.i64.const(BigInt.asIntN(64, e.v));
      case 'fconst':
        return e.ty === 'f64' ? m.f64.const(e.v) : m.f32.const(e.v);
      case 'vconst':
        return m.v128.const(e.bytes);
      case 'temp':
        return m.local.get(this.tempBase + e.id, wasmType(e.ty));
      case 'slot': {
        const l = this.cached.get(e.name);
        if (l !== undefined) return m.local.get(l, wasmType(this.slotType(e.name)));
        return m.global.get(`s.${e.name}`, wasmType(this.slotType(e.name)));
      }
      case 'load': {
        const [offset, a] = this.accessAddr(e.addr);
        if (e.ty === 'v128') return m.v128.load(offset, 1, a);
        if (e.ty === 'f64' || e.ty === 'f32') return m[e.ty].load(offset, 1, a);
        const name = LOADS[e.ty][e.size][e.signed ? 1 : 0]!;
        return this.builder(`${e.ty}.${name}`)(offset, 1, a);
      }
      case 'op': {
        if (e.op === 'guest.addr') return this.guestAddr(e.args[0]);
        const args = e.args.map((a) => this.expr(a));
        if (e.lanes) {
          if (e.op === 'i8x16.shuffle') return m.i8x16.shuffle(args[0], args[1], e.lanes);
          return this.builder(e.op)(args[0], e.lanes[0], ...args.slice(1));
        }
        return this.builder(e.op)(...args);
      }
      case 'select':
        return m.select(this.expr(e.cond), this.expr(e.then), this.expr(e.else));
      case 'call': {
        const f = this.fn(e.fn);
        if (f.inline) return f.inline((i) => this.expr(e.args[i]));
        return m.call(f.name, e.args.map((a) => this.expr(a)), wasmType(e.ty));
      }
    }
  }

  /**
   * The wasm address of a load or store and its constant offset, for base + d with
   * 0 <= d < GUARD. A trusted address (the stack pointer plus a displacement, `i32.wrap`)
   * wraps the base alone and gives d as the offset: the stack lies far below 4 GiB, where
   * that is the same address, and the C compiler then folds d into the access instead of
   * computing each slot's address (a pop, a spill). Where the host faults, a checked base + d
   * checks the base alone the same way: base < limit makes the access fall below
   * limit + GUARD, where the host faults whatever is not memory, and one check then serves
   * every field of a structure (`checked`). A base that fails is reported as base + d, the
   * address the guest used (below GUARD if it wrapped: unmapped too).
   */
  private accessAddr(addr: Expr): [number, Ref] {
    if (addr.k === 'op' && (addr.op === 'i32.wrap' || (this.space.hostFaults && addr.op === 'guest.addr'))) {
      const near = nearDisplacement(addr.args[0], this.displaced);
      if (near) return [Number(near.d), addr.op === 'i32.wrap' ? this.mod.i32.wrap(this.expr(near.base)) : this.guestAddr(near.base, near.d)];
    }
    return [0, this.expr(addr)];
  }

  /** a checked guest address: SIGSEGV outside [low, limit), else the i32 wasm address; `reported` is added to the address a SIGSEGV names */
  private guestAddr(a: Expr, reported = 0n): Ref {
    const m = this.mod;
    const space = this.space;
    const at = addressParts(a);
    if (at) {
      const range = this.checked.get(at.key);
      const near = (d1: bigint) => at.disp >= d1 - space.below && at.disp < d1 + space.above;
      if (range && (near(range[0]) || near(range[1]))) return m.i32.wrap(this.expr(a));
      this.pending.push([at.key, at.disp]);
    }
    const s = this.scratch;
    const get = () => m.local.get(s, binaryen.i64);
    return m.block(
      null,
      [
        m.local.set(s, this.expr(a)),
        m.if(
          // (where the host faults, checkedLow is 0 and the C compiler folds the subtraction away: one compare)
          m.i64.ge_u(m.i64.sub(get(), m.i64.const(BigInt(space.checkedLow))), m.i64.const(BigInt(space.limit - space.checkedLow))),
          // segv does not return: saying so frees the engine from keeping every live value
          // across the call (register pressure in hot loops)
          m.block(null, [m.call(this.fn('segv').name, [reported ? m.i64.add(get(), m.i64.const(reported)) : get()], binaryen.none), m.unreachable()]),
        ),
        m.i32.wrap(get()),
      ],
      binaryen.i32,
    );
  }

  private slotType(name: string): Ty {
    const t = this.slots.get(name);
    if (!t) throw new Error(`wasm back end: unknown state slot ${name}`);
    return t;
  }

  private fn(name: string): FnInfo {
    const f = this.fns.get(name);
    if (!f) throw new Error(`wasm back end: unknown helper ${name}`);
    return f;
  }

  stmt(s: Stmt): Ref {
    if (s.k === 'if') return this.ifStmt(s);
    // the slots it reads are loaded first (a read is always a `set`'s whole right side, or an
    // operand evaluated in order; loading before the statement keeps evaluation order moot)
    const pre = this.loadFor(...this.operands(s));
    const code = this.plain(s);
    for (const [key, d] of this.pending) {
      const r = this.checked.get(key);
      this.checked.set(key, r ? [d < r[0] ? d : r[0], d > r[1] ? d : r[1]] : [d, d]);
    }
    this.pending = [];
    return pre.length ? this.mod.block(null, [...pre, code], binaryen.none) : code;
  }

  private plain(s: Exclude<Stmt, { k: 'if' }>): Ref {
    const m = this.mod;
    switch (s.k) {
      case 'set': {
        const at = s.e.ty === 'i64' ? rootAndDisplacement(s.e, this.displaced) : undefined;
        if (at && at.base !== s.e && at.base.k === 'temp') this.displaced.set(s.id, at);
        const set = m.local.set(this.tempBase + s.id, this.expr(s.e));
        return this.touches(s) ? this.around(set) : set;
      }
      case 'setSlot': {
        this.slotType(s.name);
        const l = this.cached.get(s.name);
        if (l === undefined) return m.global.set(`s.${s.name}`, this.expr(s.e));
        const set = m.local.set(l, this.expr(s.e));
        this.dirty.add(s.name);
        this.loaded.add(s.name);
        return set;
      }
      case 'store': {
        const v = this.expr(s.e);
        const [offset, a] = this.accessAddr(s.addr);
        const ty = s.e.ty;
        if (ty === 'v128') return m.v128.store(offset, 1, a, v);
        if (ty === 'f64' || ty === 'f32') return m[ty].store(offset, 1, a, v);
        const name = s.size === 1 ? 'store8' : s.size === 2 ? 'store16' : s.size === 4 && ty === 'i64' ? 'store32' : 'store';
        return this.builder(`${ty}.${name}`)(offset, 1, a, v);
      }
      case 'do': {
        const f = this.fn(s.fn);
        const c = m.call(f.name, s.args.map((a) => this.expr(a)), f.result === 'none' ? binaryen.none : wasmType(f.result));
        const call = f.result === 'none' ? c : m.drop(c);
        if (f.noReturn) return m.block(null, [...(f.touchesState ? this.spill() : []), call, m.unreachable()]);
        return f.touchesState ? this.around(call) : call;
      }
      case 'copy':
        return m.memory.copy(this.expr(s.dst), this.expr(s.src), this.expr(s.n));
      case 'fill':
        return m.memory.fill(this.expr(s.dst), this.expr(s.byte), this.expr(s.n));
      case 'leave':
        return m.block(null, [...this.spill(), this.exit(this.expr(s.pc), this.loaded)], binaryen.none);
    }
  }

  /** after an `if`, the dirty slots are those of either arm, and each arm loads what the other did */
  private ifStmt(s: Extract<Stmt, { k: 'if' }>): Ref {
    const m = this.mod;
    const pre = this.loadFor(s.cond);
    const cond = this.expr(s.cond);
    const dirty = this.dirtyNow();
    const loaded = this.loadedNow();
    this.pending = [];
    const checked = this.checked;
    this.checked = new Map(checked);
    const then = s.then.map((x) => this.stmt(x));
    const thenState = { dirty: this.dirty, loaded: this.loaded };
    this.dirty = new Set(dirty);
    this.loaded = new Set(loaded);
    this.checked = new Map(checked);
    const other = (s.else ?? []).map((x) => this.stmt(x));
    this.checked = checked;
    const all = new Set([...thenState.loaded, ...this.loaded]);
    then.push(...this.loadMissing(thenState.loaded, all));
    other.push(...this.loadMissing(this.loaded, all));
    this.dirty = new Set([...thenState.dirty, ...this.dirty]);
    this.loaded = all;
    const code = m.if(cond, m.block(null, then, binaryen.none), other.length ? m.block(null, other, binaryen.none) : undefined);
    return pre.length ? m.block(null, [...pre, code], binaryen.none) : code;
  }

  block(stmts: Stmt[]): Ref {
    return this.mod.block(null, stmts.map((s) => this.stmt(s)), binaryen.none);
  }
}

/** an address as a base expression plus a signed constant displacement */
interface Displaced {
  base: Expr;
  d: bigint;
}

/**
 * `base + d` with 0 <= d < GUARD, the displacement an access's offset can carry: through the
 * temps that hold a root temp plus a constant (`displaced`) where that stays in range, else
 * the address's own add of a constant
 */
function nearDisplacement(a: Expr, displaced: Map<number, Displaced>): Displaced | undefined {
  const inRange = (d: bigint) => d >= 0n && d < BigInt(GUARD);
  const root = rootAndDisplacement(a, displaced);
  if (root.base !== a && root.base.k === 'temp' && inRange(root.d)) return root;
  const own = constantAdded(a);
  return own && inRange(own.d) ? own : undefined;
}

/** `base + c` or `base - c` as base and the signed displacement */
function constantAdded(a: Expr): Displaced | undefined {
  if (a.k !== 'op' || (a.op !== 'i64.add' && a.op !== 'i64.sub')) return undefined;
  const [x, y] = a.args;
  if (y.k === 'const') return { base: x, d: a.op === 'i64.add' ? BigInt.asIntN(64, y.v) : -BigInt.asIntN(64, y.v) };
  if (x.k === 'const' && a.op === 'i64.add') return { base: y, d: BigInt.asIntN(64, x.v) };
  return undefined;
}

/** `a` as an expression that adds no constant plus the constants it adds, through the temps in `displaced` */
function rootAndDisplacement(a: Expr, displaced: Map<number, Displaced>): Displaced {
  if (a.k === 'temp') return displaced.get(a.id) ?? { base: a, d: 0n };
  const own = constantAdded(a);
  if (!own) return { base: a, d: 0n };
  const inner = rootAndDisplacement(own.base, displaced);
  return { base: inner.base, d: BigInt.asIntN(64, inner.d + own.d) };
}

/**
 * A guest address as a variable part (a key naming its expression over temps) plus a
 * constant displacement, or undefined when it reads anything that can change (see
 * Emitter.checked).
 */
function addressParts(e: Expr): { key: string; disp: bigint } | undefined {
  if (e.k === 'op' && e.op === 'i64.add' && e.args.length === 2) {
    const [x, y] = e.args;
    const c = y.k === 'const' ? y : x.k === 'const' ? x : undefined;
    if (c) {
      const rest = addressParts(c === y ? x : y);
      return rest && { key: rest.key, disp: rest.disp + BigInt.asIntN(64, c.v) };
    }
  }
  const key = pureKey(e, 0);
  return key === undefined ? undefined : { key, disp: 0n };
}
function pureKey(e: Expr, depth: number): string | undefined {
  if (depth > 4) return undefined;
  switch (e.k) {
    case 'temp': return `t${e.id}`;
    case 'const': return `${e.ty}:${e.v}`;
    case 'op': {
      if (e.op === 'guest.addr') return undefined;
      const args = e.args.map((a) => pureKey(a, depth + 1));
      if (args.some((a) => a === undefined)) return undefined;
      return `${e.op}${e.lanes ? `[${e.lanes.join(',')}]` : ''}(${args.join(',')})`;
    }
    default: return undefined;
  }
}
