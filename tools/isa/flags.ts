// Lazy condition flags, shared by the front ends: an instruction that sets flags records,
// per flag, how to compute it from its own (immutable) temps; a reader in the same block
// gets that expression (so compare + branch becomes one comparison), and only the flags a
// later block may read are folded into the architecture's flag slot at the end.
import { BlockBuilder, i64, op, select, type Expr, type Terminator, type Ty } from '../ir/index.js';
import type { Insn } from './types.js';

/** how one flag is computed now: an i32 0/1 expression */
export type FlagFn = () => Expr;

/** the last flag-setting arithmetic, kept while all its flags are current (compare + branch fusion) */
export interface Arith {
  /** fcmp: an unordered float compare of a and b (f32 for size 4, f64 for 8); r unused */
  kind: 'add' | 'sub' | 'logic' | 'fcmp';
  size: number;
  a: Expr;
  b: Expr;
  r: Expr;
  /** the flags it wrote (FLAG_* bits) */
  written: number;
}

const and = (a: Expr, b: Expr) => op('i64', 'i64.and', a, b);

export abstract class FlagsBlock {
  readonly b: BlockBuilder;
  /** current definition of each flag (FLAG_* bit → expression builder); absent: the block-entry value */
  protected flagDefs = new Map<number, FlagFn>();
  protected arith?: Arith;
  end?: Terminator;
  /** the instruction being lifted */
  insn!: Insn;

  constructor(
    temps: Ty[],
    readonly start: number,
    /** flags a later block may read (FLAG_* bits) */
    readonly liveOut: number,
    /** the slot the flags live in between blocks, and each flag's bit there */
    private slotName: string,
    private bitOf: Record<number, number>,
  ) {
    this.b = new BlockBuilder(temps);
  }

  /** the current value of one flag as i32 0/1 */
  flag(f: number): Expr {
    const def = this.flagDefs.get(f);
    if (def) return def();
    return op('i32', 'i32.wrap', and(op('i64', 'i64.shr_u', this.b.slot(this.slotName, 'i64'), i64(this.bitOf[f])), i64(1)));
  }

  /** records new definitions for the flags in `defs`; `arith` keeps them fusible with a branch */
  setFlags(defs: Map<number, FlagFn>, arith?: Arith): void {
    for (const [f, fn] of defs) this.flagDefs.set(f, fn);
    if (arith) this.arith = arith;
    else if (this.arith) {
      const written = this.arith.written;
      for (const f of defs.keys()) if (written & f) this.arith = undefined;
    }
  }

  /** sets flags from i32 0/1 expressions (each bound to a temp now); `arith` as for setFlags */
  setFlagValues(values: [number, Expr][], arith?: Arith): void {
    const defs = new Map<number, FlagFn>();
    for (const [f, e] of values) {
      const t = this.b.tmp(e);
      defs.set(f, () => t);
    }
    this.setFlags(defs, arith);
  }

  /** folds the live-out flags defined in this block into the flag slot (other bits kept) */
  finishFlags(): void {
    const live = Object.keys(this.bitOf).map(Number).filter((f) => this.liveOut & f && this.flagDefs.has(f));
    if (!live.length) return;
    const clear = live.reduce((m, f) => m | (1n << BigInt(this.bitOf[f])), 0n);
    let v: Expr = and(this.b.slot(this.slotName, 'i64'), i64(~clear & 0xffffffffffffffffn));
    for (const f of live) v = op('i64', 'i64.or', v, op('i64', 'i64.shl', op('i64', 'i64.extend_u', this.flagDefs.get(f)!()), i64(this.bitOf[f])));
    this.b.setSlot(this.slotName, v);
  }

  select(c: Expr, a: Expr, b: Expr): Expr {
    return select(c, a, b);
  }
}
