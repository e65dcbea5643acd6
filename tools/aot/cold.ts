// Profile-guided compilation (recomp aot --profile): the guest functions that ran in the
// profiled run are compiled with the blob's full flags, the others (most of a libc, in a
// benchmark) with gcc's optimize("O1") attribute on their definitions in wasm2c's C.
// Measured on the x86_64 glibc bintrees module (1193 functions, 130 ran; one of its two
// 38 MB C files): -O2 52.6 s of CPU, with the cold ones at O1 33.9 s; at O0 34.2 s (no
// cheaper: gcc's O0 back end is slow on huge functions) and 4x the code; the cold attribute
// alone 50.8 s. -O1 on everything takes 29.2 s, the floor of this route.
import { AotError } from './index.js';
import { MODULE_NAME } from './glue.js';

/** the attribute a cold function's definition gets */
export const COLD_ATTRIBUTE = '__attribute__((optimize("O1")))';
/** the optimisation level it means, as the manifest records it */
export const COLD_LEVEL = 'O1';

export interface HotSet {
  /** guest entry addresses of the functions that ran */
  hot: ReadonlySet<number>;
  /** how many guest functions the module has (the profile says; it is of these exact bytes) */
  functions: number;
}

/** a guest function's definition in wasm2c's C (modules for aot make no tail calls, so it has no tail-callee copy): its entry in hex */
const DEFINITION = new RegExp(`^struct wasm_multi_\\w+ w2c_${MODULE_NAME}_f([0-9a-f]+)\\(.*\\{$`);

/** marks the cold definitions in each C file wasm2c wrote, and checks that it saw every guest function once */
export class ColdMarker {
  private readonly seen = new Set<number>();
  constructor(private readonly set: HotSet) {}

  mark(c: string): string {
    const lines = c.split('\n');
    for (let k = 0; k < lines.length; k++) {
      const m = DEFINITION.exec(lines[k]);
      if (!m) continue;
      const entry = parseInt(m[1], 16);
      this.seen.add(entry);
      if (this.set.hot.has(entry)) continue;
      lines[k] = `${COLD_ATTRIBUTE} ${lines[k]}`;
    }
    return lines.join('\n');
  }

  /** hot and cold guest functions; an AotError when the C did not show every one */
  finish(): { hot: number; cold: number } {
    const missing = [...this.set.hot].filter((e) => !this.seen.has(e));
    if (this.seen.size !== this.set.functions || missing.length)
      throw new AotError(
        `wasm2c wrote C of an unknown shape: ${this.seen.size} guest function definitions found for ${this.set.functions} in the module${missing.length ? `, none for 0x${missing[0].toString(16)}` : ''}; this recomp cannot mark the cold ones`,
      );
    return { hot: this.set.hot.size, cold: this.seen.size - this.set.hot.size };
  }
}
