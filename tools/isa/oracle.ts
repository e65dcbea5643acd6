// Capstone (npm capstone-wasm) as the reference disassembler: tests check our decoders
// against it and reports print its listings. It gives text only, no operand details.
import type { Arch } from './types.js';

// capstone-wasm ships types but its package.json "exports" hides them from NodeNext
// resolution, so the module is typed through the path of its declaration file.
type CapstoneModule = typeof import('../../node_modules/capstone-wasm/dist/index.js');
type Capstone = InstanceType<CapstoneModule['Capstone']>;
let cs_: Promise<CapstoneModule> | undefined;
const capstoneModule = (): Promise<CapstoneModule> => (cs_ ??= import('capstone-wasm' as string) as Promise<CapstoneModule>);

export interface OracleInsn {
  address: number;
  /** offset of the instruction in the bytes given to disasmAll */
  offset: number;
  length: number;
  mnemonic: string;
  opStr: string;
}

export interface Oracle {
  readonly arch: Arch;
  /** One instruction at `offset` of `bytes` (guest address `address`), undefined if invalid. */
  disasmOne(bytes: Uint8Array, offset: number, address: number): { length: number; mnemonic: string; opStr: string } | undefined;
  /** Linear sweep from the start of `bytes` (at guest `address`); invalid bytes are skipped
   *  (1 byte on x86_64, 4 on aarch64) and yielded as nothing. */
  disasmAll(bytes: Uint8Array, address: number): Generator<OracleInsn>;
}

let loaded: Promise<void> | undefined;
const oracles = new Map<Arch, Oracle>();

// Bytes handed to capstone per call: disasm copies its input and materialises every
// instruction, so whole sections at once would cost memory for nothing.
const CHUNK = 16384;

// capstone-wasm throws when no instruction decodes; that is "invalid bytes" to us.
function tryDisasm(cs: Capstone, bytes: Uint8Array, address: number, count?: number) {
  try {
    return cs.disasm(bytes, count === undefined ? { address } : { address, count });
  } catch {
    return [];
  }
}

export async function loadOracle(arch: Arch): Promise<Oracle> {
  const { Capstone, Const, loadCapstone } = await capstoneModule();
  loaded ??= loadCapstone();
  await loaded;
  let o = oracles.get(arch);
  if (!o) {
    const cs =
      arch === 'x86_64' ? new Capstone(Const.CS_ARCH_X86, Const.CS_MODE_64) : new Capstone(Const.CS_ARCH_ARM64, Const.CS_MODE_ARM);
    const skip = arch === 'x86_64' ? 1 : 4;
    const maxLen = arch === 'x86_64' ? 15 : 4;
    o = {
      arch,
      disasmOne(bytes, offset, address) {
        const r = tryDisasm(cs, bytes.subarray(offset, Math.min(bytes.length, offset + maxLen)), address, 1);
        if (r.length === 0) return undefined;
        return { length: r[0].size, mnemonic: r[0].mnemonic, opStr: r[0].opStr };
      },
      *disasmAll(bytes, address) {
        let off = 0;
        while (off < bytes.length) {
          const end = Math.min(bytes.length, off + CHUNK);
          // capstone stops at the first invalid (or chunk-truncated) instruction; the next
          // round restarts there, so a cut instruction is retried with its full bytes.
          const r = tryDisasm(cs, bytes.subarray(off, end), address + off);
          if (r.length === 0) {
            off += skip;
            continue;
          }
          for (const i of r) {
            yield { address: address + off, offset: off, length: i.size, mnemonic: i.mnemonic, opStr: i.opStr };
            off += i.size;
          }
        }
      },
    };
    oracles.set(arch, o);
  }
  return o;
}
