// Branches, exception generation and system instructions (hints, barriers, mrs/msr, sys).
import type { Insn, Operand } from '../types.js';
import { bits, COND_READS, CONDS, gpr, imm, insn, sext, xreg } from './common.js';

const BCOND = CONDS.map((c) => `b.${c}`);
const HINTS: Record<number, string> = {
  0: 'nop', 1: 'yield', 2: 'wfe', 3: 'wfi', 4: 'sev', 5: 'sevl', 7: 'xpaclri', 8: 'pacia1716', 10: 'pacib1716', 12: 'autia1716', 14: 'autib1716',
  16: 'esb', 17: 'psb', 18: 'tsb', 20: 'csdb', 24: 'paciaz', 25: 'paciasp', 26: 'pacibz', 27: 'pacibsp', 28: 'autiaz', 29: 'autiasp', 30: 'autibz', 31: 'autibsp',
  // capstone prints the BTI hints (32..38) as plain 'hint #n'
};
const BARRIERS: Record<number, string> = { 2: 'clrex', 4: 'dsb', 5: 'dmb', 6: 'isb', 7: 'sb' };
// the system registers user code reads, by op0:op1:CRn:CRm:op2 (16 bits of the encoding)
const SYSREGS: Record<number, string> = {
  0xde82: 'tpidr_el0', 0xde83: 'tpidrro_el0', 0xda10: 'nzcv', 0xda20: 'fpcr', 0xda21: 'fpsr', 0xd801: 'ctr_el0', 0xd807: 'dczid_el0',
  0xc000: 'midr_el1', 0xc005: 'mpidr_el1', 0xc006: 'revidr_el1', 0xc020: 'id_aa64pfr0_el1', 0xc021: 'id_aa64pfr1_el1', 0xc028: 'id_aa64dfr0_el1',
  0xc030: 'id_aa64isar0_el1', 0xc031: 'id_aa64isar1_el1', 0xc032: 'id_aa64isar2_el1', 0xc038: 'id_aa64mmfr0_el1', 0xc039: 'id_aa64mmfr1_el1',
  0xc03a: 'id_aa64mmfr2_el1', 0xc024: 'id_aa64zfr0_el1', 0xdf02: 'cntvct_el0', 0xdf00: 'cntfrq_el0', 0xdf01: 'cntpct_el0', 0xda15: 'dit', 0xda16: 'ssbs',
};
const DC: Record<number, string> = { 0x1ba1: 'dc', 0x1bd1: 'dc', 0x1bd9: 'dc', 0x1be9: 'dc', 0x1bf1: 'dc', 0x1ba9: 'ic' }; // zva civac cvau ... (op1:CRn:CRm:op2)

function sysreg(w: number, acc: 'r' | 'w'): Operand {
  const enc = bits(w, 20, 5);
  const name = SYSREGS[enc];
  return name ? { kind: 'reg', reg: name, size: 8, access: acc } : imm(enc, 2);
}

export function branchSys(w: number, a: number): Insn | undefined {
  const op0 = w >>> 29;
  if ((op0 & 3) === 0) {
    // b / bl imm26
    const t = a + sext(w & 0x3ffffff, 26) * 4;
    return (w >>> 31) ? insn(a, 'bl', [imm(t)], 'call', 0, 0, t) : insn(a, 'b', [imm(t)], 'jump', 0, 0, t);
  }
  if ((op0 & 3) === 1) {
    const rt = w & 31;
    if (((w >>> 25) & 1) === 0) {
      const sf = w >>> 31;
      const t = a + sext(bits(w, 23, 5), 19) * 4;
      return insn(a, (w >>> 24) & 1 ? 'cbnz' : 'cbz', [gpr(sf, rt, 'r'), imm(t)], 'cjump', 0, 0, t);
    }
    const bit = ((w >>> 31) << 5) | bits(w, 23, 19);
    const t = a + sext(bits(w, 18, 5), 14) * 4;
    return insn(a, (w >>> 24) & 1 ? 'tbnz' : 'tbz', [gpr(bit >= 32 ? 1 : 0, rt, 'r'), imm(bit), imm(t)], 'cjump', 0, 0, t);
  }
  if (op0 === 2) {
    if ((w >>> 24) & 3 || (w >>> 4) & 1) return undefined;
    const c = w & 15;
    const t = a + sext(bits(w, 23, 5), 19) * 4;
    return insn(a, BCOND[c], [imm(t)], c >= 14 ? 'jump' : 'cjump', COND_READS[c], 0, t);
  }
  if (op0 !== 6) return undefined;
  if ((w >>> 25) & 1) return branchReg(w, a);
  if (((w >>> 24) & 1) === 0) return exception(w, a);
  if (bits(w, 25, 22) === 4) return system(w, a);
  return undefined;
}

