// Finding instructions without decoding everything: a byte search for their encoding,
// each match checked by decoding its function from the .eh_frame start (where an
// instruction is known to begin) up to it. What cannot be checked (no FDE around it)
// counts as found, so the searches never miss a real instruction.
import type { Elf } from '../elf/index.js';
import type { Decoder } from '../isa/types.js';

const X86_SYSCALL = Buffer.from([0x0f, 0x05]);
const X86_CPUID = Buffer.from([0x0f, 0xa2]);
const A64_SVC0 = Buffer.from([0x01, 0x00, 0x00, 0xd4]);

/**
 * Whether the code may hold a syscall (or cpuid) instruction, so that the many executables
 * that make no syscall of their own are not decoded at all: a byte search, and each match
 * checked by decoding the function around it (from its .eh_frame start) to see whether an
 * instruction starts there. A match outside every FDE counts as a site.
 */
export function mayHoldSyscalls(elf: Elf, decoder: Decoder, cpuid = false): boolean {
  const patterns = decoder.arch === 'x86_64' ? (cpuid ? [X86_SYSCALL, X86_CPUID] : [X86_SYSCALL]) : [A64_SVC0];
  let fdes: { start: number; end: number }[] | undefined;
  for (const r of elf.codeRanges()) {
    const b = Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    for (const pat of patterns) {
      for (let i = b.indexOf(pat); i >= 0; i = b.indexOf(pat, i + 1)) {
        if (decoder.arch === 'aarch64') {
          if ((r.address + i) % 4 === 0) return true;
          continue;
        }
        fdes ??= elf.fdes().slice().sort((x, y) => x.start - y.start);
        if (instructionStartsAt(r, r.address + i, fdes, decoder)) return true;
      }
    }
  }
  return false;
}

type Range = { address: number; bytes: Uint8Array };

/**
 * The functions (FDE ranges) holding a direct call or jump to one of `targets`, found by a
 * byte search for `e8`/`e9 rel32` checked by decoding; undefined when a match lies outside
 * every FDE (then only a whole-program sweep is sound). x86_64 only.
 */
export function directCallers(elf: Elf, decoder: Decoder, targets: Set<number>): Range[] | undefined {
  const fdes = elf.fdes().slice().sort((x, y) => x.start - y.start);
  const found = new Map<number, Range>();
  for (const r of elf.codeRanges()) {
    const b = r.bytes;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i + 5 <= b.length; i++) {
      if (b[i] !== 0xe8 && b[i] !== 0xe9) continue;
      const at = r.address + i;
      if (!targets.has(at + 5 + dv.getInt32(i + 1, true))) continue;
      const f = fdeAt(fdes, at);
      if (!f || f.start < r.address || f.end > r.address + b.length) return undefined;
      if (!found.has(f.start) && instructionStartsAt(r, at, fdes, decoder)) found.set(f.start, { address: f.start, bytes: b.subarray(f.start - r.address, f.end - r.address) });
    }
  }
  return [...found.values()];
}

