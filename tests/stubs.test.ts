// Calls through PLT stubs (tools/translate/stubs.ts): in a static glibc program every call
// of memcpy, strlen and the other ifunc routines goes through a stub in .plt; the module
// must call what the stub's GOT slot holds instead of the stub. That the programs still run
// as natively is the corpus tests' job; this checks the rewrite happened, on real binaries.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import binaryen from 'binaryen';
import { describe, expect, it } from 'vitest';
import { readElf } from '../tools/elf/index.js';
import { CORPUS } from './fixtures.js';
import { translated } from './translated.js';

const programs = ['x86_64-glibc/fannkuch', 'x86_64-glibc-pie/wordfreq', 'aarch64-glibc/fannkuch'].filter((p) => existsSync(join(CORPUS, p)));

/** the guest addresses of the module's functions that start in a .plt* section, and how often each is called or tail-called by name */
function stubCalls(elfPath: string, wasmPath: string): { stubs: number; calls: number } {
  const elf = readElf(readFileSync(elfPath));
  const meta = JSON.parse(new TextDecoder().decode(customSection(wasmPath, 'recomp.image'))) as { base: number };
  const plt = elf.sections.filter((s) => s.name.startsWith('.plt') && s.size > 0).map((s) => [s.addr + meta.base, s.addr + s.size + meta.base]);
  const inPlt = (hex: string) => plt.some(([lo, hi]) => parseInt(hex, 16) >= lo && parseInt(hex, 16) < hi);
  const mod = binaryen.readBinary(readFileSync(wasmPath));
  try {
    const text = mod.emitText();
    return {
      stubs: [...text.matchAll(/\(func \$f([0-9a-f]+)/g)].filter((m) => inPlt(m[1])).length,
      calls: [...text.matchAll(/call \$f([0-9a-f]+)/g)].filter((m) => inPlt(m[1])).length,
    };
  } finally {
    mod.dispose();
  }
}

function customSection(wasmPath: string, name: string): Uint8Array {
  const [section] = WebAssembly.Module.customSections(new WebAssembly.Module(readFileSync(wasmPath)), name);
  if (!section) throw new Error(`${wasmPath} has no ${name} section`);
  return new Uint8Array(section);
}

describe('calls through PLT stubs', () => {
  it.each(programs)('%s: no function calls a stub; the stubs stay, for the table', async (p) => {
    const elf = join(CORPUS, p);
    const { stubs, calls } = stubCalls(elf, await translated(elf));
    expect(stubs).toBeGreaterThan(4);
    expect(calls).toBe(0);
  }, 300_000);
});
