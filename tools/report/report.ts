// The mapping report of a module: which syscalls the guest may make and how each is
// provided, what became of every guest function (recognised by symbol, translated, with
// places that fault), the indirect branches left to the dispatcher with a listing around
// each, and where the module's bytes go. Built from the module alone (its recomp.map and
// name sections, and the guest code in its data segments) plus its manifest when present.
import { z } from 'zod';
import { parseJsonAs } from '../common/json.js';
import { lastAtOrBefore } from '../common/search.js';
import { loadOracle } from '../isa/oracle.js';
import { recogniser, type SignatureSet } from '../analyze/signatures.js';
import { sha256, type Manifest } from '../manifest/manifest.js';
import { decodeFunctions, TranslationMap, type FunctionRecord } from '../translate/map.js';
import { syscallProvision, type Provision } from '../vkernel/syscalls.js';
import { customSection, dataSegments, type Section, functionBodySizes, functionNames, importedFunctions, readSections, SECTION_NAMES, WasmFormatError } from '../wasm/sections.js';

export class ReportError extends Error {}

export const REPORT_SCHEMA = 'recomp.report/v1';

const hex = (a: number) => `0x${a.toString(16)}`;

export interface FunctionRow {
  entry: string;
  name: string | null;
  /** how the function was recognised: by its symbol, by a library signature, or not at all */
  recognisedBy: 'symbol' | 'signature' | null;
  /** other names of the same library function (aliases), when recognised by signature */
  aliases?: string[];
  sources: string[];
  blocks: number;
  instructions: number;
  guestBytes: number;
  wasmBytes: number;
  faults: number;
  treatment: string;
}

export interface ListingLine {
  address: string;
  bytes: string;
  text: string;
  /** the unresolved branch itself */
  site: boolean;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  module: { name: string; sha256: string; size: number };
  manifest: Pick<Manifest, 'input' | 'options' | 'toolchain' | 'trust'> | null;
  arch: string;
  /** the static libraries whose functions were looked for by signature */
  signatures: { source: string; sha256: string; functions: number }[];
  summary: {
    functions: number;
    recognised: number;
    recognisedBySignature: number;
    blocks: number;
    instructions: number;
    guestCodeBytes: number;
    translatedBytes: number;
    /** share of the executable bytes that discovery reached, in percent */
    coveragePercent: number;
    faults: number;
    unresolved: number;
    jumpTables: number;
    syscalls: number;
    syscallsComplete: boolean;
  };
  syscalls: { name: string; provided: Provision }[];
  functions: FunctionRow[];
  faults: { address: string; reason: string; function: string }[];
  unresolved: { address: string; kind: string; mnemonic: string; function: string; listing: ListingLine[] }[];
  size: { total: number; parts: { part: string; bytes: number; detail: string }[] };
}

const ImageFaults = z.object({ faults: z.array(z.tuple([z.number(), z.string()])) });

function jsonSection<T>(bytes: Uint8Array, sections: ReturnType<typeof readSections>, name: string, schema: z.ZodType<T>, what: string): T {
  const b = customSection(bytes, sections, name);
  if (!b) throw new ReportError(`${what}: no ${name} section: not a module made by this recomp (translate it again to report on it)`);
  return parseJsonAs(schema, new TextDecoder().decode(b), `${what}: ${name} section`, ReportError);
}