function fdeAt(fdes: { start: number; end: number }[], address: number): { start: number; end: number } | undefined {
  let lo = 0;
  let hi = fdes.length - 1;
  let f: { start: number; end: number } | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (fdes[mid].start <= address) {
      f = fdes[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return f && address < f.end ? f : undefined;
}

/**
 * Whether decoding from the start of the FDE around `address` reaches it. Compiled code's
 * FDEs start on an instruction; glibc's signal trampoline (__restore_rt) deliberately
 * starts its FDE one byte early, so a start one byte later is tried too. In doubt (no FDE,
 * undecodable bytes) the answer is yes: a false site costs only precision.
 */
function instructionStartsAt(r: Range, address: number, fdes: { start: number; end: number }[], decoder: Decoder): boolean {
  const f = fdeAt(fdes, address);
  if (!f || f.start < r.address) return true;
  return reaches(r, f.start, address, decoder) !== false || reaches(r, f.start + 1, address, decoder) === true;
}

/** Whether decoding the function before `f` (from its FDE start, or the range start) lands exactly on f.start. */
function flowsInto(r: Range, fdes: { start: number; end: number }[], f: { start: number; end: number }, decoder: Decoder): boolean {
  if (f.start === r.address) return true;
  let prev = r.address;
  for (const g of fdes) if (g.start < f.start && g.start >= r.address && g.start > prev) prev = g.start;
  return reaches(r, prev, f.start, decoder) === true;
}

/** Decoding from `from`: true if it lands on `address`, false if it steps over it, undefined if it fails first. */
function reaches(r: Range, from: number, address: number, decoder: Decoder): boolean | undefined {
  let a = from;
  while (a < address) {
    const i = decoder.sweep(r.bytes, a - r.address, a);
    if (!i) return undefined;
    a += i.length;
  }
  return a === address;
}

/**
 * Addresses of the (checked) instructions with this encoding: x86_64 `syscall` or `cpuid`,
 * aarch64 `svc #0`; undefined when a match lies outside every FDE and so cannot be checked.
 */
export function siteAddresses(elf: Elf, decoder: Decoder, what: 'syscall' | 'cpuid'): number[] | undefined {
  const pat = decoder.arch === 'aarch64' ? (what === 'syscall' ? A64_SVC0 : undefined) : what === 'syscall' ? X86_SYSCALL : X86_CPUID;
  const out: number[] = [];
  if (!pat) return out;
  let fdes: { start: number; end: number }[] | undefined;
  for (const r of elf.codeRanges()) {
    const b = Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    for (let i = b.indexOf(pat); i >= 0; i = b.indexOf(pat, i + 1)) {
      const a = r.address + i;
      if (decoder.arch === 'aarch64') {
        if (a % 4 === 0) out.push(a);
        continue;
      }
      fdes ??= elf.fdes().slice().sort((x, y) => x.start - y.start);
      const f = fdeAt(fdes, a);
      if (!f || f.start < r.address || f.end > r.address + r.bytes.length) return undefined;
      if (instructionStartsAt(r, a, fdes, decoder)) out.push(a);
    }
  }
  return out;
}

/**
 * The functions (FDE ranges) holding `seeds`, closed under the direct jumps that enter them
 * from other functions (a hot part and its `.cold` part jump into each other): everything
 * a backward trace from a seed to its function's start can pass through. Undefined when a
 * seed or an entering jump lies outside every FDE. x86_64 only.
 */
export function localRanges(elf: Elf, decoder: Decoder, seeds: number[]): Range[] | undefined {
  const fdes = elf.fdes().slice().sort((x, y) => x.start - y.start);
  const code = elf.codeRanges();
  const chosen = new Map<number, { start: number; end: number }>();
  const add = (a: number): boolean => {
    const f = fdeAt(fdes, a);
    if (!f) return false;
    chosen.set(f.start, f);
    return true;
  };
  for (const s of seeds) {
    const f = fdeAt(fdes, s);
    const r = f && code.find((c) => f.start >= c.address && f.end <= c.address + c.bytes.length);
    // A Program sweeps each range from its start: that start must lead to the seed, and must
    // be where the code before it ends (hand-written trampolines start their FDE a byte
    // early, and decoding from there can read instructions that are not there).
    if (!f || !r || reaches(r, f.start, s, decoder) !== true || !flowsInto(r, fdes, f, decoder) || !add(s)) return undefined;
  }
  for (let round = 0; round < 16; round++) {
    // the chosen functions as sorted [start, end) pairs: few, so a linear test is fastest
    const spans = [...chosen.values()].sort((x, y) => x.start - y.start).flatMap((f) => [f.start, f.end]);
    const inside = (a: number) => {
      for (let k = 0; k < spans.length; k += 2) if (a >= spans[k] && a < spans[k + 1]) return true;
      return false;
    };
    let grew = false;
    for (const r of code) {
      const b = r.bytes;
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const end = b.length;
      for (let i = 0; i + 2 <= end; i++) {
        const op = b[i];
        let to: number;
        if (op === 0xe9) {
          if (i + 5 > end) continue;
          to = r.address + i + 5 + dv.getInt32(i + 1, true);
        } else if (op === 0x0f) {
          if ((b[i + 1] & 0xf0) !== 0x80 || i + 6 > end) continue;
          to = r.address + i + 6 + dv.getInt32(i + 2, true);
        } else if (op === 0xeb || (op & 0xf0) === 0x70) {
          to = r.address + i + 2 + dv.getInt8(i + 1);
        } else continue;
        const from = r.address + i;
        if (!inside(to) || inside(from)) continue;
        if (!instructionStartsAt(r, from, fdes, decoder)) continue;
        if (!add(from)) return undefined;
        grew = true;
      }
    }
    if (!grew) break;
  }
  const out: Range[] = [];
  for (const f of chosen.values()) {
    const r = code.find((c) => f.start >= c.address && f.end <= c.address + c.bytes.length);
    if (!r) return undefined;
    out.push({ address: f.start, bytes: r.bytes.subarray(f.start - r.address, f.end - r.address) });
  }
  return out;
}
