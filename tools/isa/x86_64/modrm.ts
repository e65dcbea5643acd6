// Decoder state for one instruction, and the ModRM/SIB/displacement reader.
// One mutable state object is reused for every decode: the hot loop allocates nothing here.

export const NONE = -1;
export const RIP = 16;

export class State {
  code: Uint8Array = new Uint8Array(0);
  start = 0;
  p = 0;
  end = 0;
  // legacy prefixes
  lock = false;
  lockDropped = false;
  rep = 0; // 0, 0xf2 or 0xf3: the last of them wins, as on hardware
  opsz = false;
  adsz = false;
  seg = NONE; // segment register number
  anyPfx = false;
  // REX / VEX / EVEX fields, already shifted into register-number bits
  rex = 0;
  w = false;
  r = 0; // 8 (REX.R) | 16 (EVEX.R')
  x = 0; // 8 (REX.X) | 16 (EVEX.X for vector r/m)
  b = 0; // 8 (REX.B)
  vex = 0; // 0 none, 2/3 VEX (c5/c4), 4 EVEX
  vvvv = 0; // decoded (not inverted) register number, 0-31
  vl = 16; // vector length in bytes
  pp = 0; // 0 none, 1 66, 2 f3, 3 f2 (mandatory prefix index)
  bcst = false; // EVEX.b
  zero = false; // EVEX.z
  aaa = 0; // EVEX opmask
  // ModRM
  hasModrm = false;
  mod = 0;
  reg = 0; // 3 bits, without REX
  rm = 0; // 3 bits, without REX
  // memory operand
  base = NONE; // register number, RIP, or NONE
  index = NONE;
  scale = 1;
  disp = 0;
  disp8 = false;

  reset(code: Uint8Array, offset: number): void {
    this.code = code;
    this.start = this.p = offset;
    this.end = Math.min(code.length, offset + 15);
    this.lock = this.lockDropped = this.opsz = this.adsz = this.anyPfx = false;
    this.rep = 0;
    this.seg = NONE;
    this.rex = this.r = this.x = this.b = this.vex = this.vvvv = this.pp = this.aaa = 0;
    this.w = this.bcst = this.zero = this.hasModrm = false;
    this.vl = 16;
  }

  /** Reads the ModRM byte (and SIB and displacement); false if the bytes run out. */
  readModrm(): boolean {
    if (this.hasModrm) return true;
    const c = this.code;
    if (this.p >= this.end) return false;
    const m = c[this.p++];
    this.hasModrm = true;
    this.mod = m >> 6;
    this.reg = (m >> 3) & 7;
    this.rm = m & 7;
    if (this.mod === 3) return true;
    this.index = NONE;
    this.scale = 1;
    this.disp = 0;
    this.disp8 = false;
    let base = this.rm;
    if (base === 4) {
      if (this.p >= this.end) return false;
      const sib = c[this.p++];
      this.scale = 1 << (sib >> 6);
      const idx = ((sib >> 3) & 7) | (this.x & 8);
      this.index = idx === 4 ? NONE : idx; // index 4 without REX.X means none
      base = sib & 7;
      if (base === 5 && this.mod === 0) {
        this.base = NONE;
        return this.readDisp32();
      }
      this.base = base | this.b;
    } else if (base === 5 && this.mod === 0) {
      this.base = RIP;
      return this.readDisp32();
    } else {
      this.base = base | this.b;
    }
    if (this.mod === 1) {
      if (this.p >= this.end) return false;
      this.disp = (c[this.p++] << 24) >> 24;
      this.disp8 = true;
    } else if (this.mod === 2) {
      return this.readDisp32();
    }
    return true;
  }

  private readDisp32(): boolean {
    if (this.p + 4 > this.end) return false;
    const c = this.code;
    const p = this.p;
    this.disp = c[p] | (c[p + 1] << 8) | (c[p + 2] << 16) | (c[p + 3] << 24);
    this.p = p + 4;
    return true;
  }

  /** Little-endian signed immediate of n bytes (1, 2, 4) as a number, or undefined past the end. */
  imm(n: number): number | undefined {
    const c = this.code;
    const p = this.p;
    if (p + n > this.end) return undefined;
    this.p = p + n;
    if (n === 1) return (c[p] << 24) >> 24;
    if (n === 2) return ((c[p] | (c[p + 1] << 8)) << 16) >> 16;
    return c[p] | (c[p + 1] << 8) | (c[p + 2] << 16) | (c[p + 3] << 24);
  }
}
