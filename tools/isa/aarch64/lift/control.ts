// aarch64 loads and stores (single, pair, exclusive, atomic), branches, calls, returns,
// system calls and the system registers static code reads.
import { i32, i64, op, select, type Expr } from '../../../ir/index.js';
import type { Insn, MemOperand } from '../../types.js';
import { add, and, eqz, ne, or, sext, wrap, xor } from '../../x86_64/lift/context.js';
import { trunc, Unsupported } from './context.js';
import type { Semantics } from './table.js';

const memOf = (i: Insn): MemOperand => {
  const m = i.operands.find((o) => o.kind === 'mem');
  if (!m || m.kind !== 'mem') throw new Unsupported('a load/store without a memory operand');
  return m;
};

/** ldr/ldur/ldrb/ldrh (zero-extending) and ldrsb/ldrsh/ldrsw (sign-extending into w or x) */
function load(signed: boolean): Semantics {
  return (x, i) => {
    const d = i.operands[0];
    const m = memOf(i);
    const v = x.memAccess(m, (a) => x.loadInt(m.size, a, signed));
    x.write(d, signed && d.kind === 'reg' && d.size === 4 ? trunc(v, 4) : v);
  };
}
const store: Semantics = (x, i) => {
  const s = i.operands[0];
  const m = memOf(i);
  const v = x.read(s);
  x.memAccess(m, (a) => x.storeInt(m.size, a, v));
};
/** ldp/ldpsw/ldnp: both values are read before either register is written */
function loadPair(signed: boolean): Semantics {
  return (x, i) => {
    const [d1, d2] = i.operands;
    const m = memOf(i);
    const each = m.size / 2;
    const [v1, v2] = x.memAccess(m, (a) => [x.loadInt(each, a, signed), x.loadInt(each, x.b.tmp(add(a, i64(each))), signed)]);
    x.write(d1, v1);
    x.write(d2, v2);
  };
}
const storePair: Semantics = (x, i) => {
  const [s1, s2] = i.operands;
  const m = memOf(i);
  const each = m.size / 2;
  const v1 = x.read(s1);
  const v2 = x.read(s2);
  x.memAccess(m, (a) => {
    x.storeInt(each, a, v1);
    x.storeInt(each, x.b.tmp(add(a, i64(each))), v2);
  });
};

// A single-threaded guest: exclusive pairs always succeed and atomics are plain read-modify-writes.
const ldxr: Semantics = (x, i) => {
  const m = memOf(i);
  x.write(i.operands[0], x.memAccess(m, (a) => x.loadInt(m.size, a)));
};
const stxr: Semantics = (x, i) => {
  const [status, s] = i.operands;
  const m = memOf(i);
  const v = x.read(s);
  x.memAccess(m, (a) => x.storeInt(m.size, a, v));
  x.write(status, i64(0));
};
const ldxp: Semantics = (x, i) => loadPair(false)(x, i);
const stxp: Semantics = (x, i) => {
  const [status, s1, s2] = i.operands;
  storePair(x, { ...i, operands: [s1, s2, memOf(i)] });
  x.write(status, i64(0));
};
/** ld<op> rs, rt, [rn]: rt gets the old value, memory gets old OP rs (st<op>: no rt) */
function atomic(fn: (old: Expr, v: Expr, size: number) => Expr, returns = true): Semantics {
  return (x, i) => {
    const m = memOf(i);
    const s = i.operands[0];
    const size = m.size;
    const v = x.b.tmp(trunc(x.read(s), size));
    x.memAccess(m, (a) => {
      const old = x.loadInt(size, a);
      x.storeInt(size, a, fn(old, v, size));
      if (returns && i.operands[1].kind === 'reg') x.write(i.operands[1], old);
    });
  };
}
/** cas rs, rt, [rn]: when memory equals rs, store rt; rs gets the old value */
const cas: Semantics = (x, i) => {
  const [s, t] = i.operands;
  const m = memOf(i);
  const size = m.size;
  const expect = x.b.tmp(trunc(x.read(s), size));
  const nv = x.b.tmp(x.read(t));
  x.memAccess(m, (a) => {
    const old = x.loadInt(size, a);
    x.b.when(op('i32', 'i64.eq', old, expect), () => x.storeInt(size, a, nv));
    x.write(s, old);
  });
};

