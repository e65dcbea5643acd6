// The one-byte opcode map (SDM Vol. 2 Table A-2) for 64-bit mode, plus its ModRM groups and x87.
import { e, mod, reg, rm, pfx, w, table, type Node, type Table } from './spec.js';
import { X87 } from './map-x87.js';

export const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const SHIFT = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];

const t: Table = table();

// 00-3f: the eight ALU operations in their six forms each
ALU.forEach((m, i) => {
  const b = i * 8;
  const acc = m === 'cmp' ? 'r,r' : 'rw,r';
  t[b] = e(m, 'Eb,Gb', { acc });
  t[b + 1] = e(m, 'Ev,Gv', { acc });
  t[b + 2] = e(m, 'Gb,Eb', { acc });
  t[b + 3] = e(m, 'Gv,Ev', { acc });
  t[b + 4] = e(m, 'Ab,Ib', { acc });
  t[b + 5] = e(m, 'Av,Sz', { acc });
});
for (let r = 0; r < 8; r++) {
  t[0x50 + r] = e('push', 'Zs', { d64: true });
  t[0x58 + r] = e('pop', 'Zs', { d64: true, acc: 'w' });
}
// capstone decodes movsxd only in its REX.W form
t[0x63] = w(undefined, e('movsxd', 'Gv,Ed', { acc: 'w,r' }));
t[0x68] = e('push', 'Sz', { d64: true });
t[0x69] = e('imul', 'Gv,Ev,Sz', { acc: 'w,r' });
t[0x6a] = e('push', 'Sb', { d64: true });
t[0x6b] = e('imul', 'Gv,Ev,Sb', { acc: 'w,r' });
t[0x6c] = e('insb', 'Yb,D', { str: 'rep', acc: 'w,r' });
t[0x6d] = e('insw|insd|insd', 'Yz,D', { str: 'rep', acc: 'w,r' });
t[0x6e] = e('outsb', 'D,Xb', { str: 'rep' });
t[0x6f] = e('outsw|outsd|outsd', 'D,Xz', { str: 'rep' });
CC.forEach((c, i) => (t[0x70 + i] = e('j' + c, 'Jb', { flow: 'cjump' })));
t[0x80] = reg(...ALU.map((m) => e(m, 'Eb,Ib', { acc: m === 'cmp' ? 'r,r' : 'rw,r' })));
t[0x81] = reg(...ALU.map((m) => e(m, 'Ev,Sz', { acc: m === 'cmp' ? 'r,r' : 'rw,r' })));
t[0x83] = reg(...ALU.map((m) => e(m, 'Ev,Sb', { acc: m === 'cmp' ? 'r,r' : 'rw,r' })));
t[0x84] = e('test', 'Eb,Gb', { acc: 'r,r' });
t[0x85] = e('test', 'Ev,Gv', { acc: 'r,r' });
t[0x86] = e('xchg', 'Eb,Gb', { acc: 'rw,rw' });
t[0x87] = e('xchg', 'Ev,Gv', { acc: 'rw,rw' });
t[0x88] = e('mov', 'Eb,Gb', { acc: 'w,r' });
t[0x89] = e('mov', 'Ev,Gv', { acc: 'w,r' });
t[0x8a] = e('mov', 'Gb,Eb', { acc: 'w,r' });
t[0x8b] = e('mov', 'Gv,Ev', { acc: 'w,r' });
t[0x8c] = e('mov', 'ew,Tw', { acc: 'w,r' });
t[0x8d] = mod(e('lea', 'Gv,M0', { acc: 'w,-' }), undefined);
t[0x8e] = e('mov', 'Tw,ew', { acc: 'w,r' });
t[0x8f] = reg(e('pop', 'Es', { d64: true, acc: 'w' }));
// 90: nop, but xchg r8, rax with REX.B and pause with f3
t[0x90] = pfx(e('nop'), e('nop'), e('pause'), e('nop'));
for (let r = 1; r < 8; r++) t[0x90 + r] = e('xchg', 'Zv,Av', { acc: 'rw,rw' });
t[0x98] = e('cbw|cwde|cdqe');
t[0x99] = e('cwd|cdq|cqo');
t[0x9b] = e('wait');
t[0x9c] = e('pushf|pushfq|pushfq', '', { d64: true });
t[0x9d] = e('popf|popfq|popfq', '', { d64: true });
t[0x9e] = e('sahf');
t[0x9f] = e('lahf');
t[0xa0] = e('movabs', 'Ab,Ob', { acc: 'w,r' });
t[0xa1] = e('movabs', 'Av,Ov', { acc: 'w,r' });
t[0xa2] = e('movabs', 'Ob,Ab', { acc: 'w,r' });
t[0xa3] = e('movabs', 'Ov,Av', { acc: 'w,r' });
t[0xa4] = e('movsb', 'Yb,Xb', { str: 'rep', acc: 'w,r' });
t[0xa5] = e('movsw|movsd|movsq', 'Yv,Xv', { str: 'rep', acc: 'w,r' });
t[0xa6] = e('cmpsb', 'Xb,Yb', { str: 'repe' });
t[0xa7] = e('cmpsw|cmpsd|cmpsq', 'Xv,Yv', { str: 'repe' });
t[0xa8] = e('test', 'Ab,Ib', { acc: 'r,r' });
t[0xa9] = e('test', 'Av,Sz', { acc: 'r,r' });
t[0xaa] = e('stosb', 'Yb,Ab', { str: 'rep', acc: 'w,r' });
t[0xab] = e('stosw|stosd|stosq', 'Yv,Av', { str: 'rep', acc: 'w,r' });
t[0xac] = e('lodsb', 'Ab,Xb', { str: 'rep', acc: 'w,r' });
t[0xad] = e('lodsw|lodsd|lodsq', 'Av,Xv', { str: 'rep', acc: 'w,r' });
t[0xae] = e('scasb', 'Ab,Yb', { str: 'repe' });
t[0xaf] = e('scasw|scasd|scasq', 'Av,Yv', { str: 'repe' });
for (let r = 0; r < 8; r++) {
  t[0xb0 + r] = e('mov', 'Zb,Ib', { acc: 'w,r' });
  // the only 64-bit immediate: capstone calls the REX.W form movabs
  t[0xb8 + r] = e('mov|mov|movabs', 'Zv,Iv', { acc: 'w,r' });
}
t[0xc0] = reg(...SHIFT.map((m) => e(m, 'Eb,Ib', { acc: 'rw,r' })));
t[0xc1] = reg(...SHIFT.map((m) => e(m, 'Ev,Ib', { acc: 'rw,r' })));
t[0xc2] = e('ret', 'Iw', { flow: 'ret' });
t[0xc3] = e('ret', '', { flow: 'ret' });
t[0xc6] = reg(e('mov', 'Eb,Ib', { acc: 'w,r' }), undefined, undefined, undefined, undefined, undefined, undefined, mod(undefined, rm(e('xabort', 'Ib', { modrm: true }))));
t[0xc7] = reg(e('mov', 'Ev,Sz', { acc: 'w,r' }), undefined, undefined, undefined, undefined, undefined, undefined, mod(undefined, rm(e('xbegin', 'Jz', { modrm: true, flow: 'cjump' })) /* aborts continue at the target */));
t[0xc8] = e('enter', 'Iw,Ib');
t[0xc9] = e('leave', '', { d64: true });
t[0xca] = e('retf|retf|retfq', 'Iw', { flow: 'ret' });
t[0xcb] = e('retf|retf|retfq', '', { flow: 'ret' });
t[0xcc] = e('int3', '', { flow: 'trap' });
t[0xcd] = e('int', 'Ib', { flow: 'interrupt' });
t[0xcf] = e('iret|iretd|iretq', '', { flow: 'ret' });
t[0xd0] = reg(...SHIFT.map((m) => e(m, 'Eb,1', { acc: 'rw,r' })));
t[0xd1] = reg(...SHIFT.map((m) => e(m, 'Ev,1', { acc: 'rw,r' })));
t[0xd2] = reg(...SHIFT.map((m) => e(m, 'Eb,C', { acc: 'rw,r' })));
t[0xd3] = reg(...SHIFT.map((m) => e(m, 'Ev,C', { acc: 'rw,r' })));
t[0xd7] = e('xlatb');
for (let i = 0; i < 8; i++) t[0xd8 + i] = X87[i];
t[0xe0] = e('loopne', 'Jb', { flow: 'cjump' });
t[0xe1] = e('loope', 'Jb', { flow: 'cjump' });
t[0xe2] = e('loop', 'Jb', { flow: 'cjump' });
t[0xe3] = e('jrcxz', 'Jb', { flow: 'cjump' }); // jecxz with 67, fixed up in index.ts
t[0xe4] = e('in', 'Ab,Ib', { acc: 'w,r' });
t[0xe5] = e('in', 'Az,Ib', { acc: 'w,r' });
t[0xe6] = e('out', 'Ib,Ab');
t[0xe7] = e('out', 'Ib,Az');
t[0xe8] = e('call', 'Jz', { flow: 'call', d64: true, no66: true });
t[0xe9] = e('jmp', 'Jz', { flow: 'jump', d64: true, no66: true });
t[0xeb] = e('jmp', 'Jb', { flow: 'jump', d64: true });
t[0xec] = e('in', 'Ab,D', { acc: 'w,r' });
t[0xed] = e('in', 'Az,D', { acc: 'w,r' });
t[0xee] = e('out', 'D,Ab');
t[0xef] = e('out', 'D,Az');
t[0xf1] = e('int1', '', { flow: 'interrupt' });
t[0xf4] = e('hlt', '', { flow: 'trap' });
t[0xf5] = e('cmc');
const grp3 = (s: string, i: string): (Node | undefined)[] => [
  e('test', `E${s},${i}`, { acc: 'r,r' }),
  e('test', `E${s},${i}`, { acc: 'r,r' }),
  e('not', `E${s}`, { acc: 'rw' }),
  e('neg', `E${s}`, { acc: 'rw' }),
  e('mul', `E${s}`),
  e('imul', `E${s}`),
  e('div', `E${s}`),
  e('idiv', `E${s}`),
];
t[0xf6] = reg(...grp3('b', 'Ib'));
t[0xf7] = reg(...grp3('v', 'Sz'));
t[0xf8] = e('clc');
t[0xf9] = e('stc');
t[0xfa] = e('cli');
t[0xfb] = e('sti');
t[0xfc] = e('cld');
t[0xfd] = e('std');
t[0xfe] = reg(e('inc', 'Eb', { acc: 'rw' }), e('dec', 'Eb', { acc: 'rw' }));
t[0xff] = reg(
  e('inc', 'Ev', { acc: 'rw' }),
  e('dec', 'Ev', { acc: 'rw' }),
  e('call', 'Es', { flow: 'icall', d64: true }),
  // far call/jmp through memory: capstone prints plain call/jmp with a size-less "ptr"
  mod(e('call|call|lcall', 'M0', { flow: 'icall' }), undefined),
  e('jmp', 'Es', { flow: 'ijump', d64: true }),
  mod(e('jmp|jmp|ljmp', 'M0', { flow: 'ijump' }), undefined),
  e('push', 'Es', { d64: true }),
);

export const ONE_BYTE = t;
