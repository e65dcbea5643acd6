// Data movement, stack, conditional moves, control transfer and system instructions.
import { i32, i64, op } from '../../../ir/index.js';
import type { Insn } from '../../types.js';
import { add, and, sext, shl, sub, trunc, Unsupported, wrap, zext32, type X86Block } from './context.js';
import type { Semantics } from './table.js';
import { STRING_KINDS } from './string-kinds.js';

function mov(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  x.write(d, x.read(s, d.size));
}

function movzx(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  x.write(d, x.read(s));
}

function movsx(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  x.write(d, trunc(sext(x.read(s), s.size), d.size));
}

function lea(x: X86Block, i: Insn): void {
  const [d, s] = i.operands;
  if (s.kind !== 'mem') throw new Unsupported('lea without a memory operand');
  x.write(d, trunc(x.ea({ ...s, segment: undefined }), d.size));
}

function push(x: X86Block, i: Insn): void {
  const s = i.operands[0];
  if (s.kind === 'imm') return x.push(i64(s.value));
  if (s.size !== 8) throw new Unsupported('16-bit push');
  x.push(x.read(s));
}

function pop(x: X86Block, i: Insn): void {
  const d = i.operands[0];
  if (d.size !== 8) throw new Unsupported('16-bit pop');
  const v = x.pop();
  x.write(d, v);
}

function leave(x: X86Block): void {
  x.b.setSlot('rsp', x.b.slot('rbp', 'i64'));
  x.setReg('rbp', x.pop());
}

function cmov(cc: string) {
  return (x: X86Block, i: Insn) => {
    const [d, s] = i.operands;
    const c = x.b.tmp(x.cond(cc));
    const v = x.read(s);
    const old = x.read(d);
    // a 32-bit cmov zero-extends even when the condition is false
    x.write(d, { k: 'select', ty: 'i64', cond: c, then: v, else: old });
  };
}

function setcc(cc: string) {
  return (x: X86Block, i: Insn) => x.write(i.operands[0], zext32(x.cond(cc)));
}

// ---- control transfer: these end the block ----

function jmp(x: X86Block, i: Insn): void {
  if (i.target !== undefined) x.end = { k: 'jump', to: i.target };
  else x.end = { k: 'ijump', pc: x.b.tmp(wrap(x.read(i.operands[0]))), targets: [] };
}

function jcc(cc: string) {
  return (x: X86Block, i: Insn) => {
    x.end = { k: 'branch', cond: x.b.tmp(x.cond(cc)), to: i.target!, else: x.next };
  };
}

/** jrcxz/jecxz */
function jrcxz(x: X86Block, i: Insn): void {
  const rc = x.getReg(i.mnemonic === 'jecxz' ? 'ecx' : 'rcx');
  x.end = { k: 'branch', cond: x.b.tmp(op('i32', 'i64.eqz', rc)), to: i.target!, else: x.next };
}

function call(x: X86Block, i: Insn): void {
  if (i.target !== undefined) {
    x.push(i64(x.next));
    x.end = { k: 'call', target: i.target, ret: x.next };
    return;
  }
  const t = x.b.tmp(wrap(x.read(i.operands[0])));
  x.push(i64(x.next));
  x.end = { k: 'icall', pc: t, ret: x.next };
}

function ret(x: X86Block, i: Insn): void {
  const pc = x.pop();
  const n = i.operands[0];
  if (n?.kind === 'imm') x.b.setSlot('rsp', add(x.b.slot('rsp', 'i64'), i64(n.value)));
  x.end = { k: 'ret', pc: x.b.tmp(wrap(pc)) };
}

function trap(signal: number, what: string) {
  return (x: X86Block, i: Insn) => {
    x.end = { k: 'fault', pc: i.address, signal, reason: what };
  };
}

// ---- system ----

function syscall(x: X86Block): void {
  const r = (n: string) => x.b.slot(n, 'i64');
  const v = x.b.call('i64', 'syscall', r('rax'), r('rdi'), r('rsi'), r('rdx'), r('r10'), r('r8'), r('r9'), i32(x.next));
  x.b.setSlot('rax', v);
  // the kernel clobbers rcx (return address) and r11 (rflags)
  x.b.setSlot('rcx', i64(x.next));
  x.b.setSlot('r11', i64(0x246));
  // a signal handler run during the call left by siglongjmp: go where it jumped
  const redirect = x.b.slot('redirect', 'i32');
  x.b.when(op('i32', 'i32.ne', redirect, i32(0)), () => {
    x.b.setSlot('redirect', i32(0));
    x.b.leave(redirect);
  });
}

