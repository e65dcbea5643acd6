// Which library code a dynamic executable can reach, so that its syscall set is the union
// over the functions it imports rather than over whole libraries. Per object, the code is
// cut into functions (at every known start) joined by edges: direct calls and jumps, the
// addresses a function takes (`lea` of a code address: it may call it or hand it on), and
// its imports (PLT stubs, `call [GOT]`). Sound by construction where it matters:
// - every function whose address is stored in data (relocations: vtables, callback
//   tables, init arrays) is a root, since some indirect call may reach it;
// - load-time code (DT_INIT/DT_FINI, IRELATIVE resolvers) is a root;
// - the program's own code and the interpreter (ld.so) count in full.
// Jump tables stay within their function (gcc keeps switch targets in the same section).
import type { Elf } from '../elf/index.js';
import type { Program } from './program.js';

/** One object's functions and the edges between them: plain data (it crosses threads). */
export interface ObjectGraph {
  /** which library (the digest of its bytes) */
  id: string;
  /** function starts, ascending */
  starts: number[];
  /** function → functions of the same object it may transfer to */
  edges: number[][];
  /** function → names of the imported functions it calls */
  imports: string[][];
  /** defined, exported functions by name */
  exports: Map<string, number>;
  /** functions reached through data or at load time, and external names referenced from data */
  roots: number[];
  dataImports: string[];
}


function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the function holding `address` in `g`, or -1 when it is not in the code. */
export function functionAt(g: ObjectGraph, address: number): number {
  return lowerBound(g.starts, address);
}

/** The value a data relocation stores (the addend, or for REL/RELR the word in place). */
function storedAddress(elf: Elf, r: { offset: number; addend: number; typeName: string }): number {
  if (r.addend || (r.typeName !== 'RELR' && !r.typeName.endsWith('RELATIVE'))) return r.addend;
  const b = elf.readVirtual(r.offset, 8);
  return b ? Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true)) : 0;
}

export function objectGraph(elf: Elf, p: Program, id: string): ObjectGraph {
  const inCode = (a: number) => p.n > 0 && a >= p.addr[0] && a <= p.addr[p.n - 1];
  const startSet = new Set<number>();
  for (const s of p.functionStarts) if (inCode(s)) startSet.add(s);
  for (const [stub] of p.plt) startSet.add(stub);
  const starts = [...startSet].sort((a, b) => a - b);
  const fnOf = (a: number) => (inCode(a) ? lowerBound(starts, a) : -1);
  const edges: Set<number>[] = starts.map(() => new Set());
  const imports: Set<string>[] = starts.map(() => new Set());

  // GOT slots named by a symbol: `call [rip+slot]` (-fno-plt) is a call to that import
  const gotSlots = new Map<number, string>();
  const exports = new Map<string, number>();
  const roots = new Set<number>();
  const dataImports = new Set<string>();
  const defined = new Map<string, number>();
  for (const s of elf.symbols()) {
    if (!s.name || s.shndx === 0 || (s.type !== 'FUNC' && s.type !== 'IFUNC')) continue;
    defined.set(s.name, s.value);
    if (s.table === 'dynsym' && s.bind !== 'LOCAL') exports.set(s.name, fnOf(s.value));
  }
  for (const r of elf.relocations()) {
    if (r.typeName.endsWith('JUMP_SLOT')) continue; // PLT slots: calls through the stubs count
    if (r.symbolName) {
      if (r.typeName.endsWith('GLOB_DAT')) gotSlots.set(r.offset, r.symbolName);
      const own = defined.get(r.symbolName);
      if (own !== undefined && fnOf(own) >= 0) roots.add(fnOf(own));
      else dataImports.add(r.symbolName);
      continue;
    }
    const target = storedAddress(elf, r);
    const f = fnOf(target);
    if (f >= 0) roots.add(f);
  }
  for (const a of elf.irelatives()) if (fnOf(a) >= 0) roots.add(fnOf(a));
  const dyn = elf.dynamic();
  for (const e of dyn.entries) if ((e.tagName === 'INIT' || e.tagName === 'FINI') && fnOf(e.value) >= 0) roots.add(fnOf(e.value));

  let fn = -1;
  for (let k = 0; k < p.n; k++) {
    const a = p.addr[k];
    while (fn + 1 < starts.length && starts[fn + 1] <= a) fn++;
    if (fn < 0) continue;
    const flow = p.flow(k);
    if (flow === 'call' || flow === 'jump' || flow === 'cjump') {
      const t = p.target[k];
      const name = p.plt.get(t);
      if (name) imports[fn].add(name);
      else {
        const tf = fnOf(t);
        if (tf >= 0 && tf !== fn) edges[fn].add(tf);
      }
    } else if ((flow === 'icall' || flow === 'ijump') && !p.plt.has(starts[fn])) {
      const i = p.insn(k);
      const m = i.operands[0];
      if (m?.kind === 'mem' && m.base === 'rip') {
        const name = gotSlots.get(i.address + i.length + Number(m.disp));
        if (name) (defined.has(name) ? edges[fn].add(fnOf(defined.get(name)!)) : imports[fn].add(name));
      }
    }
  }
  for (let j = 0; j < p.addressRefs.length; j += 2) {
    const from = fnOf(p.addr[p.addressRefs[j]]);
    const to = fnOf(p.addressRefs[j + 1]);
    if (from >= 0 && to >= 0 && from !== to) edges[from].add(to);
  }
  return {
    id,
    starts,
    edges: edges.map((s) => [...s]),
    imports: imports.map((s) => [...s]),
    exports,
    roots: [...roots],
    dataImports: [...dataImports],
  };
}