/** instructions from the start of the site's block through the site and two more, at most 12 before it */
async function listing(arch: string, image: { address: number; bytes: Uint8Array }[], blockStart: number, site: number): Promise<ListingLine[]> {
  const seg = image.find((s) => blockStart >= s.address && site < s.address + s.bytes.length);
  if (!seg) return [];
  const oracle = await loadOracle(arch === 'aarch64' ? 'aarch64' : 'x86_64');
  const from = blockStart - seg.address;
  const bytes = seg.bytes.subarray(from, Math.min(seg.bytes.length, site - seg.address + 64));
  const lines: ListingLine[] = [];
  let after = 0;
  for (const i of oracle.disasmAll(bytes, blockStart)) {
    lines.push({
      address: hex(i.address),
      bytes: Buffer.from(bytes.subarray(i.offset, i.offset + i.length)).toString('hex'),
      text: `${i.mnemonic} ${i.opStr}`.trim(),
      site: i.address === site,
    });
    if (i.address > site && ++after >= 2) break;
  }
  const at = lines.findIndex((l) => l.site);
  return at > 12 ? lines.slice(at - 12) : lines;
}

/** everything the report reads of the wasm binary; a malformed module is a ReportError */
function layout(bytes: Uint8Array, name: string) {
  try {
    const sections = readSections(bytes, name);
    return {
      sections,
      bodies: functionBodySizes(bytes, sections, name),
      names: functionNames(bytes, sections, name),
      imported: importedFunctions(bytes, sections, name),
      data: dataSegments(bytes, sections, name),
    };
  } catch (e) {
    if (e instanceof WasmFormatError) throw new ReportError(e.message);
    throw e;
  }
}

/** the preferred of several names of one function: the fewest leading underscores, then the shortest */
function preferred(names: string[]): string {
  const score = (n: string) => (/^_*/.exec(n)![0].length << 16) + n.length;
  return [...names].sort((a, b) => score(a) - score(b) || (a < b ? -1 : 1))[0];
}

export interface LibrarySignatures {
  set: SignatureSet;
  sha256: string;
}

