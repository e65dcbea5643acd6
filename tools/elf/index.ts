// ELF reader: lazy, bounds-checked, one DataView over the file, no copies.
// 64-bit little-endian x86_64/aarch64 fully; other classes/machines are recognised and
// reported as unsupported. Every malformed input ends in an ElfError naming what and where.
import type { Arch } from '../isa/types.js';

/** the file starts with \x7fELF */
export const hasElfMagic = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;

export class ElfError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at file offset 0x${offset.toString(16)})`);
    this.name = 'ElfError';
  }
}

export interface ElfHeader {
  class: 32 | 64;
  endian: 'little' | 'big';
  osabi: number;
  type: number;
  typeName: string;
  machine: number;
  machineName: string;
  entry: number;
  phoff: number;
  shoff: number;
  flags: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

export interface Segment {
  index: number;
  type: number;
  typeName: string;
  flags: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

export interface Section {
  index: number;
  name: string;
  type: number;
  typeName: string;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export interface Sym {
  name: string;
  value: number;
  size: number;
  type: string;
  bind: string;
  visibility: number;
  shndx: number;
  table: 'symtab' | 'dynsym';
}

export interface Reloc {
  offset: number;
  type: number;
  typeName: string;
  symbol: number;
  symbolName: string;
  addend: number;
  section: string;
}

export interface DynamicInfo {
  needed: string[];
  rpath?: string;
  runpath?: string;
  soname?: string;
  flags: number;
  flags1: number;
  bindNow: boolean;
  entries: { tag: number; tagName: string; value: number }[];
}

export interface Note {
  name: string;
  type: number;
  desc: Uint8Array;
}

const MACHINES: Record<number, string> = {
  0: 'none', 2: 'sparc', 3: 'i386', 8: 'mips', 20: 'ppc', 21: 'ppc64', 22: 's390', 40: 'arm', 42: 'sh',
  43: 'sparcv9', 50: 'ia64', 62: 'x86_64', 183: 'aarch64', 243: 'riscv', 247: 'bpf', 258: 'loongarch',
};
const TYPES: Record<number, string> = { 0: 'NONE', 1: 'REL', 2: 'EXEC', 3: 'DYN', 4: 'CORE' };
const PT: Record<number, string> = {
  0: 'NULL', 1: 'LOAD', 2: 'DYNAMIC', 3: 'INTERP', 4: 'NOTE', 5: 'SHLIB', 6: 'PHDR', 7: 'TLS',
  0x6474e550: 'GNU_EH_FRAME', 0x6474e551: 'GNU_STACK', 0x6474e552: 'GNU_RELRO', 0x6474e553: 'GNU_PROPERTY',
};
const SHT: Record<number, string> = {
  0: 'NULL', 1: 'PROGBITS', 2: 'SYMTAB', 3: 'STRTAB', 4: 'RELA', 5: 'HASH', 6: 'DYNAMIC', 7: 'NOTE', 8: 'NOBITS',
  9: 'REL', 11: 'DYNSYM', 14: 'INIT_ARRAY', 15: 'FINI_ARRAY', 16: 'PREINIT_ARRAY', 17: 'GROUP', 18: 'SYMTAB_SHNDX',
  19: 'RELR', 0x6ffffff6: 'GNU_HASH', 0x6ffffffd: 'VERDEF', 0x6ffffffe: 'VERNEED', 0x6fffffff: 'VERSYM',
};
const STT = ['NOTYPE', 'OBJECT', 'FUNC', 'SECTION', 'FILE', 'COMMON', 'TLS', '7', '8', '9', 'IFUNC'];
const STB = ['LOCAL', 'GLOBAL', 'WEAK'];
const DT: Record<number, string> = {
  0: 'NULL', 1: 'NEEDED', 2: 'PLTRELSZ', 3: 'PLTGOT', 4: 'HASH', 5: 'STRTAB', 6: 'SYMTAB', 7: 'RELA', 8: 'RELASZ',
  9: 'RELAENT', 10: 'STRSZ', 11: 'SYMENT', 12: 'INIT', 13: 'FINI', 14: 'SONAME', 15: 'RPATH', 16: 'SYMBOLIC',
  17: 'REL', 18: 'RELSZ', 19: 'RELENT', 20: 'PLTREL', 21: 'DEBUG', 22: 'TEXTREL', 23: 'JMPREL', 24: 'BIND_NOW',
  25: 'INIT_ARRAY', 26: 'FINI_ARRAY', 27: 'INIT_ARRAYSZ', 28: 'FINI_ARRAYSZ', 29: 'RUNPATH', 30: 'FLAGS',
  32: 'PREINIT_ARRAY', 33: 'PREINIT_ARRAYSZ', 35: 'RELRSZ', 36: 'RELR', 37: 'RELRENT',
  0x6ffffef5: 'GNU_HASH', 0x6ffffff0: 'VERSYM', 0x6ffffff9: 'RELACOUNT', 0x6ffffffa: 'RELCOUNT',
  0x6ffffffb: 'FLAGS_1', 0x6ffffffc: 'VERDEF', 0x6ffffffd: 'VERDEFNUM', 0x6ffffffe: 'VERNEED', 0x6fffffff: 'VERNEEDNUM',
};
const R_X86_64 = [
  'NONE', '64', 'PC32', 'GOT32', 'PLT32', 'COPY', 'GLOB_DAT', 'JUMP_SLOT', 'RELATIVE', 'GOTPCREL', '32', '32S', '16',
  'PC16', '8', 'PC8', 'DTPMOD64', 'DTPOFF64', 'TPOFF64', 'TLSGD', 'TLSLD', 'DTPOFF32', 'GOTTPOFF', 'TPOFF32', 'PC64',
  'GOTOFF64', 'GOTPC32', 'GOT64', 'GOTPCREL64', 'GOTPC64', 'GOTPLT64', 'PLTOFF64', 'SIZE32', 'SIZE64',
  'GOTPC32_TLSDESC', 'TLSDESC_CALL', 'TLSDESC', 'IRELATIVE', 'RELATIVE64', '39', '40', 'GOTPCRELX', 'REX_GOTPCRELX',
];
const R_AARCH64: Record<number, string> = {
  0: 'NONE', 257: 'ABS64', 258: 'ABS32', 259: 'ABS16', 260: 'PREL64', 261: 'PREL32', 262: 'PREL16',
  275: 'ADR_PREL_PG_HI21', 277: 'ADD_ABS_LO12_NC', 282: 'JUMP26', 283: 'CALL26', 311: 'ADR_GOT_PAGE',
  312: 'LD64_GOT_LO12_NC', 1024: 'COPY', 1025: 'GLOB_DAT', 1026: 'JUMP_SLOT', 1027: 'RELATIVE',
  1028: 'TLS_DTPMOD64', 1029: 'TLS_DTPREL64', 1030: 'TLS_TPREL64', 1031: 'TLSDESC', 1032: 'IRELATIVE',
};

const SHF_EXECINSTR = 0x4;
const PF_X = 1;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export interface Elf {
  readonly bytes: Uint8Array;
  readonly header: ElfHeader;
  readonly arch: Arch | undefined;
  readonly unsupported: string | undefined;
  readonly segments: Segment[];
  readonly sections: Section[];
  readonly linking: 'static' | 'static-pie' | 'dynamic';
  readonly interpreter: string | undefined;
  readonly tls: Segment | undefined;
  readonly isSharedLibrary: boolean;
  readonly buildId: string | undefined;
  section(name: string): Section | undefined;
  sectionBytes(s: Section): Uint8Array;
  readVirtual(vaddr: number, length: number): Uint8Array | undefined;
  codeRanges(): { name: string; address: number; bytes: Uint8Array }[];
  symbols(): Sym[];
  symbolCounts(): { symtab: number; dynsym: number; functions: number };
  relocations(): Reloc[];
  relocationCounts(): Record<string, number>;
  irelatives(): number[];
  dynamic(): DynamicInfo;
  notes(): Note[];
  fdes(): Fde[];
  /** C++ exception landing pads: from each FDE's LSDA call-site table */
  landingPads(): { fn: number; pad: number }[];
}

export interface Fde {
  start: number;
  end: number;
  /** address of the language-specific data area (C++: the call-site table), if any */
  lsda?: number;
}

export function readElf(bytes: Uint8Array): Elf {
  return new ElfFile(bytes);
}

class ElfFile implements Elf {
  readonly header: ElfHeader;
  readonly arch: Arch | undefined;
  readonly unsupported: string | undefined;
  private readonly dv: DataView;
  private readonly le: boolean;
  private cache = new Map<string, unknown>();

  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 16 || !hasElfMagic(bytes)) {
      throw new ElfError('not an ELF file: missing \\x7fELF magic', 0);
    }
    const cls = bytes[4];
    const data = bytes[5];
    if (cls !== 1 && cls !== 2) throw new ElfError(`invalid ELF class ${cls}`, 4);
    if (data !== 1 && data !== 2) throw new ElfError(`invalid ELF data encoding ${data}`, 5);
    this.le = data === 1;
    const is64 = cls === 2;
    const need = is64 ? 64 : 52;
    if (bytes.length < need) throw new ElfError(`truncated ELF header: ${bytes.length} bytes, need ${need}`, bytes.length);
    const u16 = (o: number) => this.dv.getUint16(o, this.le);
    const u32 = (o: number) => this.dv.getUint32(o, this.le);
    const word = (o: number) => (is64 ? this.u64(o) : u32(o));
    const machine = u16(18);
    const type = u16(16);
    const base = is64 ? 24 : 24;
    const ws = is64 ? 8 : 4;
    this.header = {
      class: is64 ? 64 : 32,
      endian: this.le ? 'little' : 'big',
      osabi: bytes[7],
      type,
      typeName: TYPES[type] ?? `0x${type.toString(16)}`,
      machine,
      machineName: MACHINES[machine] ?? `machine-${machine}`,
      entry: word(base),
      phoff: word(base + ws),
      shoff: word(base + 2 * ws),
      flags: u32(base + 3 * ws),
      phentsize: u16(base + 3 * ws + 6),
      phnum: u16(base + 3 * ws + 8),
      shentsize: u16(base + 3 * ws + 10),
      shnum: u16(base + 3 * ws + 12),
      shstrndx: u16(base + 3 * ws + 14),
    };
    const h = this.header;
    if (!is64) this.unsupported = `32-bit ELF (${h.machineName}) is not supported`;
    else if (!this.le) this.unsupported = `big-endian ELF (${h.machineName}) is not supported`;
    else if (machine === 62) this.arch = 'x86_64';
    else if (machine === 183) this.arch = 'aarch64';
    else this.unsupported = `machine ${h.machineName} is not supported`;
    if (this.arch) {
      if (h.phnum && h.phentsize !== 56) throw new ElfError(`program header entry size ${h.phentsize}, expected 56`, 54);
      if (h.shnum && h.shentsize !== 64) throw new ElfError(`section header entry size ${h.shentsize}, expected 64`, 58);
    }
  }

  private u64(o: number): number {
    const lo = this.dv.getUint32(o, this.le);
    const hi = this.dv.getUint32(o + 4, this.le);
    if (hi > 0x1fffff) throw new ElfError(`64-bit value 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} is beyond 2^53`, o);
    return hi * 0x100000000 + lo;
  }

  /** signed 64-bit (addends): large negative values are fine, beyond ±2^53 is an error */
  private s64(o: number): number {
    const v = this.dv.getBigInt64(o, this.le);
    if (v > BigInt(MAX_SAFE) || v < -BigInt(MAX_SAFE)) throw new ElfError(`signed 64-bit value ${v} is beyond 2^53`, o);
    return Number(v);
  }

  private memo<T>(key: string, f: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const v = f();
    this.cache.set(key, v);
    return v;
  }

  private check(off: number, len: number, what: string): void {
    if (off < 0 || len < 0 || off + len > this.bytes.length) {
      throw new ElfError(`${what} extends past end of file: offset 0x${off.toString(16)} + size 0x${len.toString(16)} > file size 0x${this.bytes.length.toString(16)}`, off);
    }
  }

  private requireSupported(): void {
    if (!this.arch) throw new ElfError(this.unsupported ?? 'unsupported ELF', 0);
  }

  get segments(): Segment[] {
    return this.memo('segments', () => {
      this.requireSupported();
      const h = this.header;
      this.check(h.phoff, h.phnum * 56, `program header table (${h.phnum} entries)`);
      const out: Segment[] = [];
      for (let i = 0; i < h.phnum; i++) {
        const o = h.phoff + i * 56;
        const type = this.dv.getUint32(o, true);
        out.push({
          index: i,
          type,
          typeName: PT[type] ?? `0x${type.toString(16)}`,
          flags: this.dv.getUint32(o + 4, true),
          offset: this.u64(o + 8),
          vaddr: this.u64(o + 16),
          paddr: this.u64(o + 24),
          filesz: this.u64(o + 32),
          memsz: this.u64(o + 40),
          align: this.u64(o + 48),
        });
      }
      return out;
    });
  }

  get sections(): Section[] {
    return this.memo('sections', () => {
      this.requireSupported();
      const h = this.header;
      if (h.shoff === 0) return [];
      let shnum = h.shnum;
      let shstrndx = h.shstrndx;
      this.check(h.shoff, 64, 'section header 0');
      if (shnum === 0) shnum = this.u64(h.shoff + 32); // PN_XNUM-style escape: the count lives in section 0
      if (shstrndx === 0xffff) shstrndx = this.dv.getUint32(h.shoff + 40, true);
      this.check(h.shoff, shnum * 64, `section header table (${shnum} entries)`);
      const out: Section[] = [];
      for (let i = 0; i < shnum; i++) {
        const o = h.shoff + i * 64;
        const type = this.dv.getUint32(o + 4, true);
        out.push({
          index: i,
          name: '',
          type,
          typeName: SHT[type] ?? `0x${type.toString(16)}`,
          flags: this.u64(o + 8),
          addr: this.u64(o + 16),
          offset: this.u64(o + 24),
          size: this.u64(o + 32),
          link: this.dv.getUint32(o + 40, true),
          info: this.dv.getUint32(o + 44, true),
          addralign: this.u64(o + 48),
          entsize: this.u64(o + 56),
        });
      }
      if (shstrndx && shstrndx < out.length) {
        const strtab = out[shstrndx];
        for (const s of out) s.name = this.str(strtab, this.dv.getUint32(h.shoff + s.index * 64, true), `section ${s.index} name`);
      }
      return out;
    });
  }

  section(name: string): Section | undefined {
    return this.sections.find((s) => s.name === name);
  }

  sectionBytes(s: Section): Uint8Array {
    if (s.type === 8) return new Uint8Array(0);
    this.check(s.offset, s.size, `section ${s.index} (${s.name || 'unnamed'})`);
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  /** A NUL-terminated string at `off` inside a string-table section (or a file range). */
  private str(tab: Section | { offset: number; size: number }, off: number, what: string): string {
    if (off >= tab.size) throw new ElfError(`${what}: string offset 0x${off.toString(16)} outside its string table (size 0x${tab.size.toString(16)})`, tab.offset);
    const start = tab.offset + off;
    const end = Math.min(tab.offset + tab.size, this.bytes.length);
    let i = start;
    while (i < end && this.bytes[i] !== 0) i++;
    if (i >= end) throw new ElfError(`${what}: string not terminated inside its string table`, start);
    return decodeLatin1(this.bytes, start, i);
  }

  /** File offset of a virtual address inside a PT_LOAD's file-backed part, or -1. */
  private fileOffset(vaddr: number, length: number): number {
    for (const s of this.segments) {
      if (s.type !== 1) continue;
      if (vaddr >= s.vaddr && vaddr + length <= s.vaddr + s.filesz) {
        const off = s.offset + (vaddr - s.vaddr);
        return off + length <= this.bytes.length ? off : -1;
      }
    }
    return -1;
  }

  readVirtual(vaddr: number, length: number): Uint8Array | undefined {
    const off = this.fileOffset(vaddr, length);
    return off < 0 ? undefined : this.bytes.subarray(off, off + length);
  }

  codeRanges(): { name: string; address: number; bytes: Uint8Array }[] {
    return this.memo('code', () => {
      const secs = this.sections.filter((s) => s.type === 1 && s.flags & SHF_EXECINSTR && s.size > 0);
      if (secs.length) return secs.map((s) => ({ name: s.name, address: s.addr, bytes: this.sectionBytes(s) }));
      return this.segments
        .filter((p) => p.type === 1 && p.flags & PF_X && p.filesz > 0)
        .map((p) => {
          this.check(p.offset, p.filesz, `segment ${p.index}`);
          return { name: `segment${p.index}`, address: p.vaddr, bytes: this.bytes.subarray(p.offset, p.offset + p.filesz) };
        });
    });
  }

  get interpreter(): string | undefined {
    return this.memo('interp', () => {
      const p = this.segments.find((s) => s.type === 3);
      if (!p) return undefined;
      this.check(p.offset, p.filesz, 'PT_INTERP');
      const b = this.bytes.subarray(p.offset, p.offset + p.filesz);
      const nul = b.indexOf(0);
      return decodeLatin1(b, 0, nul < 0 ? b.length : nul);
    });
  }

  get tls(): Segment | undefined {
    return this.segments.find((s) => s.type === 7);
  }

  get linking(): 'static' | 'static-pie' | 'dynamic' {
    return this.memo('linking', () => {
      if (this.interpreter !== undefined || this.dynamic().needed.length) return 'dynamic';
      return this.header.type === 3 ? 'static-pie' : 'static';
    });
  }

  get isSharedLibrary(): boolean {
    return this.memo('shlib', () => {
      if (this.header.type !== 3) return false;
      const d = this.dynamic();
      if (d.flags1 & 0x08000000) return false; // DF_1_PIE: a position-independent executable
      if (d.soname !== undefined) return true; // libc.so.6 has an interpreter and an entry, and is still a library
      return this.interpreter === undefined && this.header.entry === 0;
    });
  }

  /** Dynamic entries: from the SHT_DYNAMIC section, else the PT_DYNAMIC segment. */
  private dynamicEntries(): { tag: number; value: number; at: number }[] {
    return this.memo('dynents', () => {
      const sec = this.sections.find((s) => s.type === 6);
      const seg = this.segments.find((s) => s.type === 2);
      const off = sec ? sec.offset : seg ? seg.offset : -1;
      const size = sec ? sec.size : seg ? seg.filesz : 0;
      if (off < 0) return [];
      this.check(off, size, 'dynamic section');
      const out: { tag: number; value: number; at: number }[] = [];
      for (let o = off; o + 16 <= off + size; o += 16) {
        const tagBig = this.dv.getBigInt64(o, true);
        if (tagBig === 0n) break;
        const tag = tagBig > 0x7fffffffn || tagBig < 0n ? -1 : Number(tagBig);
        out.push({ tag, value: tag === -1 ? 0 : Number(this.dv.getBigUint64(o + 8, true) & 0x1fffffffffffffn), at: o });
      }
      return out;
    });
  }

  dynamic(): DynamicInfo {
    return this.memo('dynamic', () => {
      const ents = this.dynamicEntries();
      const get = (t: number) => ents.find((e) => e.tag === t)?.value;
      const info: DynamicInfo = { needed: [], flags: get(30) ?? 0, flags1: get(0x6ffffffb) ?? 0, bindNow: false, entries: [] };
      info.entries = ents.map((e) => ({ tag: e.tag, tagName: DT[e.tag] ?? `0x${e.tag.toString(16)}`, value: e.value }));
      info.bindNow = get(24) !== undefined || (info.flags & 8) !== 0 || (info.flags1 & 1) !== 0;
      if (!ents.length) return info;
      const strtabAddr = get(5);
      const strsz = get(10) ?? 0;
      if (strtabAddr === undefined) throw new ElfError('dynamic section without DT_STRTAB', ents[0].at);
      let strOff = this.fileOffset(strtabAddr, Math.max(1, strsz));
      if (strOff < 0) {
        // static-pie/relocatable quirk: DT_STRTAB may hold a file-relative address; fall back to .dynstr
        const ds = this.section('.dynstr');
        if (!ds) throw new ElfError(`DT_STRTAB 0x${strtabAddr.toString(16)} is not inside any loaded segment`, ents[0].at);
        strOff = ds.offset;
      }
      const tab = { offset: strOff, size: strsz || this.bytes.length - strOff };
      for (const e of ents) {
        if (e.tag === 1) info.needed.push(this.str(tab, e.value, 'DT_NEEDED'));
        else if (e.tag === 15) info.rpath = this.str(tab, e.value, 'DT_RPATH');
        else if (e.tag === 29) info.runpath = this.str(tab, e.value, 'DT_RUNPATH');
        else if (e.tag === 14) info.soname = this.str(tab, e.value, 'DT_SONAME');
      }
      return info;
    });
  }

  symbols(): Sym[] {
    return this.memo('symbols', () => {
      const out: Sym[] = [];
      for (const s of this.sections) {
        if (s.type !== 2 && s.type !== 11) continue;
        const table = s.type === 2 ? 'symtab' : 'dynsym';
        if (s.entsize !== 24) throw new ElfError(`${s.name} entry size ${s.entsize}, expected 24`, s.offset);
        this.sectionBytes(s);
        const strtab = this.sections[s.link];
        if (!strtab) throw new ElfError(`${s.name} links to missing string table ${s.link}`, s.offset);
        const n = Math.floor(s.size / 24);
        for (let i = 0; i < n; i++) {
          const o = s.offset + i * 24;
          const info = this.bytes[o + 4];
          const nameOff = this.dv.getUint32(o, true);
          out.push({
            name: nameOff ? this.str(strtab, nameOff, `${s.name}[${i}] name`) : '',
            type: STT[info & 15] ?? String(info & 15),
            bind: STB[info >> 4] ?? String(info >> 4),
            visibility: this.bytes[o + 5] & 3,
            shndx: this.dv.getUint16(o + 6, true),
            value: this.u64(o + 8),
            size: this.u64(o + 16),
            table,
          });
        }
      }
      return out;
    });
  }

  symbolCounts() {
    const syms = this.symbols();
    let symtab = 0;
    let dynsym = 0;
    let functions = 0;
    for (const s of syms) {
      if (s.table === 'symtab') symtab++;
      else dynsym++;
      if (s.type === 'FUNC' || s.type === 'IFUNC') functions++;
    }
    return { symtab, dynsym, functions };
  }

  private relName(type: number): string {
    if (this.arch === 'x86_64') return 'R_X86_64_' + (R_X86_64[type] ?? String(type));
    return 'R_AARCH64_' + (R_AARCH64[type] ?? String(type));
  }

  relocations(): Reloc[] {
    return this.memo('relocs', () => {
      const out: Reloc[] = [];
      const syms = this.sections;
      for (const s of syms) {
        if (s.type !== 4 && s.type !== 9 && s.type !== 19) continue;
        const data = this.sectionBytes(s);
        if (s.type === 19) {
          for (const a of decodeRelr(data, this.dv, s.offset)) out.push({ offset: a, type: -1, typeName: 'RELR', symbol: 0, symbolName: '', addend: 0, section: s.name });
          continue;
        }
        const ent = s.type === 4 ? 24 : 16;
        const symSec = this.sections[s.link];
        const n = Math.floor(s.size / ent);
        for (let i = 0; i < n; i++) {
          const o = s.offset + i * ent;
          const info = this.dv.getBigUint64(o + 8, true);
          const type = Number(info & 0xffffffffn);
          const symbol = Number(info >> 32n);
          let symbolName = '';
          if (symbol && symSec && (symSec.type === 2 || symSec.type === 11)) {
            const so = symSec.offset + symbol * 24;
            if (symbol * 24 + 24 > symSec.size) throw new ElfError(`${s.name}[${i}]: symbol index ${symbol} outside ${symSec.name}`, o);
            const nameOff = this.dv.getUint32(so, true);
            const strtab = this.sections[symSec.link];
            if (nameOff && strtab) symbolName = this.str(strtab, nameOff, `${s.name}[${i}] symbol name`);
          }
          out.push({ offset: this.u64(o), type, typeName: this.relName(type), symbol, symbolName, addend: s.type === 4 ? this.s64(o + 16) : 0, section: s.name });
        }
      }
      return out;
    });
  }

  relocationCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.relocations()) counts[r.typeName] = (counts[r.typeName] ?? 0) + 1;
    return counts;
  }

  irelatives(): number[] {
    const irel = this.arch === 'x86_64' ? 37 : 1032;
    return this.relocations().filter((r) => r.type === irel).map((r) => r.addend);
  }

  notes(): Note[] {
    return this.memo('notes', () => {
      const ranges = this.sections.length
        ? this.sections.filter((s) => s.type === 7).map((s) => [s.offset, s.size])
        : this.segments.filter((p) => p.type === 4).map((p) => [p.offset, p.filesz]);
      const out: Note[] = [];
      for (const [off, size] of ranges) {
        this.check(off, size, 'note');
        let o = off;
        while (o + 12 <= off + size) {
          const namesz = this.dv.getUint32(o, true);
          const descsz = this.dv.getUint32(o + 4, true);
          const type = this.dv.getUint32(o + 8, true);
          const nameEnd = o + 12 + namesz;
          const descStart = o + 12 + align4(namesz);
          const descEnd = descStart + descsz;
          if (descEnd > off + size) throw new ElfError(`note at 0x${o.toString(16)} overruns its section`, o);
          out.push({ name: decodeLatin1(this.bytes, o + 12, Math.max(o + 12, nameEnd - 1)), type, desc: this.bytes.subarray(descStart, descEnd) });
          o = descStart + align4(descsz);
        }
      }
      return out;
    });
  }

  get buildId(): string | undefined {
    const n = this.notes().find((x) => x.name === 'GNU' && x.type === 3);
    return n ? Buffer.from(n.desc).toString('hex') : undefined;
  }

  landingPads(): { fn: number; pad: number }[] {
    return this.memo('landingPads', () => {
      const out: { fn: number; pad: number }[] = [];
      for (const f of this.fdes()) {
        if (f.lsda === undefined) continue;
        const o = this.fileOffset(f.lsda, 4);
        if (o < 0) continue;
        const seg = this.segments.find((s) => s.type === 1 && f.lsda! >= s.vaddr && f.lsda! < s.vaddr + s.filesz);
        if (!seg) continue;
        for (const pad of parseLsda(this.dv, o, seg.offset + seg.filesz, f.lsda - o, f.start)) out.push({ fn: f.start, pad });
      }
      return out;
    });
  }

  fdes(): Fde[] {
    return this.memo('fdes', () => {
      let sec = this.section('.eh_frame');
      let off: number;
      let size: number;
      let addr: number;
      if (sec && sec.type !== 8) {
        this.sectionBytes(sec);
        off = sec.offset;
        size = sec.size;
        addr = sec.addr;
      } else {
        const hdr = this.segments.find((s) => s.type === 0x6474e550);
        if (!hdr) return [];
        const ptr = this.ehFramePtrFromHdr(hdr);
        if (ptr === undefined) return [];
        const o = this.fileOffset(ptr, 4);
        if (o < 0) return [];
        // without sections the extent is unknown: parse up to the end of its segment
        const seg = this.segments.find((s) => s.type === 1 && ptr >= s.vaddr && ptr < s.vaddr + s.filesz)!;
        off = o;
        size = seg.offset + seg.filesz - o;
        addr = ptr;
      }
      return parseEhFrame(this.dv, off, size, addr);
    });
  }

  private ehFramePtrFromHdr(hdr: Segment): number | undefined {
    this.check(hdr.offset, 4, 'eh_frame_hdr');
    const enc = this.bytes[hdr.offset + 1];
    const r = readEncoded(this.dv, hdr.offset + 4, enc, hdr.vaddr + 4, hdr.offset + hdr.filesz);
    return r?.value;
  }
}

/** rounds up to 4 without 32-bit wraparound (note sizes are untrusted 32-bit values) */
const align4 = (n: number) => Math.ceil(n / 4) * 4;

// Node's native Latin-1 decoder, applied to any Uint8Array (eight times faster than
// String.fromCharCode on the short names symbol tables are made of).
const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;
function decodeLatin1(b: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(b, start, end);
}

/** RELR: a 64-bit address followed by bitmaps of the next 63 words to relocate. */
function decodeRelr(data: Uint8Array, dv: DataView, base: number): number[] {
  const out: number[] = [];
  let where = 0;
  for (let i = 0; i + 8 <= data.length; i += 8) {
    const e = dv.getBigUint64(base + i, true);
    if ((e & 1n) === 0n) {
      if (e > BigInt(MAX_SAFE)) throw new ElfError('RELR address beyond 2^53', base + i);
      where = Number(e);
      out.push(where);
      where += 8;
    } else {
      let bits = e >> 1n;
      for (let k = 0; bits; k++, bits >>= 1n) if (bits & 1n) out.push(where + k * 8);
      where += 63 * 8;
    }
  }
  return out;
}

/** A DW_EH_PE-encoded pointer at file offset `o` whose address is `pc`. */
function readEncoded(dv: DataView, o: number, enc: number, pc: number, limit: number): { value: number; size: number } | undefined {
  if (enc === 0xff) return undefined;
  const fmt = enc & 0x0f;
  let v: number;
  let size: number;
  const need = (n: number) => {
    if (o + n > limit) throw new ElfError('encoded pointer overruns .eh_frame', o);
  };
  switch (fmt) {
    case 0x01: [v, size] = uleb(dv, o, limit); break;
    case 0x09: [v, size] = sleb(dv, o, limit); break;
    case 0x00: need(8); v = Number(dv.getBigUint64(o, true) & 0x1fffffffffffffn); size = 8; break; // absptr
    case 0x02: need(2); v = dv.getUint16(o, true); size = 2; break;
    case 0x03: need(4); v = dv.getUint32(o, true); size = 4; break;
    case 0x04: need(8); v = Number(dv.getBigUint64(o, true) & 0x1fffffffffffffn); size = 8; break;
    case 0x0a: need(2); v = dv.getInt16(o, true); size = 2; break;
    case 0x0b: need(4); v = dv.getInt32(o, true); size = 4; break;
    case 0x0c: need(8); v = Number(dv.getBigInt64(o, true)); size = 8; break;
    default:
      throw new ElfError(`unsupported pointer encoding 0x${enc.toString(16)}`, o);
  }
  if ((enc & 0x70) === 0x10) v += pc; // pcrel
  return { value: v, size };
}

function uleb(dv: DataView, o: number, limit: number): [number, number] {
  let v = 0;
  let shift = 0;
  let i = o;
  for (;;) {
    if (i >= limit) throw new ElfError('LEB128 runs past the end of its record', i);
    const b = dv.getUint8(i++);
    if (shift < 49) v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  return [v, i - o];
}

function sleb(dv: DataView, o: number, limit: number): [number, number] {
  let v = 0;
  let shift = 0;
  let i = o;
  let b = 0;
  for (;;) {
    if (i >= limit) throw new ElfError('LEB128 runs past the end of its record', i);
    b = dv.getUint8(i++);
    if (shift < 49) v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  if (b & 0x40 && shift < 53) v -= 2 ** shift;
  return [v, i - o];
}

/** FDE pc ranges of an .eh_frame image at file offset `off`, loaded at `addr`. */
function parseEhFrame(dv: DataView, off: number, size: number, addr: number): Fde[] {
  const out: Fde[] = [];
  const cieEnc = new Map<number, CieInfo>();
  const end = off + size;
  let o = off;
  while (o + 4 <= end) {
    let len = dv.getUint32(o, true);
    let hdr = 4;
    if (len === 0) break; // terminator
    if (len === 0xffffffff) {
      if (o + 12 > end) throw new ElfError('truncated 64-bit .eh_frame length', o);
      const l = dv.getBigUint64(o + 4, true);
      if (l > BigInt(size)) throw new ElfError('.eh_frame record longer than its section', o);
      len = Number(l);
      hdr = 12;
    }
    const body = o + hdr;
    const recEnd = body + len;
    if (recEnd > end) throw new ElfError('.eh_frame record overruns its section', o);
    if (body + 4 > recEnd) throw new ElfError('.eh_frame record too short', o);
    const id = dv.getUint32(body, true);
    if (id === 0) {
      cieEnc.set(o, cieFdeEncoding(dv, body + 4, recEnd));
    } else {
      const cie = body - id;
      let enc = cieEnc.get(cie);
      if (enc === undefined) {
        if (cie < off || cie + 8 > end) throw new ElfError('FDE points to a CIE outside .eh_frame', body);
        const cl = dv.getUint32(cie, true);
        enc = cieFdeEncoding(dv, cie + 8, Math.min(end, cie + 4 + cl));
        cieEnc.set(cie, enc);
      }
      const p = body + 4;
      const start = readEncoded(dv, p, enc.fde, addr + (p - off), recEnd);
      if (start) {
        const range = readEncoded(dv, p + start.size, enc.fde & 0x0f, 0, recEnd);
        if (range && range.value > 0) {
          const fde: Fde = { start: start.value, end: start.value + range.value };
          if (enc.lsda !== undefined) {
            // augmentation data: its length, then the LSDA pointer
            let q = p + start.size + range.size;
            q += uleb(dv, q, recEnd)[1];
            const l = readEncoded(dv, q, enc.lsda, addr + (q - off), recEnd);
            if (l && l.value) fde.lsda = l.value;
          }
          out.push(fde);
        }
      }
    }
    o = recEnd;
  }
  return out;
}

interface CieInfo {
  /** FDE pointer encoding (augmentation 'R'; absptr by default) */
  fde: number;
  /** LSDA pointer encoding (augmentation 'L'), when FDEs carry one */
  lsda?: number;
}

/** The pointer encodings a CIE declares. */
function cieFdeEncoding(dv: DataView, o: number, end: number): CieInfo {
  const info: CieInfo = { fde: 0 };
  const version = dv.getUint8(o);
  let p = o + 1;
  let aug = '';
  while (p < end && dv.getUint8(p) !== 0) aug += String.fromCharCode(dv.getUint8(p++));
  p++;
  if (!aug.startsWith('z')) return info;
  p += uleb(dv, p, end)[1]; // code alignment
  // data alignment (sleb): same byte length as uleb
  p += uleb(dv, p, end)[1];
  if (version === 1) p += 1;
  else p += uleb(dv, p, end)[1];
  p += uleb(dv, p, end)[1]; // augmentation length
  for (const c of aug.slice(1)) {
    if (p >= end) throw new ElfError('CIE augmentation overruns its record', p);
    if (c === 'R') info.fde = dv.getUint8(p++);
    else if (c === 'L') info.lsda = dv.getUint8(p++);
    else if (c === 'P') {
      const penc = dv.getUint8(p);
      const r = readEncoded(dv, p + 1, penc & 0x7f, 0, end);
      p += 1 + (r?.size ?? 0);
    } else if (c === 'S' || c === 'B' || c === 'G') continue;
    else break;
  }
  return info;
}

/**
 * Landing pads of a GCC LSDA at file offset `o` (guest address o + `delta`): the header
 * (landing-pad base, type table, call-site encoding), then call sites whose landing pad
 * is an offset from the base (the function start unless the header names one).
 */
function parseLsda(dv: DataView, o: number, limit: number, delta: number, fnStart: number): number[] {
  const pads: number[] = [];
  let p = o;
  const need = (n: number) => {
    if (p + n > limit) throw new ElfError('LSDA overruns its segment', p);
  };
  need(1);
  const lpEnc = dv.getUint8(p++);
  let lpStart = fnStart;
  if (lpEnc !== 0xff) {
    const r = readEncoded(dv, p, lpEnc, p + delta, limit)!;
    lpStart = r.value;
    p += r.size;
  }
  need(1);
  const ttEnc = dv.getUint8(p++);
  if (ttEnc !== 0xff) p += uleb(dv, p, limit)[1];
  need(1);
  const csEnc = dv.getUint8(p++);
  const [csLen, n] = uleb(dv, p, limit);
  p += n;
  const end = p + csLen;
  if (end > limit) throw new ElfError('LSDA call-site table overruns its segment', p);
  while (p < end) {
    for (let k = 0; k < 2; k++) p += readEncoded(dv, p, csEnc, 0, end)!.size; // start, length
    const lp = readEncoded(dv, p, csEnc, 0, end)!;
    p += lp.size;
    p += uleb(dv, p, end)[1]; // action
    if (lp.value) pads.push(lpStart + lp.value);
  }
  return pads;
}
