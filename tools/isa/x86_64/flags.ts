// Condition flags each instruction reads and writes (SDM "Flags Affected"), by mnemonic.
// Flags an instruction leaves "undefined" count as written: a later reader must not trust them.
import { FLAG_AF, FLAG_CF, FLAG_DF, FLAG_OF, FLAG_PF, FLAG_SF, FLAG_ZF, FLAGS_ARITH } from '../types.js';
import type { Node, Table, Entry } from './spec.js';

const A = FLAGS_ARITH;
const STATUS = FLAG_SF | FLAG_ZF | FLAG_AF | FLAG_PF | FLAG_CF;

/** flags a condition code tests */
export const CC_READS: Record<string, number> = {
  o: FLAG_OF, no: FLAG_OF, b: FLAG_CF, ae: FLAG_CF, e: FLAG_ZF, ne: FLAG_ZF, be: FLAG_CF | FLAG_ZF, a: FLAG_CF | FLAG_ZF,
  s: FLAG_SF, ns: FLAG_SF, p: FLAG_PF, np: FLAG_PF, l: FLAG_SF | FLAG_OF, ge: FLAG_SF | FLAG_OF,
  le: FLAG_ZF | FLAG_SF | FLAG_OF, g: FLAG_ZF | FLAG_SF | FLAG_OF,
  // fcmov spellings
  nb: FLAG_CF, nbe: FLAG_CF | FLAG_ZF, u: FLAG_PF, nu: FLAG_PF,
};

// [read, written]
const T: Record<string, [number, number]> = {};
const set = (names: string, r: number, w: number): void => {
  for (const n of names.split(' ')) T[n] = [r, w];
};
set('add sub cmp neg cmpxchg xadd and or xor test imul mul div idiv shl shr sal sar shld shrd', 0, A);
set('bt bts btr btc bsf bsr tzcnt lzcnt popcnt andn blsr blsmsk blsi bzhi bextr', 0, A);
set('adc sbb', FLAG_CF, A);
set('inc dec', 0, A & ~FLAG_CF);
set('rol ror', 0, FLAG_CF | FLAG_OF);
set('rcl rcr', FLAG_CF, FLAG_CF | FLAG_OF);
set('cmc', FLAG_CF, FLAG_CF);
set('clc stc', 0, FLAG_CF);
set('cld std', 0, FLAG_DF);
set('sahf', 0, STATUS);
set('lahf', STATUS, 0);
set('pushf pushfq', A | FLAG_DF, 0);
set('popf popfq iret iretd iretq', 0, A | FLAG_DF);
set('comiss comisd ucomiss ucomisd vcomiss vcomisd vucomiss vucomisd ptest vptest', 0, A);
set('pcmpestri pcmpestrm pcmpistri pcmpistrm vpcmpestri vpcmpestrm vpcmpistri vpcmpistrm', 0, A);
set('fcomi fucomi fcompi fucompi', 0, A);
set('cmpxchg8b cmpxchg16b', 0, FLAG_ZF);
set('xtest rdrand rdseed xbegin xabort xend', 0, A);
set('loope loopne', FLAG_ZF, 0);
set('kortestb kortestw kortestd kortestq ktestb ktestw ktestd ktestq', 0, A);
// string instructions follow DF; the comparing ones set the arithmetic flags
for (const s of ['movs', 'stos', 'lods', 'ins', 'outs']) for (const z of 'bwdq') set(s + z, FLAG_DF, 0);
for (const s of ['cmps', 'scas']) for (const z of 'bwdq') set(s + z, FLAG_DF, A);
for (const [cc, r] of Object.entries(CC_READS)) {
  for (const p of ['j', 'set', 'cmov', 'fcmov']) if (!T[p + cc]) T[p + cc] = [r, 0];
}

function visit(n: Node | undefined, f: (e: Entry) => void): void {
  if (!n) return;
  if (n.node === 'e') f(n);
  else for (const s of n.sub) visit(s, f);
}

// SDM "LOCK": the read-modify-write instructions that accept the prefix (memory destination only)
const LOCKABLE = new Set('add adc and btc btr bts cmpxchg cmpxchg8b cmpxchg16b dec inc neg not or sbb sub xadd xchg xor'.split(' '));

/** Fills flagsRead/flagsWritten (from the 32-bit form's name) and lockable of every entry. */
export function annotate(tables: (Table | undefined)[]): void {
  for (const t of tables)
    if (t)
      for (const n of t)
        visit(n, (e) => {
          if (LOCKABLE.has(e.mn[1])) e.lockable = true;
          // capstone's "bnd" prefix: near branches and returns, but not loop* nor sysret/iret
          const fl = e.flow;
          if (((fl === 'jump' || fl === 'cjump' || fl === 'call' || fl === 'ijump' || fl === 'icall') && !e.mn[1].startsWith('loop')) || e.mn[1] === 'ret' || e.mn[1] === 'retf')
            e.bnd = true;
          const f = T[e.mn[1]] ?? T[e.mn[2]];
          if (f && e.flagsRead === 0 && e.flagsWritten === 0) {
            e.flagsRead = f[0];
            e.flagsWritten = f[1];
          }
        });
}
