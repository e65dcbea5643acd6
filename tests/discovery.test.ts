// Code discovery on real binaries. The jump-table oracle is the compiler itself: a switch
// compiled with gcc -O2, assembled with -Wa,-L so its local labels (.L4: the table, .L5...:
// the cases) land in the symbol table, and the table's entries read from gcc's own .s output.
// The same switch, translated, checks how the back end lowers a jump-table jump.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import binaryen from 'binaryen';
import { discoverCode } from '../tools/analyze/discovery.js';
import { readElf } from '../tools/elf/index.js';
import { decoderFor } from '../tools/isa/index.js';
import { translate } from '../tools/translate/index.js';
import { fnName } from '../tools/wasm/module.js';
import { BUSYBOX, BUSYBOX_ARM64, corpusBinaries } from './fixtures.js';
import { RECOMP, exec } from './translated.js';

const tmp = mkdtempSync(join(tmpdir(), 'recomp-discovery-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SWITCH = `
int f(int);
__attribute__((noipa)) int sw(int x) {
  switch (x) {
    case 0: return f(10);
    case 1: return f(21) + 1;
    case 2: return f(32) * 3;
    case 3: return f(43) - 7;
    case 5: return f(54) ^ 9;
    case 6: return f(65) | 2;
    case 9: return f(76) & 5;
    default: return -1;
  }
}
__attribute__((noipa)) int f(int x) { return x * 7; }
int main(int argc, char **argv) { return sw(argc); }
`;

// gcc for aarch64 turns a switch into branches up to about a dozen cases: this one has a table
const SWITCH_A64 = SWITCH.replace('case 9: return f(76) & 5;', 'case 4: return f(44) - 17; case 7: return f(75) | 12; case 8: return f(85) | 22; case 9: return f(76) & 5; case 10: return f(7) & 15; case 12: return f(9) + 99;');

/** Builds the switch with `flags`, returns the table's target addresses as the toolchain laid them out. */
function compileSwitch(name: string, flags: string[], cc = 'gcc', source = SWITCH) {
  const c = join(tmp, `${name}.c`);
  const s = join(tmp, `${name}.s`);
  const exe = join(tmp, name);
  writeFileSync(c, source);
  execFileSync(cc, ['-O2', ...flags, '-S', '-o', s, c]);
  execFileSync(cc, ['-O2', ...flags, '-Wa,-L', '-o', exe, s]);
  const asm = readFileSync(s, 'utf8');
  // the table: a label in .rodata followed by `.long .Lx-.Ltable` or `.quad .Lx` lines (x86_64),
  // or `.byte (.Lx - .Lrtx) / 4` lines (aarch64)
  const m = /^(\.L\d+):\n((?:\s+\.(?:long|quad|byte|2byte|hword)\s+\(?\.L\d+(?:\s*-\s*\.L\w+\)?(?: \/ 4)?)?\n)+)/m.exec(asm)!;
  const labels = [...m[2].matchAll(/\.(?:long|quad|byte|2byte|hword)\s+\(?(\.L\d+)/g)].map((x) => x[1]);
  const syms = new Map(readElf(readFileSync(exe)).symbols().map((sym) => [sym.name, sym.value]));
  return { exe, table: syms.get(m[1])!, targets: labels.map((l) => syms.get(l)!) };
}

/** the parenthesised expression of `text` that opens at `at` */
function balanced(text: string, at: number): string {
  let depth = 0;
  for (let k = at; k < text.length; k++) {
    if (text[k] === '(') depth++;
    else if (text[k] === ')' && --depth === 0) return text.slice(at, k + 1);
  }
  return text.slice(at);
}

describe('code discovery', () => {
  it.each([
    ['pie', ['-fPIE', '-pie'], 'gcc', SWITCH, 10],
    ['nopie', ['-fno-pie', '-no-pie'], 'gcc', SWITCH, 10],
    ['static', ['-static'], 'gcc', SWITCH, 10],
    // the aarch64 linker drops .L symbols unless told to keep them
    ['aarch64 static', ['-static', '-Wl,--discard-none'], 'aarch64-linux-gnu-gcc', SWITCH_A64, 13],
  ] as const)('resolves a gcc -O2 switch jump table (%s)', (name, flags, cc, source, entries) => {
    const want = compileSwitch(name.replace(' ', '-'), [...flags], cc, source);
    expect(want.targets.length).toBe(entries);
    const elf = readElf(readFileSync(want.exe));
    const code = discoverCode(elf, decoderFor(elf.arch!));
    const t = code.jumpTables.find((j) => j.table === want.table);
    expect(t, `table at 0x${want.table.toString(16)}`).toBeDefined();
    expect(t!.targets).toEqual(want.targets);
    for (const target of want.targets) expect(code.blocks.has(target)).toBe(true);
  });

  // the back end switches on the entry number, not on the target loaded from the table: the
  // jump then waits on the index alone; each arm checks pc against its entry
  it.each([
    ['static', ['-static'], 'gcc', SWITCH, []],
    ['aarch64 static', ['-static', '-Wl,--discard-none'], 'aarch64-linux-gnu-gcc', SWITCH_A64, ['qemu-aarch64']],
  ] as const)('a jump-table jump switches on its entry number and runs every case as natively (%s)', async (name, flags, cc, source, runner) => {
    const want = compileSwitch(`${name.replace(' ', '-')}-run`, [...flags], cc, source);
    const bytes = readFileSync(want.exe);
    const sw = readElf(bytes).symbols().find((x) => x.name === 'sw')!.value;
    const module = join(tmp, `${name.replace(' ', '-')}.wasm`);
    writeFileSync(module, translate(bytes, { optimize: 2, flavour: 'aot' }).wasm);
    const mod = binaryen.readBinary(readFileSync(module));
    try {
      const text = binaryen.emitText(binaryen.getFunctionInfo(mod.getFunction(fnName(sw))).body);
      // a br_table whose selector subtracts the table's address: (address read - table) / size
      const tables = [...text.matchAll(/\(br_table/g)].map((m) => balanced(text, m.index));
      expect(tables.some((t) => t.includes(`(i32.const ${want.table})`))).toBe(true);
    } finally {
      mod.dispose();
    }
    // argc runs from 1 to 13: every case, the gaps between them and the default
    for (let args = 0; args < 13; args++) {
      const argv = Array.from({ length: args }, (_, k) => String(k));
      const native = runner.length ? await exec(runner[0], [want.exe, ...argv]) : await exec(want.exe, argv);
      const translated = await exec(RECOMP, ['run', module, ...argv]);
      expect(translated.status, `argc ${args + 1}`).toBe(native.status);
    }
  }, 120_000);

  it.each([['busybox', BUSYBOX], ['busybox (arm64)', BUSYBOX_ARM64], ...corpusBinaries().filter(([, n]) => ['hello', 'control', 'exceptions'].includes(n)).map(([v, n, p]) => [`${v}/${n}`, p])])(
    '%s: every FDE and sized function symbol is a function; blocks do not overlap',
    (_n, path) => {
      const elf = readElf(readFileSync(path));
      const code = discoverCode(elf, decoderFor(elf.arch!));
      for (const f of elf.fdes()) expect(code.functions.has(f.start), `FDE 0x${f.start.toString(16)}`).toBe(true);
      const text = elf.section('.text')!;
      for (const s of elf.symbols()) {
        if (s.type === 'FUNC' && s.size > 0 && s.value >= text.addr && s.value < text.addr + text.size) expect(code.functions.has(s.value), s.name).toBe(true);
      }
      // blocks overlap only where a branch lands inside an instruction (glibc jumps over a lock
      // prefix), and each such place is reported
      const overlaps = new Set(code.unknown.filter((u) => /overlap/.test(u.reason)).map((u) => u.address));
      const spans = [...code.blocks.values()].sort((a, b) => a.start - b.start);
      for (let k = 1; k < spans.length; k++) {
        if (spans[k].start < spans[k - 1].end) expect(overlaps.has(spans[k].start), `block 0x${spans[k].start.toString(16)}`).toBe(true);
      }
      const s = code.stats;
      console.log(`${_n}: ${s.functions} functions, ${s.blocks} blocks, ${((s.bytesCovered / s.codeBytes) * 100).toFixed(1)}% of code, ${code.jumpTables.length} jump tables, ${code.unresolved.filter((u) => u.kind === 'ijump').length} unresolved ijumps`);
      // arm64 busybox sits at 50.0%: its applets are reached through a table of function pointers,
      // which static discovery does not follow
      expect(s.bytesCovered / s.codeBytes).toBeGreaterThan(0.45);
    },
  );

  it('a stripped binary: exit, abort and the stack-protector failure are found never to return, puts and malloc to return', () => {
    // the unstripped original's symbols (nm, from binutils) say where each function is
    const original = corpusBinaries().find(([v, n]) => v === 'x86_64-glibc' && n === 'hello')![2];
    const stripped = join(tmp, 'hello-stripped');
    execFileSync('strip', ['-o', stripped, original]);
    const at = new Map<string, number>();
    for (const line of execFileSync('nm', ['--defined-only', original], { encoding: 'utf8' }).split('\n')) {
      const [addr, type, name] = line.split(' ');
      if (name && /^[tTW]$/.test(type)) at.set(name, parseInt(addr, 16));
    }
    const elf = readElf(readFileSync(stripped));
    expect(elf.symbols().filter((s) => s.table === 'symtab').length).toBe(0);
    const code = discoverCode(elf, decoderFor('x86_64'));
    for (const n of ['exit', '_exit', 'abort', '__stack_chk_fail', '__libc_fatal', '__fortify_fail', '__assert_fail']) expect(code.noReturn.has(at.get(n)!), n).toBe(true);
    for (const n of ['puts', 'malloc', 'free', 'printf', 'fflush', '_IO_puts', 'strlen']) {
      if (at.has(n)) expect(code.noReturn.has(at.get(n)!), n).toBe(false);
    }
    // and the code after calls to them is no longer decoded: as much as with the symbols
    const full = discoverCode(readElf(readFileSync(original)), decoderFor('x86_64'));
    expect(code.stats.instructions).toBeLessThanOrEqual(full.stats.instructions * 1.01);
  });

  it.each(['x86_64-glibc', 'aarch64-glibc'])(
    "%s: a call that ends its function does not fall through (glibc's malloc_printerr ends with a call to __libc_message, which returns to other callers)",
    (variant) => {
      const elf = readElf(readFileSync(corpusBinaries().find(([v, n]) => v === variant && n === 'bintrees')![2]));
      const at = new Map(elf.symbols().map((s) => [s.name, s.value]));
      const code = discoverCode(elf, decoderFor(elf.arch!));
      expect(code.noReturn.has(at.get('malloc_printerr')!)).toBe(true);
      expect(code.noReturn.has(at.get('__libc_message')!)).toBe(false);
      // the block that makes the call has no successor, and nothing after it is decoded as its code
      const printerr = code.functions.get(at.get('malloc_printerr')!)!;
      const calling = printerr.blocks.map((b) => code.blocks.get(b)!).filter((b) => b.calls.some(([, t]) => t === at.get('__libc_message')));
      expect(calling.length).toBeGreaterThan(0);
      for (const b of calling) expect(b.succs).toEqual([]);
      // callers of malloc_printerr (free's checks in _int_free) stop there too
      const intFree = code.functions.get(at.get('_int_free')!)!;
      const callers = intFree.blocks.map((b) => code.blocks.get(b)!).filter((b) => b.calls.some(([, t]) => t === at.get('malloc_printerr')));
      expect(callers.length).toBeGreaterThan(3);
      for (const b of callers) expect(b.succs).not.toContain(b.end);
    },
  );
});
