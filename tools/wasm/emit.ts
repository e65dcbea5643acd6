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

/** a helper or import, and whether calling it reads or writes guest state slots */
export interface FnInfo {
  name: string;
  result: Ty | 'none';
  /** true: the cached slots must be in their globals before the call and are reloaded after */
  touchesState: boolean;
  /** true: the call never returns (it ends the guest): the engine need keep nothing live across it */
  noReturn?: boolean;
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
    private cached = new Map<string, number>(),
    /** an i64 local for checked addresses, and the top of the guest address space */
    private scratch?: number,
    private limit?: number,
  ) {}

  /**
   * The cached slots written since they were last loaded from or stored to their globals,
   * at the current point of emission: only these need writing back (a call in a loop then
   * stores only what the loop changed, not every register the function ever writes).
   */
  private dirty = new Set<string>();

  /** starts emitting a block entered with `dirty` slots (see dirtyAfter) */
  enter(dirty: Set<string>): void {
    this.dirty = new Set(dirty);
  }
  /** the dirty slots at this point of emission */
  dirtyNow(): Set<string> {
    return new Set(this.dirty);
  }

  /** global.set for the given dirty slots (by default those at this point) */
  spill(dirty: Set<string> = this.dirty): Ref[] {
    const m = this.mod;
    return [...dirty].sort().map((n) => m.global.set(`s.${n}`, m.local.get(this.cached.get(n)!, wasmType(this.slots.get(n)!))));
  }
  /** local.set from its global for every cached slot: nothing is dirty after it */
  reload(): Ref[] {
    const m = this.mod;
    this.dirty.clear();
    return [...this.cached].map(([n, l]) => m.local.set(l, m.global.get(`s.${n}`, wasmType(this.slots.get(n)!))));
  }
  /** `code` with the state written back before it and reloaded after */
  private around(code: Ref): Ref {
    const before = this.spill();
    return this.mod.block(null, [...before, code, ...this.reload()], binaryen.none);
  }

  /**
   * The dirty slots after `stmts` when `dirty` are dirty before them: the same rules the
   * emission follows (a slot write dirties a cached slot; a call that touches the state
   * writes everything back and reloads it), for the back end's dataflow over blocks.
   */
  dirtyAfter(stmts: Stmt[], dirty: Set<string>): Set<string> {
    let d = new Set(dirty);
    for (const s of stmts) {
      switch (s.k) {
        case 'set':
          if (s.e.k === 'call' && this.fn(s.e.fn).touchesState) d = new Set();
          break;
        case 'setSlot':
          if (this.cached.has(s.name)) d.add(s.name);
          break;
        case 'do':
          if (this.fn(s.fn).touchesState) d = new Set();
          break;
        case 'if': {
          const then = this.dirtyAfter(s.then, d);
          const other = s.else ? this.dirtyAfter(s.else, d) : d;
          d = new Set([...then, ...other]);
          break;
        }
      }
    }
    return d;
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
        if (e.ty === 'v128') return m.v128.load(0, 1, this.expr(e.addr));
        if (e.ty === 'f64' || e.ty === 'f32') return m[e.ty].load(0, 1, this.expr(e.addr));
        const name = LOADS[e.ty][e.size][e.signed ? 1 : 0]!;
        return this.builder(`${e.ty}.${name}`)(0, 1, this.expr(e.addr));
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
        return m.call(f.name, e.args.map((a) => this.expr(a)), wasmType(e.ty));
      }
    }
  }

  /** a checked guest address: SIGSEGV outside [GUARD, limit), else the i32 wasm address */
  private guestAddr(a: Expr): Ref {
    const m = this.mod;
    if (this.scratch === undefined || this.limit === undefined) return m.i32.wrap(this.expr(a));
    const s = this.scratch;
    const get = () => m.local.get(s, binaryen.i64);
    return m.block(
      null,
      [
        m.local.set(s, this.expr(a)),
        m.if(
          m.i64.ge_u(m.i64.sub(get(), m.i64.const(BigInt(GUARD))), m.i64.const(BigInt(this.limit - GUARD))),
          // segv does not return: saying so frees the engine from keeping every live value
          // across the call (register pressure in hot loops)
          m.block(null, [m.call(this.fn('segv').name, [get()], binaryen.none), m.unreachable()]),
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
    const m = this.mod;
    switch (s.k) {
      case 'set': {
        const set = m.local.set(this.tempBase + s.id, this.expr(s.e));
        return s.e.k === 'call' && this.fn(s.e.fn).touchesState ? this.around(set) : set;
      }
      case 'setSlot': {
        this.slotType(s.name);
        const l = this.cached.get(s.name);
        if (l === undefined) return m.global.set(`s.${s.name}`, this.expr(s.e));
        this.dirty.add(s.name);
        return m.local.set(l, this.expr(s.e));
      }
      case 'store': {
        const v = this.expr(s.e);
        const a = this.expr(s.addr);
        const ty = s.e.ty;
        if (ty === 'v128') return m.v128.store(0, 1, a, v);
        if (ty === 'f64' || ty === 'f32') return m[ty].store(0, 1, a, v);
        const name = s.size === 1 ? 'store8' : s.size === 2 ? 'store16' : s.size === 4 && ty === 'i64' ? 'store32' : 'store';
        return this.builder(`${ty}.${name}`)(0, 1, a, v);
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
        return m.block(null, [...this.spill(), m.return(this.expr(s.pc))], binaryen.none);
      case 'if': {
        const cond = this.expr(s.cond);
        const before = this.dirtyNow();
        const then = this.block(s.then);
        const afterThen = this.dirty;
        this.dirty = before;
        const other = s.else ? this.block(s.else) : undefined;
        this.dirty = new Set([...afterThen, ...this.dirty]);
        return m.if(cond, then, other);
      }
    }
  }

  block(stmts: Stmt[]): Ref {
    return this.mod.block(null, stmts.map((s) => this.stmt(s)), binaryen.none);
  }
}
