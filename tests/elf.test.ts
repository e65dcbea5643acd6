// The ELF reader against readelf (binutils), an independent oracle, on real binaries.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readElf, ElfError } from '../tools/elf/index.js';
import { BUSYBOX, corpusBinaries } from './fixtures.js';

// readelf exits non-zero on warnings it prints about debug links; its stdout is still the answer
const readelf = (...args: string[]) => spawnSync('readelf', ['-W', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
const hexNum = (s: string) => parseInt(s, 16);

function oracle(path: string) {
  const h = readelf('-h', path);
  const field = (name: string) => new RegExp(`^\\s*${name}:\\s*(.+)$`, 'm').exec(h)?.[1].trim() ?? '';
  const segs = [...readelf('-lW', path).matchAll(/^\s+([A-Z_]+|LOOS\+\S+|0x[0-9a-f]+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) /gm)].map((m) => ({
    type: m[1],
    offset: hexNum(m[2]),
    vaddr: hexNum(m[3]),
    filesz: hexNum(m[5]),
    memsz: hexNum(m[6]),
  }));
  const secs = [...readelf('-SW', path).matchAll(/^\s+\[\s*(\d+)\]\s+(\S*)\s+(\S+)\s+([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)/gm)].map((m) => ({
    index: Number(m[1]),
    name: m[2],
    addr: hexNum(m[4]),
    offset: hexNum(m[5]),
    size: hexNum(m[6]),
  }));
  const dyn = readelf('-d', path);
  const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)].map((m) => m[1]);
  const soname = /\(SONAME\)\s+Library soname: \[(.+)\]/.exec(dyn)?.[1];
  const interp = /\[Requesting program interpreter: (.+)\]/.exec(readelf('-l', path))?.[1];
  const relCounts: Record<string, number> = {};
  for (const m of readelf('-r', path).matchAll(/^[0-9a-f]{16}\s+[0-9a-f]{16}\s+(R_\S+)/gm)) relCounts[m[1]] = (relCounts[m[1]] ?? 0) + 1;
  const symtabCount = (table: string) => {
    const m = new RegExp(`Symbol table '\\${table}' contains (\\d+) entr(?:y|ies)`).exec(readelf('-s', '--dyn-syms', path));
    return m ? Number(m[1]) : 0;
  };
  const frames = readelf('--debug-dump=frames', path).split(/^Contents of the /m).find((part) => part.startsWith('.eh_frame section')) ?? '';
  const fdes = [...frames.matchAll(/ FDE cie=\S+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/g)].map((m) => `${hexNum(m[1])}-${hexNum(m[2])}`);
  const buildId = /Build ID: ([0-9a-f]+)/.exec(readelf('-n', path))?.[1];
  return {
    type: field('Type').split(' ')[0],
    entry: hexNum(field('Entry point address').replace(/^0x/, '')),
    segs,
    secs,
    needed,
    soname,
    interp,
    relCounts,
    symtab: symtabCount('.symtab'),
    dynsym: symtabCount('.dynsym'),
    fdes,
    buildId,
  };
}

const inputs: [string, string][] = [
  ['busybox', BUSYBOX],
  ['ls', '/bin/ls'],
  ['libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6'],
  ['aarch64 libc.so.6', '/usr/aarch64-linux-gnu/lib/libc.so.6'],
  ...corpusBinaries()
    .filter(([, n]) => ['hello', 'exceptions', 'control'].includes(n))
    .map(([v, n, p]): [string, string] => [`${v}/${n}`, p]),
];

describe('readElf agrees with readelf', () => {
  it.each(inputs)('%s', (_name, path) => {
    const want = oracle(path);
    const elf = readElf(readFileSync(path));
    expect(elf.header.typeName).toBe(want.type);
    expect(elf.header.entry).toBe(want.entry);
    expect(elf.segments.map((s) => ({ offset: s.offset, vaddr: s.vaddr, filesz: s.filesz, memsz: s.memsz }))).toEqual(
      want.segs.map((s) => ({ offset: s.offset, vaddr: s.vaddr, filesz: s.filesz, memsz: s.memsz })),
    );
    expect(elf.sections.slice(1).map((s) => ({ index: s.index, name: s.name, addr: s.addr, offset: s.offset, size: s.size }))).toEqual(want.secs.slice(1));
    expect(elf.dynamic().needed).toEqual(want.needed);
    expect(elf.dynamic().soname).toBe(want.soname);
    expect(elf.interpreter).toBe(want.interp);
    const counts = elf.relocationCounts();
    delete counts.RELR; // readelf -r lists RELR entries in its own format
    expect(counts).toEqual(want.relCounts);
    const sc = elf.symbolCounts();
    expect(sc.symtab).toBe(want.symtab);
    expect(sc.dynsym).toBe(want.dynsym);
    expect(elf.fdes().map((f) => `${f.start}-${f.end}`).sort()).toEqual(want.fdes.sort());
    expect(elf.buildId).toBe(want.buildId);
  });

  it('classifies linking and libraries', () => {
    const kinds = (p: string) => {
      const e = readElf(readFileSync(p));
      return [e.arch, e.linking, e.isSharedLibrary];
    };
    expect(kinds(BUSYBOX)).toEqual(['x86_64', 'static', false]);
    expect(kinds('/bin/ls')).toEqual(['x86_64', 'dynamic', false]);
    expect(kinds('/lib/x86_64-linux-gnu/libc.so.6')).toEqual(['x86_64', 'dynamic', true]);
    for (const [v, n, p] of corpusBinaries()) {
      if (n !== 'hello') continue;
      const e = readElf(readFileSync(p));
      expect([e.arch, e.linking], v).toEqual([v.startsWith('aarch64') ? 'aarch64' : 'x86_64', v.endsWith('pie') ? 'static-pie' : 'static']);
      expect(e.irelatives().length > 0 || v === 'x86_64-musl', v).toBe(true);
    }
  });

  it('reads code and FDEs through segments when section headers are stripped', () => {
    // /bin/ls: dynamic, so it has PT_GNU_EH_FRAME (static glibc binaries such as busybox do not)
    const b = new Uint8Array(readFileSync('/bin/ls'));
    const full = readElf(b).codeRanges().find((c) => c.name === '.text')!;
    const dv = new DataView(b.buffer, b.byteOffset);
    dv.setBigUint64(0x28, 0n, true); // e_shoff
    dv.setUint16(0x3c, 0, true); // e_shnum
    const stripped = readElf(b);
    expect(stripped.sections).toEqual([]);
    const seg = stripped.codeRanges()[0];
    expect(seg.address).toBeLessThanOrEqual(full.address);
    expect(Buffer.from(stripped.readVirtual(full.address, 64)!)).toEqual(Buffer.from(full.bytes.subarray(0, 64)));
    expect(stripped.fdes()).toEqual(readElf(readFileSync('/bin/ls')).fdes());
    expect(stripped.dynamic().needed).toEqual(readElf(readFileSync('/bin/ls')).dynamic().needed);
  });

  it('recognises 32-bit and foreign machines and says they are unsupported', () => {
    const b = new Uint8Array(readFileSync(BUSYBOX).subarray(0, 4096));
    b[4] = 1; // ELFCLASS32
    b[18] = 3; // EM_386
    b[19] = 0;
    const e32 = readElf(b);
    expect(e32.header.class).toBe(32);
    expect(e32.arch).toBeUndefined();
    expect(e32.unsupported).toMatch(/32-bit.*i386.*not supported/);
    const r = new Uint8Array(readFileSync(BUSYBOX).subarray(0, 4096));
    r[18] = 243; // EM_RISCV
    expect(readElf(r).unsupported).toMatch(/riscv is not supported/);
    expect(() => readElf(r).segments).toThrow(ElfError);
  });

  it('says what is wrong with truncated files, and where', () => {
    const b = readFileSync(BUSYBOX);
    expect(() => readElf(b.subarray(0, 10))).toThrow(/truncated|magic/);
    expect(() => readElf(new TextEncoder().encode('#!/bin/sh\n'))).toThrow(/not an ELF file/);
    const cut = readElf(b.subarray(0, 3000));
    expect(() => cut.sections).toThrow(/section header.*past end of file.*offset 0x/);
  });
});
