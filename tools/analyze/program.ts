// One object's code, decoded once in a linear sweep of its executable sections, kept compact
// (typed arrays: a 100 MB binary has tens of millions of instructions) with the indices the
// analyses share: direct jump and call targets, function starts, the import behind each PLT
// stub. Instructions are decoded again on demand when an analysis needs their operands.
import type { Elf } from '../elf/index.js';
import type { Decoder, Flow, Insn } from '../isa/types.js';
import { PageAddresses } from '../isa/aarch64/page-addresses.js';

const FLOWS: Flow[] = ['seq', 'jump', 'cjump', 'call', 'ijump', 'icall', 'ret', 'syscall', 'trap', 'interrupt'];
const FLOW_CODE = new Map(FLOWS.map((f, i) => [f, i]));
const FALLS_THROUGH = new Set([FLOW_CODE.get('seq'), FLOW_CODE.get('cjump'), FLOW_CODE.get('call'), FLOW_CODE.get('syscall'), FLOW_CODE.get('interrupt')]);

export class Program {
  /** instruction count */
  n = 0;
  addr: Float64Array;
  len: Uint8Array;
  flowCode: Uint8Array;
  /** direct target, NaN when none */
  target: Float64Array;
  /** branch target → indices of the direct jumps that reach it */
  jumpsTo = new Map<number, number[]>();
  callsTo = new Map<number, number[]>();
  functionStarts = new Set<number>();
  /** indices of instructions by kind, found during the sweep */
  syscallSites: number[] = [];
  cpuidSites: number[] = [];
  /** code addresses the code takes (x86_64 `lea reg, [rip+X]`): [instruction index, address] pairs */
  addressRefs: number[] = [];
  /** PLT stub address → the imported function it jumps to (x86_64) */
  plt = new Map<number, string>();
  undecodable = 0;
  private ranges: { address: number; bytes: Uint8Array }[];

  /** `ranges`: decode only these (whole functions), not every executable section */
  constructor(
    readonly elf: Elf,
    readonly decoder: Decoder,
    ranges?: { address: number; bytes: Uint8Array }[],
  ) {
    this.ranges = (ranges ?? elf.codeRanges()).slice().sort((a, b) => a.address - b.address);
    const cap = Math.max(1024, this.ranges.reduce((s, r) => s + r.bytes.length, 0) >> 1);
    let addr = new Float64Array(cap);
    let len = new Uint8Array(cap);
    let flow = new Uint8Array(cap);
    let target = new Float64Array(cap);
    const step = decoder.arch === 'aarch64' ? 4 : 1;
    const a64 = decoder.arch === 'aarch64';
    const pages = new PageAddresses();
    let n = 0;
    for (const r of this.ranges) {
      for (let off = 0; off < r.bytes.length; ) {
        const i = decoder.sweep(r.bytes, off, r.address + off);
        if (!i) {
          this.undecodable++;
          off += step;
          continue;
        }
        if (n === addr.length) {
          const grow = <T extends Float64Array | Uint8Array>(a: T): T => {
            const b = new (a.constructor as new (n: number) => T)(a.length * 2);
            b.set(a);
            return b;
          };
          addr = grow(addr);
          len = grow(len);
          flow = grow(flow);
          target = grow(target);
        }
        addr[n] = i.address;
        len[n] = i.length;
        flow[n] = FLOW_CODE.get(i.flow)!;
        target[n] = i.target ?? NaN;
        if (i.flow === 'syscall') this.syscallSites.push(n);
        else if (i.mnemonic === 'cpuid') this.cpuidSites.push(n);
        else if (i.mnemonic === 'lea') {
          const m = i.operands[1];
          if (m?.kind === 'mem' && m.base === 'rip') this.addressRefs.push(n, i.address + i.length + Number(m.disp));
        } else if (a64) {
          // code addresses aarch64 takes: adr xN, L; adrp xN, page then add xN, xN, #lo
          const src = i.operands[1];
          const paged = pages.next(i);
          if (i.mnemonic === 'adr' && src?.kind === 'imm') this.addressRefs.push(n, Number(src.value));
          else if (paged !== undefined) this.addressRefs.push(n, paged);
        }
        if (i.target !== undefined) {
          const m = i.flow === 'call' ? this.callsTo : i.flow === 'jump' || i.flow === 'cjump' ? this.jumpsTo : undefined;
          if (m) {
            const l = m.get(i.target);
            if (l) l.push(n);
            else m.set(i.target, [n]);
          }
        }
        n++;
        off += i.length;
      }
    }
    this.n = n;
    this.addr = addr;
    this.len = len;
    this.flowCode = flow;
    this.target = target;
    this.functionStarts.add(elf.header.entry);
    for (const t of this.callsTo.keys()) this.functionStarts.add(t);
    for (const s of elf.symbols()) if ((s.type === 'FUNC' || s.type === 'IFUNC') && s.value) this.functionStarts.add(s.value);
    for (const f of elf.fdes()) this.functionStarts.add(f.start);
    for (const a of elf.irelatives()) this.functionStarts.add(a);
    this.indexPlt();
  }