const ATOMIC_OPS: Record<string, (o: Expr, v: Expr, size: number) => Expr> = {
  add: (o, v) => add(o, v),
  clr: (o, v) => and(o, xor(v, i64(-1n))),
  eor: (o, v) => xor(o, v),
  set: (o, v) => or(o, v),
  swp: (_o, v) => v,
  smax: (o, v, s) => select(op('i32', 'i64.gt_s', sext(o, s), sext(v, s)), o, v),
};

// ---- control flow ----

const b: Semantics = (x, i) => {
  x.end = { k: 'jump', to: i.target! };
};
const bcond: Semantics = (x, i) => {
  const c = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'].indexOf(i.mnemonic.slice(2));
  const cc = c < 0 ? ['cs', 'cc'].indexOf(i.mnemonic.slice(2)) + 2 : c;
  x.end = { k: 'branch', cond: x.b.tmp(x.cond(cc)), to: i.target!, else: x.next };
};
function cbz(zero: boolean): Semantics {
  return (x, i) => {
    const v = x.read(i.operands[0]);
    x.end = { k: 'branch', cond: x.b.tmp(zero ? eqz(v) : ne(v, i64(0))), to: i.target!, else: x.next };
  };
}
function tbz(zero: boolean): Semantics {
  return (x, i) => {
    const [r, bit] = i.operands;
    const v = and(x.read(r), i64(1n << (bit as { value: bigint }).value));
    x.end = { k: 'branch', cond: x.b.tmp(zero ? eqz(v) : ne(v, i64(0))), to: i.target!, else: x.next };
  };
}
const bl: Semantics = (x, i) => {
  x.setReg('x30', i64(x.next));
  x.end = { k: 'call', target: i.target!, ret: x.next };
};
const blr: Semantics = (x, i) => {
  const t = x.b.tmp(wrap(x.read(i.operands[0])));
  x.setReg('x30', i64(x.next));
  x.end = { k: 'icall', pc: t, ret: x.next };
};
const br: Semantics = (x, i) => {
  x.end = { k: 'ijump', pc: x.b.tmp(wrap(x.read(i.operands[0]))), targets: [] };
};
const ret: Semantics = (x, i) => {
  const r = i.operands[0]?.kind === 'reg' ? i.operands[0].reg : 'x30';
  x.end = { k: 'ret', pc: x.b.tmp(wrap(x.getReg(r))) };
};
/** svc #0: x8 is the number, x0-x5 the arguments, x0 the result */
const svc: Semantics = (x) => {
  const r = (n: string) => x.getReg(n);
  const v = x.b.call('i64', 'syscall', r('x8'), r('x0'), r('x1'), r('x2'), r('x3'), r('x4'), r('x5'), i32(x.next));
  x.setReg('x0', v);
  // a signal handler run during the call left by siglongjmp: go where it jumped
  const redirect = x.b.slot('redirect', 'i32');
  x.b.when(op('i32', 'i32.ne', redirect, i32(0)), () => {
    x.b.setSlot('redirect', i32(0));
    x.b.leave(redirect);
  });
};
function trap(signal: number, what: string): Semantics {
  return (x, i) => {
    x.end = { k: 'fault', pc: i.address, signal, reason: `${what} (${i.mnemonic})` };
  };
}
const nop: Semantics = () => {};

/**
 * System registers: tpidr_el0 (the thread pointer), nzcv, fpcr/fpsr, and the ID registers
 * static code reads: a baseline CPU (midr_el1 0, dczid_el0 with DC ZVA prohibited so the
 * C library never zeroes by cache line), the virtual counter through the vkernel's clock.
 */