export async function buildReport(bytes: Uint8Array, name: string, manifest: Manifest | null, libraries: LibrarySignatures[] = []): Promise<Report> {
  const { sections, bodies, names, imported, data } = layout(bytes, name);
  const map = jsonSection(bytes, sections, 'recomp.map', TranslationMap, name);
  const image = jsonSection(bytes, sections, 'recomp.image', ImageFaults, name);
  // wasm bytes of each guest function, by entry (through the name section: f<entry in hex>)
  const wasmOf = new Map<number, number>();
  bodies.forEach((size, k) => {
    const m = /^f([0-9a-f]+)$/.exec(names.get(imported + k) ?? '');
    if (m) wasmOf.set(parseInt(m[1], 16), size);
  });
  const records = decodeFunctions(map.functions);
  const byEntry = [...records].sort((a, b) => a.entry - b.entry);
  /** names given by signature, once the rows are made */
  const recognisedName = new Map<number, string>();
  const label = (f: FunctionRecord) => f.name ?? recognisedName.get(f.entry) ?? `sub_${f.entry.toString(16)}`;
  /** the function whose entry is the closest at or before `a` */
  const around = (a: number): string => {
    const k = lastAtOrBefore(byEntry, (f) => f.entry, a);
    return k >= 0 ? label(byEntry[k]) : '?';
  };
  const recognise = libraries.length ? recogniser(libraries.map((l) => l.set)) : undefined;
  const codeAt = (a: number) => {
    const seg = data.find((d) => a >= d.address && a < d.address + d.bytes.length);
    return seg ? seg.bytes.subarray(a - seg.address) : new Uint8Array(0);
  };
  const functions: FunctionRow[] = records.map((f) => {
    const bySymbol = f.name !== null && f.sources.includes('symbol');
    const names = !bySymbol && recognise ? recognise.match(codeAt(f.entry)) : [];
    const chosen = names.length ? preferred(names) : null;
    if (chosen) recognisedName.set(f.entry, chosen);
    return {
      entry: hex(f.entry),
      name: chosen ?? f.name,
      recognisedBy: bySymbol ? 'symbol' : chosen ? 'signature' : null,
      ...(names.length > 1 ? { aliases: names.filter((n) => n !== chosen) } : {}),
      sources: f.sources,
      blocks: f.blocks,
      instructions: f.instructions,
      guestBytes: f.bytes,
      wasmBytes: wasmOf.get(f.entry) ?? 0,
      faults: f.faults,
      treatment: f.faults ? `translated; faults at ${f.faults} place${f.faults > 1 ? 's' : ''} when reached` : 'translated',
    };
  });
  const unresolved = [];
  for (const [address, kind, mnemonic, blockStart] of map.unresolved) {
    unresolved.push({ address: hex(address), kind, mnemonic, function: around(address), listing: await listing(map.arch, data, blockStart, address) });
  }
  const sizeOf = (pred: (s: Section) => boolean) => sections.filter(pred).reduce((n, s) => n + s.size, 0);
  const guestCode = [...wasmOf.values()].reduce((a, b) => a + b, 0);
  const codeSection = sizeOf((s) => s.id === 10);
  const parts = [
    { part: 'guest code', bytes: guestCode, detail: `${wasmOf.size} translated functions` },
    { part: 'runtime glue', bytes: codeSection - guestCode, detail: 'dispatch, arithmetic helpers, state save/load, code section framing' },
    { part: 'guest image', bytes: sizeOf((s) => s.id === 11), detail: `${data.length} data segments: the ELF's loaded bytes at their guest addresses` },
    { part: 'dispatch table', bytes: sizeOf((s) => s.id === 9), detail: 'guest address to function (element section)' },
    { part: 'translation metadata', bytes: sizeOf((s) => s.id === 0 && (s.name === 'recomp.image' || s.name === 'recomp.map')), detail: 'recomp.image (what the vkernel loads), recomp.map (this report)' },
    { part: 'names', bytes: sizeOf((s) => s.id === 0 && s.name === 'name'), detail: 'the name section: f<entry> for every function' },
  ];
  const counted = new Set([0, 9, 10, 11]);
  const other = sections.filter((s) => !counted.has(s.id) || (s.id === 0 && !['recomp.image', 'recomp.map', 'name'].includes(s.name ?? '')));
  parts.push({ part: 'other sections', bytes: other.reduce((n, s) => n + s.size, 0), detail: [...new Set(other.map((s) => s.name ?? SECTION_NAMES[s.id] ?? String(s.id)))].join(', ') });
  parts.push({ part: 'section headers', bytes: bytes.length - sections.reduce((n, s) => n + s.size, 0), detail: 'magic, version, section ids and sizes' });
  const syscalls = map.syscalls.names.map((n) => ({ name: n, provided: syscallProvision(n) }));
  return {
    schema: REPORT_SCHEMA,
    module: { name, sha256: sha256(bytes), size: bytes.length },
    manifest: manifest ? { input: manifest.input, options: manifest.options, toolchain: manifest.toolchain, trust: manifest.trust } : null,
    arch: map.arch,
    signatures: libraries.map((l) => ({ source: l.set.source, sha256: l.sha256, functions: l.set.signatures.length })),
    summary: {
      functions: records.length,
      recognised: functions.filter((f) => f.recognisedBy).length,
      recognisedBySignature: functions.filter((f) => f.recognisedBy === 'signature').length,
      blocks: records.reduce((n, f) => n + f.blocks, 0),
      instructions: records.reduce((n, f) => n + f.instructions, 0),
      guestCodeBytes: map.codeBytes,
      translatedBytes: records.reduce((n, f) => n + f.bytes, 0),
      coveragePercent: map.codeBytes ? Math.round((1000 * map.bytesCovered) / map.codeBytes) / 10 : 0,
      faults: image.faults.length,
      unresolved: map.unresolved.length,
      jumpTables: map.jumpTables,
      syscalls: syscalls.length,
      syscallsComplete: map.syscalls.complete,
    },
    syscalls,
    functions,
    faults: image.faults.map(([a, reason]) => ({ address: hex(a), reason, function: around(a) })),
    unresolved,
    size: { total: bytes.length, parts },
  };
}
