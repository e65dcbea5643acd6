// Recognising library functions in stripped static executables by signature: the bytes of
// every function of a static library archive (libc.a), with the bytes the linker fills in
// (relocation fields, and the instruction bytes it may rewrite when it relaxes a GOT or TLS
// access) masked out. A function of the executable whose bytes equal a signature's unmasked
// bytes, over the signature's whole length, gets its name.
import { ElfError, readElf } from '../elf/index.js';

export class SignatureError extends Error {}

export interface Signature {
  name: string;
  /** archive member, section and offset of the symbol: aliases share it */
  body: string;
  bytes: Uint8Array;
  /** 1 where the byte is the linker's to fill in */
  mask: Uint8Array;
}

export interface SignatureSet {
  source: string;
  signatures: Signature[];
}

/** functions shorter than this match too much by chance (a `ret`, a jump) */
const MIN_BYTES = 16;

/** the members of a System V / GNU `ar` archive: name and bytes */
export function* archiveMembers(b: Uint8Array, what: string): Generator<{ name: string; bytes: Uint8Array }> {
  const text = (o: number, n: number) => Buffer.from(b.subarray(o, o + n)).toString('latin1');
  if (text(0, 8) !== '!<arch>\n') throw new SignatureError(`${what}: not an ar archive (no !<arch> magic)`);
  let p = 8;
  let longNames = '';
  while (p + 60 <= b.length) {
    if (text(p + 58, 2) !== '`\n') throw new SignatureError(`${what}: malformed member header at offset ${p}`);
    const rawName = text(p, 16).trimEnd();
    const size = Number(text(p + 48, 10).trim());
    if (!Number.isSafeInteger(size) || size < 0 || p + 60 + size > b.length) throw new SignatureError(`${what}: member at offset ${p} has a bad size`);
    const data = b.subarray(p + 60, p + 60 + size);
    p += 60 + size + (size & 1);
    if (rawName === '/' || rawName === '/SYM64/') continue; // symbol index
    if (rawName === '//') {
      longNames = Buffer.from(data).toString('latin1');
      continue;
    }
    let name = rawName;
    if (/^\/\d+$/.test(rawName)) {
      const at = Number(rawName.slice(1));
      const end = longNames.indexOf('/\n', at);
      name = longNames.slice(at, end < 0 ? undefined : end);
    } else if (name.endsWith('/')) name = name.slice(0, -1);
    yield { name, bytes: data };
  }
}

/** bytes of the instruction a relocation of this type sits in that the linker may rewrite (before the field) */
const RELAXABLE_PREFIX: Record<string, number> = { R_X86_64_GOTPCRELX: 2, R_X86_64_REX_GOTPCRELX: 3, R_X86_64_GOTTPOFF: 3, R_X86_64_TLSGD: 4, R_X86_64_TLSLD: 3, R_X86_64_GOTPC32_TLSDESC: 3 };
/** size of the field each relocation type fills */
function fieldSize(type: string): number {
  if (/^R_X86_64_(64|PC64|GOTOFF64|GOT64|GOTPCREL64|GOTPC64|GOTPLT64|PLTOFF64|SIZE64|DTPOFF64|TPOFF64|DTPMOD64)$/.test(type)) return 8;
  if (type === 'R_X86_64_TLSDESC_CALL') return 2; // call *(%rax) may become a nop
  if (type === 'R_X86_64_16' || type === 'R_X86_64_PC16') return 2;
  if (type === 'R_X86_64_8' || type === 'R_X86_64_PC8') return 1;
  return 4;
}

/** the signatures of every function of an x86_64 static library archive */
export function signaturesOf(archive: Uint8Array, source: string): SignatureSet {
  const signatures: Signature[] = [];
  for (const m of archiveMembers(archive, source)) {
    let elf;
    try {
      elf = readElf(m.bytes);
      if (elf.arch !== 'x86_64' || elf.header.type !== 1) continue; // relocatable x86_64 objects only
    } catch (e) {
      if (e instanceof ElfError) continue; // not an object file we can read: no signatures from it
      throw e;
    }
    const sections = elf.sections;
    // masks per section, from the relocations applied to it
    const masks = new Map<string, Uint8Array>();
    for (const r of elf.relocations()) {
      const target = r.section.replace(/^\.rela?/, '');
      const sec = elf.section(target);
      if (!sec || !(sec.flags & 4)) continue; // code sections only (SHF_EXECINSTR)
      let mask = masks.get(target);
      if (!mask) masks.set(target, (mask = new Uint8Array(sec.size)));
      const from = Math.max(0, r.offset - (RELAXABLE_PREFIX[r.typeName] ?? 0));
      mask.fill(1, from, Math.min(sec.size, r.offset + fieldSize(r.typeName)));
    }
    for (const s of elf.symbols()) {
      if (s.table !== 'symtab' || s.type !== 'FUNC' || !s.name || s.size < MIN_BYTES) continue;
      const sec = sections[s.shndx];
      if (!sec || !(sec.flags & 4) || sec.type !== 1 || s.value + s.size > sec.size) continue;
      const bytes = elf.sectionBytes(sec).subarray(s.value, s.value + s.size);
      const mask = (masks.get(sec.name) ?? new Uint8Array(sec.size)).subarray(s.value, s.value + s.size);
      signatures.push({ name: s.name, body: `${m.name}:${sec.name}+${s.value}`, bytes, mask });
    }
  }
  return { source, signatures };
}

/** 8 leading bytes as a key, for signatures whose first 8 bytes are all the library's own */
const keyOf = (b: Uint8Array) => Buffer.from(b.subarray(0, 8)).toString('hex');

export interface Recogniser {
  /**
   * The names of the library function whose signature matches the code at `bytes` (an
   * entry), sorted (several when the library defines aliases); none when nothing matches or
   * when functions of different bodies match (small wrappers whose calls are masked look
   * alike: naming one of them would be a guess).
   */
  match(bytes: Uint8Array): string[];
}

export function recogniser(sets: SignatureSet[]): Recogniser {
  const byKey = new Map<string, Signature[]>();
  const rest: Signature[] = [];
  for (const set of sets)
    for (const s of set.signatures) {
      if (s.mask.subarray(0, 8).some((x) => x)) rest.push(s);
      else {
        const k = keyOf(s.bytes);
        const list = byKey.get(k);
        if (list) list.push(s);
        else byKey.set(k, [s]);
      }
    }
  const matches = (s: Signature, b: Uint8Array) => {
    if (b.length < s.bytes.length) return false;
    for (let i = 0; i < s.bytes.length; i++) if (!s.mask[i] && s.bytes[i] !== b[i]) return false;
    return true;
  };
  return {
    match(b) {
      // the longest signatures that match: a short function can equal a longer one's start
      let best = 0;
      let found: Signature[] = [];
      const consider = (s: Signature) => {
        if (s.bytes.length < best || !matches(s, b)) return;
        if (s.bytes.length > best) {
          best = s.bytes.length;
          found = [];
        }
        found.push(s);
      };
      for (const s of byKey.get(keyOf(b)) ?? []) consider(s);
      for (const s of rest) consider(s);
      if (new Set(found.map((s) => s.body)).size !== 1) return [];
      return [...new Set(found.map((s) => s.name))].sort();
    },
  };
}
