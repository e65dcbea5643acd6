// Calls and jumps through PLT stubs. A static glibc program calls each routine chosen by
// ifunc (memcpy, strcmp, ...) through a stub, `jmp *slot(%rip)` on x86_64, whose GOT slot
// its IRELATIVE relocation fills at startup. Lifted as written, every such call is three
// wasm calls: the stub's function, jumpOut (the stub's indirect jump leaves its function),
// then the routine through the table; in a blob, where tail calls are plain calls, each is
// a native frame (jumpOut was 14% of fannkuch's blob instructions, 11% of wordfreq's).
// A stub only computes its target, so a call of it is an indirect call of that target with
// the stub's own statements run at the call site, and a jump to it an indirect jump.

import type { BlockIR, Expr, FunctionIR, Stmt, Ty } from '../ir/index.js';

/** a stub's statements before its jump, at most this many (x86_64: the slot's load and its wrap) */
const MAX_STUB_STMTS = 8;

interface Stub {
  stmts: Stmt[];
  pc: Expr;
  temps: Ty[];
}

/**
 * Rewrites, in place, every call of a stub into an indirect call of what it jumps to, and
 * every jump to one that leaves its function into an indirect jump. A stub is a function of
 * one block whose statements only set temps (from constants, its own temps and memory) and
 * slots, ending in an indirect jump out of it; its function stays (the table and other
 * references still reach it).
 */
export function inlineStubs(functions: FunctionIR[]): void {
  const stubs = new Map<number, Stub>();
  for (const f of functions) {
    const s = stubOf(f);
    if (s) stubs.set(f.entry, s);
  }
  if (!stubs.size) return;
  for (const f of functions) {
    const own = new Set(f.blocks.map((b) => b.start));
    for (const b of f.blocks) {
      const t = b.end;
      const target = t.k === 'call' ? t.target : t.k === 'jump' && !own.has(t.to) ? t.to : undefined;
      const stub = target === undefined || target === f.entry ? undefined : stubs.get(target);
      if (!stub) continue;
      const pc = runAt(f, b, stub);
      if (t.k === 'call') b.end = { k: 'icall', pc, ret: t.ret, noReturn: t.noReturn };
      else b.end = { k: 'ijump', pc, targets: [] };
    }
  }
}

function stubOf(f: FunctionIR): Stub | undefined {
  if (f.blocks.length !== 1 || f.resumable.length) return undefined;
  const [b] = f.blocks;
  if (b.start !== f.entry || b.end.k !== 'ijump' || b.end.targets.length || b.stmts.length > MAX_STUB_STMTS) return undefined;
  if (!b.stmts.every((s) => (s.k === 'set' && s.e.k !== 'call') || s.k === 'setSlot')) return undefined;
  return { stmts: b.stmts, pc: b.end.pc, temps: f.temps };
}

/** appends the stub's statements to block b of f, its temps renumbered as new temps of f; the stub's target there */
function runAt(f: FunctionIR, b: BlockIR, stub: Stub): Expr {
  const base = f.temps.length;
  f.temps.push(...stub.temps);
  const expr = (e: Expr): Expr => {
    switch (e.k) {
      case 'temp': return { ...e, id: e.id + base };
      case 'load': return { ...e, addr: expr(e.addr) };
      case 'op': return { ...e, args: e.args.map(expr) };
      case 'select': return { ...e, cond: expr(e.cond), then: expr(e.then), else: expr(e.else) };
      case 'call': return { ...e, args: e.args.map(expr) };
      default: return e;
    }
  };
  for (const s of stub.stmts) {
    if (s.k === 'set') b.stmts.push({ k: 'set', id: s.id + base, e: expr(s.e) });
    else if (s.k === 'setSlot') b.stmts.push({ k: 'setSlot', name: s.name, e: expr(s.e) });
  }
  return expr(stub.pc);
}