/**
 * cpuid: a baseline x86-64 CPU (SSE2, no SSE3+ and no AVX), so glibc's and musl's
 * dispatchers pick the SSE2 code paths. The vkernel answers; the table is documented there.
 */
function cpuid(x: X86Block): void {
  const leaf = x.getReg('eax');
  const sub_ = x.getReg('ecx');
  const a = x.b.call('i64', 'cpuid', wrap(leaf), wrap(sub_));
  const rest = (n: number) => x.b.slot(`cpuid${n}`, 'i64');
  x.setReg('eax', a);
  x.setReg('ebx', rest(1));
  x.setReg('ecx', rest(2));
  x.setReg('edx', rest(3));
}

function rdtsc(x: X86Block): void {
  const t = x.b.call('i64', 'rdtsc');
  x.setReg('eax', trunc(t, 4));
  x.setReg('edx', op('i64', 'i64.shr_u', t, i64(32)));
}

const nothing: Semantics = () => {};

function flagOp(kind: 'clc' | 'stc' | 'cmc' | 'cld' | 'std') {
  return (x: X86Block) => {
    if (kind === 'cld' || kind === 'std') return x.setDF(i32(kind === 'std' ? 1 : 0));
    const CF = 1;
    x.setFlagValues([[CF, kind === 'clc' ? i32(0) : kind === 'stc' ? i32(1) : op('i32', 'i32.eqz', x.flag(CF))]]);
  };
}

function pushf(x: X86Block): void {
  x.push(x.eflags());
}
function popf(x: X86Block): void {
  x.setEflags(x.pop());
}
function lahf(x: X86Block): void {
  x.setReg('ah', and(x.eflags(), i64(0xff)));
}
function sahf(x: X86Block): void {
  x.setEflags(x.getReg('ah'), 0xd5n);
}

// ---- string instructions (rep movs/stos/cmps/scas, lods) ----

const STRING_SIZE: Record<string, number> = { b: 1, w: 2, d: 4, q: 8 };

/**
 * movs/stos with rep, forward, without a harmful overlap: one memory.copy / memory.fill
 * (what memcpy and memset use them for). Anything else (backwards, overlapping, a
 * multi-byte stos pattern, cmps/scas/lods) goes to the vkernel's general loop.
 */
function stringOp(kind: 'movs' | 'stos' | 'lods' | 'cmps' | 'scas', rep: '' | 'rep' | 'repne') {
  return (x: X86Block, i: Insn) => {
    const size = STRING_SIZE[i.mnemonic.slice(-1)];
    if (!size) throw new Unsupported(i.mnemonic);
    const general = () => x.b.do('string', i32(STRING_KINDS.indexOf(kind)), i32(size), i32(rep === '' ? 0 : rep === 'rep' ? 1 : 2));
    if (rep === '') return singleString(x, kind, size);
    if (rep !== 'rep' || (kind !== 'movs' && kind !== 'stos')) {
      general();
      if (kind === 'cmps' || kind === 'scas') x.flagsFromSlot();
      return;
    }
    const rcx = x.b.slot('rcx', 'i64');
    const rdi = x.b.slot('rdi', 'i64');
    const n = x.b.tmp(shl(rcx, i64(Math.log2(size))));
    if (kind === 'movs') {
      const rsi = x.b.slot('rsi', 'i64');
      // forward copy is a memmove unless the destination starts inside the source
      const fast = op('i32', 'i32.and', op('i32', 'i32.eqz', x.df()), op('i32', 'i64.ge_u', sub(rdi, rsi), n));
      x.b.when(
        fast,
        () => {
          x.b.copy(wrap(rdi), wrap(rsi), wrap(n));
          x.b.setSlot('rsi', add(rsi, n));
          x.b.setSlot('rdi', add(rdi, n));
          x.b.setSlot('rcx', i64(0));
        },
        general,
      );
      return;
    }
    const acc = x.getReg(size === 8 ? 'rax' : size === 4 ? 'eax' : size === 2 ? 'ax' : 'al');
    const byte = and(acc, i64(0xff));
    const splat = x.b.tmp(op('i64', 'i64.mul', byte, i64(0x0101010101010101n)));
    const fast = op('i32', 'i32.and', op('i32', 'i32.eqz', x.df()), op('i32', 'i64.eq', trunc(splat, size), acc));
    x.b.when(
      fast,
      () => {
        x.b.fill(wrap(rdi), wrap(byte), wrap(n));
        x.b.setSlot('rdi', add(rdi, n));
        x.b.setSlot('rcx', i64(0));
      },
      general,
    );
  };
}

