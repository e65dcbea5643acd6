// The guest's address space inside the wasm memory, and who owns which part of it.
//
//   0 .. image            unused (the image's link address, 0x400000 for non-PIE)
//   image .. brk          the loaded ELF (data segments of the module)
//   brk ..                the program break, growing up
//   ..  mmapTop           anonymous and file mappings, allocated top-down
//   stack                 STACK_SIZE below STACK_TOP; the memory ends at STACK_TOP, so
//                         anything above faults
import { E } from './errors.js';

export const PAGE = 4096;
const WASM_PAGE = 65536;
export const STACK_TOP = 0x8000_0000;
/** the guest address space ends at the top of the stack: the translator checks accesses against it */
export const GUEST_TOP = STACK_TOP;
export const STACK_SIZE = 8 << 20;
const MMAP_TOP = STACK_TOP - STACK_SIZE - WASM_PAGE;

export class GuestMemory {
  private u8!: Uint8Array;
  private dv!: DataView;
  brkStart: number;
  brk: number;
  /** free ranges of the mmap area, sorted by address: [start, end) */
  private free: [number, number][];
  private mmapLow = MMAP_TOP;

  constructor(
    readonly memory: WebAssembly.Memory,
    imageEnd: number,
    /** the first page of the image: nothing is mapped below it, so a system call given a pointer there fails (EFAULT) */
    private readonly imageStart = 0,
  ) {
    const want = STACK_TOP / WASM_PAGE;
    const have = memory.buffer.byteLength / WASM_PAGE;
    if (have < want) memory.grow(want - have);
    this.refresh();
    this.brkStart = this.brk = Math.ceil(imageEnd / PAGE) * PAGE;
    this.free = [];
  }

  private refresh(): void {
    if (this.u8?.buffer === this.memory.buffer) return;
    this.u8 = new Uint8Array(this.memory.buffer);
    this.dv = new DataView(this.memory.buffer);
  }
  get bytes(): Uint8Array {
    this.refresh();
    return this.u8;
  }
  get view(): DataView {
    this.refresh();
    return this.dv;
  }

  /** the guest range [addr, addr+len) if it lies inside mappable memory (an empty one anywhere in memory), else undefined (EFAULT) */
  range(addr: number, len: number): Uint8Array | undefined {
    const b = this.bytes;
    if (addr < 0 || len < 0 || addr + len > b.length || (len > 0 && addr < this.imageStart)) return undefined;
    return b.subarray(addr, addr + len);
  }
  cstring(addr: number, max = 4096): string | undefined {
    const b = this.bytes;
    if (addr <= 0 || addr < this.imageStart || addr >= b.length) return undefined;
    const end = b.indexOf(0, addr);
    if (end < 0 || end - addr > max) return undefined;
    return Buffer.from(b.buffer, b.byteOffset + addr, end - addr).toString('utf8');
  }
  u64(addr: number): bigint {
    return this.view.getBigUint64(addr, true);
  }
  setU64(addr: number, v: bigint | number): void {
    this.view.setBigUint64(addr, BigInt.asUintN(64, BigInt(v)), true);
  }
  setU32(addr: number, v: number): void {
    this.view.setUint32(addr, v >>> 0, true);
  }
  u32(addr: number): number {
    return this.view.getUint32(addr, true);
  }

  // ---- program break ----

  setBrk(want: number): number {
    if (want < this.brkStart) return this.brk;
    if (want > this.mmapLow - WASM_PAGE) return this.brk;
    const old = this.brk;
    const top = Math.ceil(want / PAGE) * PAGE;
    // memory freed by a shrinking brk reads as zero when it grows again, as on Linux
    if (top < Math.ceil(old / PAGE) * PAGE) this.bytes.fill(0, top, Math.ceil(old / PAGE) * PAGE);
    this.brk = want;
    return want;
  }

  // ---- mmap area ----

  /** reserves `len` bytes (page-rounded), zeroed; returns the address or -ENOMEM */
  map(len: number, hint = 0, fixed = false): number {
    const size = Math.ceil(len / PAGE) * PAGE;
    if (size <= 0) return -E.INVAL;
    if (fixed) {
      if (hint % PAGE || hint < this.brkStart || hint + size > MMAP_TOP) return -E.NOMEM;
      this.unmap(hint, size);
      this.take(hint, size);
      if (hint < this.mmapLow) {
        if (hint < this.brk) return -E.NOMEM;
        this.addFree(hint + size, this.mmapLow);
        this.mmapLow = hint;
      }
      this.bytes.fill(0, hint, hint + size);
      return hint;
    }
    // first fit from the top of the free list, else grow the area down
    for (let k = this.free.length - 1; k >= 0; k--) {
      const [s, e] = this.free[k];
      if (e - s >= size) {
        const addr = e - size;
        if (addr === s) this.free.splice(k, 1);
        else this.free[k] = [s, addr];
        this.bytes.fill(0, addr, addr + size);
        return addr;
      }
    }
    const addr = this.mmapLow - size;
    if (addr < Math.ceil(this.brk / PAGE) * PAGE + WASM_PAGE) return -E.NOMEM;
    this.mmapLow = addr;
    this.bytes.fill(0, addr, addr + size);
    return addr;
  }

  unmap(addr: number, len: number): number {
    const size = Math.ceil(len / PAGE) * PAGE;
    if (addr % PAGE || size <= 0) return -E.INVAL;
    const lo = Math.max(addr, this.mmapLow);
    const hi = Math.min(addr + size, MMAP_TOP);
    if (lo >= hi) return 0;
    this.take(lo, hi - lo);
    this.addFree(lo, hi);
    return 0;
  }

  /** removes [addr, addr+size) from the free list */
  private take(addr: number, size: number): void {
    const end = addr + size;
    const out: [number, number][] = [];
    for (const [s, e] of this.free) {
      if (e <= addr || s >= end) out.push([s, e]);
      else {
        if (s < addr) out.push([s, addr]);
        if (e > end) out.push([end, e]);
      }
    }
    this.free = out;
  }

  private addFree(s: number, e: number): void {
    if (s >= e) return;
    this.free.push([s, e]);
    this.free.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const r of this.free) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    // a free range at the bottom of the area gives the space back to brk
    if (merged.length && merged[0][0] <= this.mmapLow) {
      this.mmapLow = merged[0][1];
      merged.shift();
    }
    this.free = merged;
  }
}