/**
 * A library with no syscall site of its own is not decoded: it stands as one node that,
 * being loaded, may call every function it imports.
 */
export function opaqueGraph(elf: Elf, id: string): ObjectGraph {
  const exports = new Map<string, number>();
  const dataImports: string[] = [];
  for (const s of elf.symbols()) {
    if (!s.name || s.table !== 'dynsym') continue;
    if (s.shndx === 0) dataImports.push(s.name);
    else if (s.bind !== 'LOCAL' && (s.type === 'FUNC' || s.type === 'IFUNC')) exports.set(s.name, 0);
  }
  return { id, starts: [], edges: [], imports: [], exports, roots: [], dataImports };
}

/**
 * The functions of each library that a dynamic executable can reach: from its imports, the
 * libraries' data-held and load-time functions, following edges across objects in the
 * loader's symbol search order. Returns, per library id, the set of reached function indices.
 */
export function reachableFunctions(imports: string[], graphs: ObjectGraph[]): Map<string, Set<number>> {
  const base = baseClosure(graphs);
  const reached = new Map([...base.reached].map(([id, set]) => [id, new Set(set)]));
  close(base.provider, reached, imports, []);
  return reached;
}

/**
 * What a set of libraries reaches on its own (data-held and load-time functions): the same
 * for every executable that loads them, so computed once per set.
 */
interface Base {
  provider: Map<string, [ObjectGraph, number]>;
  reached: Map<string, Set<number>>;
}
const bases = new Map<string, Base>();

function baseClosure(graphs: ObjectGraph[]): Base {
  const key = graphs.map((g) => g.id).join(',');
  const hit = bases.get(key);
  if (hit) return hit;
  // ld.so binds a name to the first object in search order that defines it
  const provider = new Map<string, [ObjectGraph, number]>();
  for (const g of graphs) for (const [name, f] of g.exports) if (!provider.has(name)) provider.set(name, [g, f]);
  const reached = new Map<string, Set<number>>(graphs.map((g) => [g.id, new Set<number>()]));
  const roots: [ObjectGraph, number][] = [];
  const names: string[] = [];
  for (const g of graphs) {
    for (const f of g.roots) roots.push([g, f]);
    names.push(...g.dataImports);
  }
  close(provider, reached, names, roots);
  const base = { provider, reached };
  if (bases.size >= 256) bases.clear(); // bounded: a root file system has some dozens of library sets
  bases.set(key, base);
  return base;
}

/** Extends `reached` (in place) with everything the named imports and root functions reach. */
function close(provider: Map<string, [ObjectGraph, number]>, reached: Map<string, Set<number>>, names: string[], roots: [ObjectGraph, number][]): void {
  const work: [ObjectGraph, number][] = [];
  const visit = (g: ObjectGraph, f: number) => {
    const s = reached.get(g.id)!;
    if (f < 0 || s.has(f) || !g.starts.length) return;
    s.add(f);
    work.push([g, f]);
  };
  const importName = (name: string) => {
    const hit = provider.get(name);
    if (hit) visit(hit[0], hit[1]);
  };
  for (const n of names) importName(n);
  for (const [g, f] of roots) visit(g, f);
  while (work.length) {
    const [g, f] = work.pop()!;
    for (const t of g.edges[f]) visit(g, t);
    for (const n of g.imports[f]) importName(n);
  }
}
