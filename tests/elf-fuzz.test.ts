// Mutations of real binaries: every one must parse or fail with an ElfError (what, where);
// never another exception, a hang or a huge allocation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ElfError, readElf, type Elf } from '../tools/elf/index.js';
import { BUSYBOX, CORPUS } from './fixtures.js';

/** xorshift32: deterministic, so a failure reproduces from its case number */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

function touchAll(e: Elf): void {
  void e.header;
  void e.unsupported;
  if (!e.arch) return;
  void e.segments;
  void e.sections;
  for (const s of e.sections) e.sectionBytes(s);
  e.codeRanges();
  e.symbols();
  e.symbolCounts();
  e.relocations();
  e.relocationCounts();
  e.irelatives();
  e.dynamic();
  void e.interpreter;
  void e.linking;
  void e.isSharedLibrary;
  e.notes();
  void e.buildId;
  void e.tls;
  e.fdes();
  e.readVirtual(e.header.entry, 16);
}

function mutate(base: Uint8Array, r: (n: number) => number, hot: number[]): Uint8Array {
  const b = base.slice();
  switch (r(4)) {
    case 0: // flip bytes anywhere in the headers and tables
      for (let i = 0, n = 1 + r(8); i < n; i++) b[hot[r(hot.length)]] ^= 1 << r(8);
      break;
    case 1: // huge or zero counts and offsets in the ELF header
      {
        const dv = new DataView(b.buffer);
        const field = [0x20, 0x28, 0x36, 0x38, 0x3a, 0x3c, 0x3e][r(7)];
        const wide = field < 0x30;
        const v = [0, 1, 0xffff, 0x7fffffff, 0xffffffff][r(5)];
        if (wide) dv.setBigUint64(field, BigInt(v) << BigInt(r(2) * 32), true);
        else dv.setUint16(field, v & 0xffff, true);
      }
      break;
    case 2: // truncation
      return b.subarray(0, r(b.length));
    default: // overwrite an 8-byte word inside a table with garbage
      {
        const dv = new DataView(b.buffer);
        const at = hot[r(hot.length)] & ~7;
        if (at + 8 <= b.length) dv.setBigUint64(at, BigInt(r(0x7fffffff)) * BigInt(1 + r(0x7fffffff)), true);
      }
  }
  return b;
}

/** Offsets of the bytes that steer parsing: ELF/program/section headers and small tables. */
function hotBytes(b: Uint8Array): number[] {
  const e = readElf(b);
  const hot: number[] = [];
  for (let i = 0; i < 64; i++) hot.push(i);
  for (let i = 0; i < e.header.phnum * 56; i++) hot.push(e.header.phoff + i);
  for (let i = 0; i < e.header.shnum * 64; i++) hot.push(e.header.shoff + i);
  for (const s of e.sections) {
    if (['.dynamic', '.eh_frame', '.note.gnu.build-id', '.rela.plt', '.rela.dyn', '.dynsym', '.interp', '.note.ABI-tag'].includes(s.name)) {
      for (let i = 0; i < Math.min(s.size, 4096); i++) hot.push(s.offset + i);
    }
  }
  return hot.filter((o) => o < b.length);
}

// RECOMP_FUZZ_CASES / RECOMP_FUZZ_SEED run longer or other campaigns by hand
const CASES_PER_INPUT = Number(process.env.RECOMP_FUZZ_CASES ?? 1500);
const SEED = Number(process.env.RECOMP_FUZZ_SEED ?? 0x5eed);

describe('ELF reader fuzzing', () => {
  const inputs = [
    ['musl hello', join(CORPUS, 'x86_64-musl', 'hello')],
    ['static-pie hello', join(CORPUS, 'x86_64-glibc-pie', 'hello')],
    ['aarch64 hello', join(CORPUS, 'aarch64-glibc', 'hello')],
    ['ls', '/bin/ls'],
  ];
  it.each(inputs)('%s: mutations parse or fail with ElfError', (_n, path) => {
    const base = new Uint8Array(readFileSync(path));
    const hot = hotBytes(base);
    const r = rng(SEED ^ base.length);
    let errors = 0;
    const started = Date.now();
    for (let i = 0; i < CASES_PER_INPUT; i++) {
      const m = mutate(base, r, hot);
      try {
        touchAll(readElf(m));
      } catch (e) {
        if (!(e instanceof ElfError)) throw new Error(`case ${i}: ${(e as Error).stack}`);
        expect(e.message).toMatch(/offset 0x[0-9a-f]+/);
        errors++;
      }
    }
    // a mix of both outcomes shows the mutations reach the parser's checks
    expect(errors).toBeGreaterThan(CASES_PER_INPUT / 20);
    expect(errors).toBeLessThan(CASES_PER_INPUT);
    expect(Date.now() - started).toBeLessThan(60_000 * Math.max(1, CASES_PER_INPUT / 1500));
  });

  it('busybox headers with hostile counts fail fast', () => {
    const b = new Uint8Array(readFileSync(BUSYBOX));
    const dv = new DataView(b.buffer);
    dv.setUint16(0x3c, 0, true); // e_shnum 0: the count then comes from section 0...
    dv.setBigUint64(dv.getUint32(0x28, true) + 32, 0xffffffffn, true); // ...which claims 4 billion sections
    const t = Date.now();
    expect(() => readElf(b).sections).toThrow(ElfError);
    expect(Date.now() - t).toBeLessThan(100);
  });
});