  /** index of the instruction starting at `address` (binary search), or undefined */
  at(address: number): number | undefined {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const a = this.addr[mid];
      if (a === address) return mid;
      if (a < address) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** the decoded instruction at index k (decoded again: operands are not kept) */
  insn(k: number): Insn {
    const a = this.addr[k];
    for (const r of this.ranges) {
      if (a >= r.address && a < r.address + r.bytes.length) return this.decoder.decode(r.bytes, a - r.address, a)!;
    }
    throw new Error(`no code at 0x${a.toString(16)}`);
  }

  flow(k: number): Flow {
    return FLOWS[this.flowCode[k]];
  }

  /** whether insns[k-1] runs straight into insns[k] */
  fallsInto(k: number): boolean {
    return k > 0 && this.addr[k - 1] + this.len[k - 1] === this.addr[k] && FALLS_THROUGH.has(this.flowCode[k - 1]);
  }

  /** whether control reaches insns[k] only from insns[k-1] falling through */
  straightFrom(k: number): boolean {
    const a = this.addr[k];
    return this.fallsInto(k) && !this.jumpsTo.has(a) && !this.functionStarts.has(a);
  }

  /** the start of the function holding insns[k]: the nearest function start at or before it */
  functionOf(k: number): number | undefined {
    for (let j = k; j >= 0 && k - j < 200000; j--) if (this.functionStarts.has(this.addr[j])) return this.addr[j];
    return undefined;
  }

  /**
   * PLT stubs and the import behind each, from the GOT slot a JUMP_SLOT/GLOB_DAT relocation
   * names: x86_64 `[endbr64;] [bnd] jmp [rip+slot]` (16-byte entries); aarch64
   * `adrp x16, page; ldr x17, [x16, #off]; add x16, x16, #off; br x17`.
   */
  private indexPlt(): void {
    const slots = new Map<number, string>();
    for (const r of this.elf.relocations()) if (r.symbolName && (r.typeName.endsWith('_JUMP_SLOT') || r.typeName.endsWith('_GLOB_DAT'))) slots.set(r.offset, r.symbolName);
    if (!slots.size) return;
    for (const sec of this.elf.sections) {
      if (!sec.name.startsWith('.plt')) continue;
      const first = this.at(sec.addr);
      if (first === undefined) continue;
      for (let k = first; k < this.n && this.addr[k] < sec.addr + sec.size; k++) {
        if (this.flow(k) !== 'ijump') continue;
        const i = this.insn(k);
        const m = i.operands[0];
        if (this.decoder.arch === 'x86_64') {
          if (m?.kind !== 'mem' || m.base !== 'rip') continue;
          const name = slots.get(i.address + i.length + Number(m.disp));
          if (!name) continue;
          this.plt.set(i.address, name);
          this.plt.set(i.address - (i.address % 16), name); // the stub's start (entries are 16-byte aligned)
        } else if (k >= 3) {
          const [adrp, ldr] = [this.insn(k - 3), this.insn(k - 2)];
          const page = adrp.mnemonic === 'adrp' ? adrp.operands[1] : undefined;
          const mem = ldr.mnemonic === 'ldr' ? ldr.operands[1] : undefined;
          if (page?.kind !== 'imm' || mem?.kind !== 'mem' || m?.kind !== 'reg' || ldr.operands[0]?.kind !== 'reg' || ldr.operands[0].reg !== m.reg) continue;
          const name = slots.get(Number(page.value) + Number(mem.disp));
          if (name) this.plt.set(adrp.address, name);
        }
      }
    }
  }
}

const cache = new WeakMap<Elf, Program>();

/** The `.plt*` sections: a Program over them alone indexes the stubs (x86_64). */
export function pltRanges(elf: Elf): { name: string; address: number; bytes: Uint8Array }[] {
  return elf.codeRanges().filter((r) => r.name.startsWith('.plt'));
}

export function programOf(elf: Elf, decoder: Decoder): Program {
  let p = cache.get(elf);
  if (!p) {
    p = new Program(elf, decoder);
    cache.set(elf, p);
  }
  return p;
}
