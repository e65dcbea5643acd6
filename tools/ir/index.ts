// The translator's intermediate representation: what a front end (x86_64, aarch64) turns a
// guest basic block into, and what the wasm back end lowers. Architecture-neutral: guest
// state is a list of named slots (registers, lazy-flag fields) the front end declares.
//
// Values are expression trees over wasm's own operators (`op` names a binaryen builder,
// e.g. 'i64.add'), so lowering is direct and binaryen's optimiser sees ordinary wasm. An
// expression may be used more than once (it is re-emitted); anything that reads mutable
// state (a slot, memory) is bound to a temp by a `set` statement when it is read, so a
// later write cannot change a value already taken.

export type Ty = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

export type Expr =
  | { k: 'const'; ty: 'i32' | 'i64'; v: bigint }
  | { k: 'fconst'; ty: 'f32' | 'f64'; v: number }
  | { k: 'vconst'; ty: 'v128'; bytes: Uint8Array }
  | { k: 'temp'; ty: Ty; id: number }
  /** a guest state slot; only as the right side of `set` (see above) */
  | { k: 'slot'; ty: Ty; name: string }
  /** memory read at a 32-bit guest address; only as the right side of `set` */
  | { k: 'load'; ty: Ty; size: number; signed: boolean; addr: Expr }
  /** a wasm operator: `op` is the binaryen builder path; `lanes` the lane index or shuffle mask */
  | { k: 'op'; ty: Ty; op: string; args: Expr[]; lanes?: number[] }
  | { k: 'select'; ty: Ty; cond: Expr; then: Expr; else: Expr }
  /** a call of a module helper or import that returns a value; only as the right side of `set` */
  | { k: 'call'; ty: Ty; fn: string; args: Expr[] };

export type Stmt =
  | { k: 'set'; id: number; e: Expr }
  | { k: 'setSlot'; name: string; e: Expr }
  | { k: 'store'; size: number; addr: Expr; e: Expr }
  | { k: 'do'; fn: string; args: Expr[] }
  /** wasm memory.copy (memmove semantics) and memory.fill over guest addresses (i32) */
  | { k: 'copy'; dst: Expr; src: Expr; n: Expr }
  | { k: 'fill'; dst: Expr; byte: Expr; n: Expr }
  /** return from the current function, continuing at guest address `pc` (an i32) */
  | { k: 'leave'; pc: Expr }
  /** run `then` when `cond` holds (a rare path inside a block, e.g. a zero-count shift) */
  | { k: 'if'; cond: Expr; then: Stmt[]; else?: Stmt[] };

/** How a block ends. Guest addresses are numbers (the translator keeps them below 2^32). */
export type Terminator =
  | { k: 'jump'; to: number }
  | { k: 'branch'; cond: Expr; to: number; else: number }
  /**
   * direct call; the return address is already on the guest stack. `noReturn`: discovery
   * found that control never comes back to `ret` (the callee never returns, or the call ends
   * its function), so `ret` is no successor; should it come back, it goes up like any other
   * unexpected return address.
   */
  | { k: 'call'; target: number; ret: number; noReturn?: boolean }
  | { k: 'icall'; pc: Expr; ret: number; noReturn?: boolean }
  | { k: 'ret'; pc: Expr }
  /**
   * indirect jump; `targets` are the known in-function destinations (jump tables). `table`:
   * the jump reads a jump table whose entry `index` names (an i32 evaluated at the block's
   * end), `entries` the target of each entry. The back end may switch on the index, so the
   * jump waits on it alone and not on the load of the target; each arm checks pc against its
   * entry, and a wrong index only costs speed.
   */
  | { k: 'ijump'; pc: Expr; targets: number[]; table?: { index: Expr; entries: number[] } }
  /** code the translator could not handle at `pc`: the guest gets a fault there */
  | { k: 'fault'; pc: number; signal: number; reason: string };

export interface BlockIR {
  start: number;
  stmts: Stmt[];
  end: Terminator;
}