const mrs: Semantics = (x, i) => {
  const [d, s] = i.operands;
  const reg = s.kind === 'reg' ? s.reg : '';
  switch (reg) {
    case 'tpidr_el0': return x.write(d, x.b.slot('tpidr', 'i64'));
    case 'nzcv': return x.write(d, x.nzcv());
    case 'fpcr': return x.write(d, x.b.slot('fpcr', 'i64'));
    case 'fpsr': return x.write(d, x.b.slot('fpsr', 'i64'));
    case 'midr_el1': case 'mpidr_el1': case 'revidr_el1': return x.write(d, i64(0));
    case 'dczid_el0': return x.write(d, i64(0x10));
    case 'ctr_el0': return x.write(d, i64(0x8444c004)); // 64-byte cache lines
    case 'cntfrq_el0': return x.write(d, i64(1000000000));
    case 'cntvct_el0': case 'cntvctss_el0': return x.write(d, x.b.call('i64', 'rdtsc'));
  }
  throw new Unsupported(`system register ${reg}`);
};
const msr: Semantics = (x, i) => {
  const [d, s] = i.operands;
  const reg = d.kind === 'reg' ? d.reg : '';
  switch (reg) {
    case 'tpidr_el0': return x.b.setSlot('tpidr', x.read(s));
    case 'nzcv': return x.setNzcv(x.read(s));
    case 'fpcr': return x.b.setSlot('fpcr', x.read(s));
    case 'fpsr': return x.b.setSlot('fpsr', x.read(s));
  }
  throw new Unsupported(`system register ${reg}`);
};
/** dc: cache maintenance is invisible to a single guest; zva (sysop 0x1ba1) is prohibited by dczid_el0, so it traps as on Linux */
const dc: Semantics = (x, i) => {
  const sysop = i.operands[0];
  if (sysop?.kind === 'imm' && sysop.value === 0x1ba1n) x.end = { k: 'fault', pc: i.address, signal: 4, reason: 'dc zva, which dczid_el0 reports prohibited' };
};

export const CONTROL: Record<string, Semantics> = {
  b, bl, br, blr, ret,
  cbz: cbz(true), cbnz: cbz(false), tbz: tbz(true), tbnz: tbz(false),
  ...Object.fromEntries(['eq', 'ne', 'hs', 'lo', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'].map((c) => [`b.${c}`, bcond])),
  svc,
  brk: trap(5, 'a breakpoint'), udf: trap(4, 'an undefined instruction'), hlt: trap(5, 'hlt'),
  nop, hint: nop, yield: nop, dmb: nop, dsb: nop, isb: nop, prfm: nop, prfum: nop, clrex: nop, sb: nop,
  bti: nop, paciasp: nop, autiasp: nop, pacibsp: nop, autibsp: nop, xpaclri: nop, autia1716: nop, autib1716: nop, pacia1716: nop, pacib1716: nop,
  csdb: nop, esb: nop, ic: nop, dc,
  mrs, msr,
  ldr: load(false), ldur: load(false), ldrb: load(false), ldurb: load(false), ldrh: load(false), ldurh: load(false),
  ldrsb: load(true), ldursb: load(true), ldrsh: load(true), ldursh: load(true), ldrsw: load(true), ldursw: load(true),
  ldar: load(false), ldarb: load(false), ldarh: load(false), ldapr: load(false), ldaprb: load(false), ldaprh: load(false), ldlar: load(false),
  str: store, stur: store, strb: store, sturb: store, strh: store, sturh: store,
  stlr: store, stlrb: store, stlrh: store, stllr: store,
  ldp: loadPair(false), ldnp: loadPair(false), ldpsw: loadPair(true), stp: storePair, stnp: storePair,
  ldxr: ldxr, ldaxr: ldxr, ldxrb: ldxr, ldaxrb: ldxr, ldxrh: ldxr, ldaxrh: ldxr,
  stxr: stxr, stlxr: stxr, stxrb: stxr, stlxrb: stxr, stxrh: stxr, stlxrh: stxr,
  ldxp, ldaxp: ldxp, stxp, stlxp: stxp,
  ...Object.fromEntries(
    Object.entries(ATOMIC_OPS).flatMap(([k, fn]) => {
      const base = k === 'swp' ? ['swp'] : [`ld${k}`, `st${k}`];
      return base.flatMap((n) => ['', 'a', 'l', 'al'].flatMap((o) => ['', 'b', 'h'].map((s) => [`${n}${o}${s}`, atomic(fn, !n.startsWith('st'))])));
    }),
  ),
  ...Object.fromEntries(['', 'a', 'l', 'al'].flatMap((o) => ['', 'b', 'h'].map((s) => [`cas${o}${s}`, cas]))),
};