/** one movs/stos/lods/cmps/scas without a repeat prefix: inline, stepping by DF */
function singleString(x: X86Block, kind: 'movs' | 'stos' | 'lods' | 'cmps' | 'scas', size: number): void {
  const step = x.b.tmp({ k: 'select', ty: 'i64', cond: x.df(), then: i64(-size), else: i64(size) });
  const acc = size === 8 ? 'rax' : size === 4 ? 'eax' : size === 2 ? 'ax' : 'al';
  const rsi = x.b.slot('rsi', 'i64');
  const rdi = x.b.slot('rdi', 'i64');
  switch (kind) {
    case 'movs':
      x.storeInt(size, rdi, x.loadInt(size, rsi));
      break;
    case 'stos':
      x.storeInt(size, rdi, x.getReg(acc));
      break;
    case 'lods':
      x.setReg(acc, x.loadInt(size, rsi));
      break;
    case 'cmps': {
      const a = x.loadInt(size, rsi);
      const b = x.loadInt(size, rdi);
      x.arithFlags('sub', size, a, b, x.b.tmp(trunc(sub(a, b), size)));
      break;
    }
    case 'scas': {
      const a = x.getReg(acc);
      const b = x.loadInt(size, rdi);
      x.arithFlags('sub', size, a, b, x.b.tmp(trunc(sub(a, b), size)));
      break;
    }
  }
  if (kind === 'movs' || kind === 'lods' || kind === 'cmps') x.b.setSlot('rsi', add(rsi, step));
  if (kind !== 'lods') x.b.setSlot('rdi', add(rdi, step));
}

export const DATA: Record<string, Semantics> = {
  mov,
  movabs: mov,
  movzx,
  movsx,
  movsxd: movsx,
  lea,
  push,
  pop,
  leave,
  jmp,
  jrcxz,
  jecxz: jrcxz,
  call,
  ret,
  hlt: trap(11, 'hlt (a privileged instruction)'),
  ud2: trap(4, 'ud2'),
  int3: trap(5, 'int3'),
  syscall,
  cpuid,
  rdtsc,
  nop: nothing,
  endbr64: nothing,
  pause: nothing,
  lfence: nothing,
  sfence: nothing,
  mfence: nothing,
  prefetcht0: nothing,
  prefetcht1: nothing,
  prefetcht2: nothing,
  prefetchnta: nothing,
  prefetchw: nothing,
  // CET shadow-stack instructions are hint-space NOPs on a CPU without CET (what cpuid reports)
  rdsspq: nothing,
  rdsspd: nothing,
  incsspq: nothing,
  incsspd: nothing,
  clc: flagOp('clc'),
  stc: flagOp('stc'),
  cmc: flagOp('cmc'),
  cld: flagOp('cld'),
  std: flagOp('std'),
  pushfq: pushf,
  popfq: popf,
  lahf,
  sahf,
};

for (const cc of ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g']) {
  DATA[`j${cc}`] = jcc(cc);
  DATA[`set${cc}`] = setcc(cc);
  DATA[`cmov${cc}`] = cmov(cc);
}
for (const k of ['movs', 'stos', 'lods', 'cmps', 'scas'] as const) {
  for (const s of ['b', 'w', 'd', 'q']) {
    DATA[`${k}${s}`] = stringOp(k, '');
    DATA[`rep ${k}${s}`] = stringOp(k, 'rep');
    if (k === 'cmps' || k === 'scas') {
      DATA[`repe ${k}${s}`] = stringOp(k, 'rep');
      DATA[`repne ${k}${s}`] = stringOp(k, 'repne');
    }
  }
}