export interface FunctionIR {
  entry: number;
  name: string;
  /**
   * Blocks where control may come back non-locally while this function waits in a call:
   * the return sites of returns-twice calls (setjmp) and exception landing pads. A callee
   * that returns any other address than its return address hands it up; the frame whose
   * block it is, and whose stack pointer matches the one it had at the call, resumes there.
   */
  resumable: number[];
  /** blocks in address order; `blocks[0]` need not be the entry */
  blocks: BlockIR[];
  temps: Ty[];
}

export interface SlotDecl {
  name: string;
  ty: Ty;
}

// Expression constructors: short, because semantics are written with them.
export const i64 = (v: bigint | number): Expr => ({ k: 'const', ty: 'i64', v: BigInt.asUintN(64, BigInt(v)) });
export const i32 = (v: bigint | number): Expr => ({ k: 'const', ty: 'i32', v: BigInt.asUintN(32, BigInt(v)) });
export const f64 = (v: number): Expr => ({ k: 'fconst', ty: 'f64', v });
export const op = (ty: Ty, name: string, ...args: Expr[]): Expr => ({ k: 'op', ty, op: name, args });
export const lane = (ty: Ty, name: string, lanes: number[], ...args: Expr[]): Expr => ({ k: 'op', ty, op: name, args, lanes });
export const select = (cond: Expr, then: Expr, els: Expr): Expr => ({ k: 'select', ty: then.ty, cond, then, else: els });

export function isConst(e: Expr): e is { k: 'const'; ty: 'i32' | 'i64'; v: bigint } {
  return e.k === 'const';
}

/** Builds one block's statements; temps are numbered per function. */
export class BlockBuilder {
  stmts: Stmt[] = [];
  /**
   * The temp holding each slot's current value, while straight-line code knows it: a
   * register read twice is read once. Calls and conditional statements forget everything.
   */
  private known = new Map<string, Expr>();
  constructor(private temps: Ty[]) {}

  /** binds `e` to a fresh temp and returns a reference to it */
  tmp(e: Expr): Expr {
    if (e.k === 'const' || e.k === 'temp' || e.k === 'fconst') return e;
    const id = this.temps.length;
    this.temps.push(e.ty);
    this.stmts.push({ k: 'set', id, e });
    return { k: 'temp', ty: e.ty, id };
  }
  slot(name: string, ty: Ty): Expr {
    const k = this.known.get(name);
    if (k) return k;
    const t = this.tmp({ k: 'slot', ty, name });
    this.known.set(name, t);
    return t;
  }
  setSlot(name: string, e: Expr): void {
    const t = this.tmp(e);
    this.stmts.push({ k: 'setSlot', name, e: t });
    this.known.set(name, t);
  }
  load(ty: Ty, size: number, addr: Expr, signed = false): Expr {
    return this.tmp({ k: 'load', ty, size, signed, addr });
  }
  store(size: number, addr: Expr, e: Expr): void {
    this.stmts.push({ k: 'store', size, addr, e });
  }
  call(ty: Ty, fn: string, ...args: Expr[]): Expr {
    const t = this.tmp({ k: 'call', ty, fn, args });
    this.known.clear();
    return t;
  }
  copy(dst: Expr, src: Expr, n: Expr): void {
    this.stmts.push({ k: 'copy', dst, src, n });
  }
  fill(dst: Expr, byte: Expr, n: Expr): void {
    this.stmts.push({ k: 'fill', dst, byte, n });
  }
  leave(pc: Expr): void {
    this.stmts.push({ k: 'leave', pc });
  }
  do(fn: string, ...args: Expr[]): void {
    this.stmts.push({ k: 'do', fn, args });
    this.known.clear();
  }
  /** statements built by `body` run only when `cond` holds */
  when(cond: Expr, body: () => void, otherwise?: () => void): void {
    this.known.clear();
    const outer = this.stmts;
    this.stmts = [];
    body();
    const then = this.stmts;
    let els: Stmt[] | undefined;
    if (otherwise) {
      this.known.clear();
      this.stmts = [];
      otherwise();
      els = this.stmts;
    }
    this.stmts = outer;
    this.stmts.push({ k: 'if', cond, then, else: els });
    this.known.clear();
  }
}