function exception(w: number, a: number): Insn | undefined {
  const i16 = bits(w, 20, 5);
  const k = (bits(w, 23, 21) << 5) | (w & 31);
  switch (k) {
    case 1:
      return insn(a, 'svc', [imm(i16)], i16 === 0 ? 'syscall' : 'interrupt');
    case 2:
      return insn(a, 'hvc', [imm(i16)], 'interrupt');
    case 3:
      return insn(a, 'smc', [imm(i16)], 'interrupt');
    case 0x20:
      return insn(a, 'brk', [imm(i16)], 'trap');
    case 0x40:
      return insn(a, 'hlt', [imm(i16)], 'trap');
  }
  return undefined;
}

function branchReg(w: number, a: number): Insn | undefined {
  if (bits(w, 20, 16) !== 31) return undefined;
  const opc = bits(w, 24, 21);
  const op3 = bits(w, 15, 10);
  const rn = bits(w, 9, 5);
  const op4 = w & 31;
  if (op3 === 0 && op4 === 0) {
    if (opc === 0) return insn(a, 'br', [xreg(rn, 'r')], 'ijump');
    if (opc === 1) return insn(a, 'blr', [xreg(rn, 'r')], 'icall');
    if (opc === 2) return insn(a, 'ret', rn === 30 ? [] : [xreg(rn, 'r')], 'ret');
  }
  if (opc === 2 && rn === 31 && op4 === 31 && (op3 === 2 || op3 === 3)) return insn(a, op3 === 2 ? 'retaa' : 'retab', [], 'ret');
  if (op3 === 0 && op4 === 0 && rn === 31 && opc === 4) return insn(a, 'eret', [], 'ret');
  return undefined;
}

function system(w: number, a: number): Insn | undefined {
  const l = (w >>> 21) & 1;
  const op0 = bits(w, 20, 19);
  const crn = bits(w, 15, 12);
  const rt = w & 31;
  if (op0 >= 2) return l ? insn(a, 'mrs', [xreg(rt, 'w'), sysreg(w, 'r')]) : insn(a, 'msr', [sysreg(w, 'w'), xreg(rt, 'r')]);
  if (op0 === 1) {
    if (l) return insn(a, 'sysl', [xreg(rt, 'w'), imm(bits(w, 18, 5))]);
    const m = DC[bits(w, 18, 5)];
    return insn(a, m ?? 'sys', [imm(bits(w, 18, 5)), xreg(rt, 'r')]);
  }
  if (l) return undefined;
  const op1 = bits(w, 18, 16);
  const crmop2 = bits(w, 11, 5);
  if (crn === 2 && op1 === 3 && rt === 31) return insn(a, HINTS[crmop2] ?? 'hint', [imm(crmop2)]);
  if (crn === 3 && op1 === 3 && rt === 31) {
    const m = BARRIERS[crmop2 & 7];
    if (!m) return undefined;
    return insn(a, m, [imm(crmop2 >> 3)]);
  }
  if (crn === 4 && rt === 31) return insn(a, 'msr', [imm(bits(w, 18, 5), 2)]);
  return undefined;
}
