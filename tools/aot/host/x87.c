/*
 * The x87 FPU, exactly: the C port of tools/vkernel/x87.ts.
 *
 * An 80-bit value is a sign, a kind and, when finite, m * 2^e with a 64-bit significand m.
 * The TS keeps m as an exact BigInt of whatever length the last operation left; here m is
 * always normalized (bit 63 set), which is the same value, and products, quotients and
 * sums take unsigned __int128 with a sticky bit where bits fall off. Every rounding is the
 * exact rounding of the exact result, so the bits are the TS's (and the hardware's where
 * the TS claims it) on any host: no long double, which is not 80-bit on aarch64.
 * Transcendental instructions go through doubles and libm as the TS goes through Math.
 *
 * Memory operands go through guest_range(); one outside guest memory kills the guest
 * with SIGSEGV (in the TS the DataView would throw).
 */
#include <math.h>
#include <string.h>

#include "host.h"
#include "ops.h"

typedef unsigned __int128 u128;

enum { K_ZERO, K_FIN, K_INF, K_NAN };

/* value = m * 2^e (finite: bit 63 of m set); zero, infinity and NaN carry only a sign */
typedef struct {
  uint8_t sign, kind;
  int32_t e;
  uint64_t m;
} Val;

static Val mk(int sign, int kind) {
  Val v = {(uint8_t)sign, (uint8_t)kind, 0, 0};
  return v;
}
#define ZERO(s) mk((s), K_ZERO)
#define INF(s) mk((s), K_INF)
#define NAN_ mk(1, K_NAN) /* the TS's NAN: the sign is set */

static int bitlen64(uint64_t m) { return m ? 64 - __builtin_clzll(m) : 0; }
static int bitlen128(u128 m) {
  uint64_t hi = (uint64_t)(m >> 64);
  return hi ? 64 + bitlen64(hi) : bitlen64((uint64_t)m);
}

/* a nonzero m * 2^e with m < 2^64, normalized */
static Val norm(int sign, uint64_t m, int e) {
  int s = 64 - bitlen64(m);
  Val v = {(uint8_t)sign, K_FIN, e - s, m << s};
  return v;
}

/* rounding control: 0 nearest even, 1 down, 2 up, 3 toward zero */

/*
 * Rounds m*2^e (m != 0) to `bits` significant bits with the LSB exponent at least min_lsb
 * (round() in the TS); the result normalized into *out. Returns 0 when it rounds to zero.
 */
static int rnd(int sign, u128 m, int e, int bits, int min_lsb, int rc, Val *out) {
  int L = bitlen128(m);
  int lsb = e + L - bits > min_lsb ? e + L - bits : min_lsb;
  int shift = lsb - e;
  u128 q = m;
  int qe = e;
  if (shift > 0) {
    int nonzero, above, tie;
    if (shift > 128) { /* everything is below half an ulp: 2^(shift-1) > m */
      q = 0;
      nonzero = 1, above = 0, tie = 0;
    } else {
      u128 half = (u128)1 << (shift - 1);
      u128 rem = shift == 128 ? m : m & ((half << 1) - 1);
      q = shift == 128 ? 0 : m >> shift;
      nonzero = rem != 0, above = rem > half, tie = rem == half;
    }
    if (nonzero) {
      if (rc == 0) {
        if (above || (tie && (q & 1))) q++;
      } else if ((rc == 1 && sign) || (rc == 2 && !sign)) {
        q++;
      }
    }
    qe = lsb;
  }
  if (q == 0) return 0;
  /* a carry can make 2^bits: one bit more, exactly */
  int ql = bitlen128(q);
  if (ql > 64) {
    q >>= ql - 64;
    qe += ql - 64;
  }
  *out = norm(sign, (uint64_t)q, qe);
  return 1;
}

/* a finite result rounded to extended precision, with overflow to infinity (whatever rc) */
static Val fin(int sign, u128 m, int e, int rc) {
  Val r;
  if (m == 0 || !rnd(sign, m, e, 64, -16445, rc, &r)) return ZERO(sign);
  if (r.e + 64 > 16384) return INF(sign);
  return r;
}

/* IEEE binary (f32: 23/8, f64: 52/11) bits to a value, exactly */
static Val decode_ieee(uint64_t bits, int frac, int exp_bits) {
  int sign = (int)((bits >> (frac + exp_bits)) & 1);
  int ex = (int)((bits >> frac) & ((1u << exp_bits) - 1));
  uint64_t f = bits & (((uint64_t)1 << frac) - 1);
  int bias = (1 << (exp_bits - 1)) - 1;
  if (ex == (1 << exp_bits) - 1) return f ? mk(sign, K_NAN) : INF(sign);
  if (ex == 0) return f ? norm(sign, f, 1 - bias - frac) : ZERO(sign);
  return norm(sign, f | (uint64_t)1 << frac, ex - bias - frac);
}

/* a value to IEEE binary bits, rounded per rc (denormals included; overflow gives infinity) */
static uint64_t encode_ieee(Val v, int frac, int exp_bits, int rc) {
  uint64_t sign_bit = (uint64_t)v.sign << (frac + exp_bits);
  uint64_t max_e = ((uint64_t)1 << exp_bits) - 1;
  if (v.kind == K_ZERO) return sign_bit;
  if (v.kind == K_INF) return sign_bit | max_e << frac;
  if (v.kind == K_NAN) return sign_bit | max_e << frac | (uint64_t)1 << (frac - 1);
  int bias = (1 << (exp_bits - 1)) - 1;
  Val r;
  if (!rnd(v.sign, v.m, v.e, frac + 1, 1 - bias - frac, rc, &r)) return sign_bit;
  int top = r.e + 63; /* exponent of the leading bit */
  if (top > bias) return sign_bit | max_e << frac;
  if (top < 1 - bias) return sign_bit | r.m >> (1 - bias - frac - r.e); /* denormal: LSB at 1-bias-frac */
  return sign_bit | (uint64_t)(top + bias) << frac | ((r.m >> (63 - frac)) & (((uint64_t)1 << frac) - 1));
}

static Val decode80(uint64_t lo, unsigned hi) {
  int sign = (hi >> 15) & 1;
  int ex = hi & 0x7fff;
  if (ex == 0x7fff) return lo & ~((uint64_t)1 << 63) ? mk(sign, K_NAN) : INF(sign);
  if (lo == 0) return ZERO(sign);
  /* unnormals and pseudo-denormals count by their value, as in the TS */
  return norm(sign, lo, (ex == 0 ? 1 : ex) - 16383 - 63);
}

static void encode80(Val v, uint64_t *lo, uint16_t *hi) {
  uint16_t s = (uint16_t)(v.sign << 15);
  switch (v.kind) {
  case K_ZERO: *lo = 0, *hi = s; return;
  case K_INF: *lo = (uint64_t)1 << 63, *hi = s | 0x7fff; return;
  case K_NAN: *lo = (uint64_t)3 << 62, *hi = s | 0x7fff; return;
  }
  int top = v.e + 63;
  if (top < -16382) { /* denormal: LSB exponent -16445 (the bits below are zero) */
    *lo = v.m >> (-16445 - v.e);
    *hi = s;
    return;
  }
  *lo = v.m;
  *hi = (uint16_t)(s | (top + 16383));
}

static double to_number(Val v) {
  uint64_t b = encode_ieee(v, 52, 11, 0);
  double d;
  memcpy(&d, &b, 8);
  return d;
}

static Val from_number(double x) {
  if (isnan(x)) return NAN_;
  if (x == 0) return ZERO(signbit(x) ? 1 : 0);
  if (isinf(x)) return INF(x < 0);
  uint64_t b;
  memcpy(&b, &x, 8);
  return decode_ieee(b, 52, 11);
}

static Val from_int(int64_t n) {
  if (n == 0) return ZERO(0);
  return norm(n < 0, n < 0 ? 0 - (uint64_t)n : (uint64_t)n, 0);
}

enum { UNORDERED = 2 };

static int cmp(Val a, Val b) {
  if (a.kind == K_NAN || b.kind == K_NAN) return UNORDERED;
  int sa = a.kind == K_ZERO ? 0 : a.sign ? -1 : 1;
  int sb = b.kind == K_ZERO ? 0 : b.sign ? -1 : 1;
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int mag;
  if (a.kind == K_INF || b.kind == K_INF) mag = a.kind == b.kind ? 0 : a.kind == K_INF ? 1 : -1;
  else if (a.e != b.e) mag = a.e < b.e ? -1 : 1; /* normalized: the exponent orders first */
  else mag = a.m == b.m ? 0 : a.m < b.m ? -1 : 1;
  return sa < 0 ? -mag : mag;
}

static Val neg(Val v) {
  v.sign ^= 1;
  return v;
}

/*
 * The exact sum, rounded. The larger operand goes to bits 62..125 of a 128-bit word and the
 * smaller is shifted under it; bits shifted out leave a sticky 1 in bit 0. With 62 guard bits
 * the sum is exact whenever the exponents are 62 apart or less, and otherwise lies strictly
 * inside the same unit interval as the odd proxy, where no rounding boundary falls.
 * The TS's gap > 200 branch puts its sticky bit under the larger operand's own LSB, which
 * is right only for a 64-bit significand: see the report; here the value decides.
 */
static Val add(Val a, Val b, int rc) {
  if (a.kind == K_NAN || b.kind == K_NAN) return NAN_;
  if (a.kind == K_INF || b.kind == K_INF) {
    if (a.kind == K_INF && b.kind == K_INF && a.sign != b.sign) return NAN_;
    return a.kind == K_INF ? a : b;
  }
  if (a.kind == K_ZERO && b.kind == K_ZERO) return ZERO(a.sign == b.sign ? a.sign : rc == 1);
  if (a.kind == K_ZERO) return b;
  if (b.kind == K_ZERO) return a;
  Val big = a.e >= b.e ? a : b, small = a.e >= b.e ? b : a;
  int d = big.e - small.e;
  u128 x = (u128)big.m << 62, y;
  if (d >= 126) y = 1;
  else {
    y = ((u128)small.m << 62) >> d;
    if (d > 62 && (y << d) != (u128)small.m << 62) y |= 1;
  }
  int e = big.e - 62;
  if (big.sign == small.sign) return fin(big.sign, x + y, e, rc);
  if (x == y) return ZERO(rc == 1);
  return x > y ? fin(big.sign, x - y, e, rc) : fin(small.sign, y - x, e, rc);
}

static Val mul(Val a, Val b, int rc) {
  int sign = a.sign ^ b.sign;
  if (a.kind == K_NAN || b.kind == K_NAN) return NAN_;
  if (a.kind == K_INF || b.kind == K_INF) return a.kind == K_ZERO || b.kind == K_ZERO ? NAN_ : INF(sign);
  if (a.kind == K_ZERO || b.kind == K_ZERO) return ZERO(sign);
  return fin(sign, (u128)a.m * b.m, a.e + b.e, rc);
}

/* the quotient to 66 or 67 bits by 128-bit long division, then a sticky bit */
static Val divide(Val a, Val b, int rc) {
  int sign = a.sign ^ b.sign;
  if (a.kind == K_NAN || b.kind == K_NAN) return NAN_;
  if (a.kind == K_INF) return b.kind == K_INF ? NAN_ : INF(sign);
  if (b.kind == K_INF) return ZERO(sign);
  if (b.kind == K_ZERO) return a.kind == K_ZERO ? NAN_ : INF(sign);
  if (a.kind == K_ZERO) return ZERO(sign);
  u128 n = (u128)a.m << 64;
  u128 q = n / b.m, r = n % b.m;   /* q < 2^65 */
  q = q << 2 | (r << 2) / b.m;     /* two more bits: r < 2^64 */
  r = (r << 2) % b.m;
  return fin(sign, q << 1 | (r != 0), a.e - b.e - 67, rc);
}

/* floor(sqrt(n)) bit by bit; *rem = n - root^2 */
static uint64_t isqrt128(u128 n, u128 *rem) {
  u128 r = 0, bit = (u128)1 << 126;
  while (bit > n) bit >>= 2;
  while (bit) {
    if (n >= r + bit) {
      n -= r + bit;
      r = (r >> 1) + bit;
    } else {
      r >>= 1;
    }
    bit >>= 2;
  }
  *rem = n;
  return (uint64_t)r;
}

/* sqrt of m * 2^E, m scaled to 126-127 bits and E even: a 64-bit root, two more bits from
   the remainder ((4r + t)^2 <= 16M), then a sticky bit */
static Val fsqrt_(Val a, int rc) {
  if (a.kind == K_NAN || (a.sign && a.kind != K_ZERO)) return NAN_;
  if (a.kind != K_FIN) return a;
  int s = ((a.e - 62) & 1) ? 63 : 62;
  u128 M = (u128)a.m << s, R;
  int E = a.e - s;
  uint64_t r0 = isqrt128(M, &R);
  u128 t = 3;
  while ((u128)8 * r0 * t + t * t > 16 * R) t--;
  u128 r = (u128)r0 * 4 + t;
  int sticky = 16 * R != (u128)8 * r0 * t + t * t;
  return fin(0, r << 1 | (u128)sticky, E / 2 - 3, rc);
}

/* rounds to an integer value per rc */
static Val round_int(Val v, int rc) {
  if (v.kind != K_FIN || v.e >= 0) return v;
  Val r;
  if (!rnd(v.sign, v.m, v.e, 1 << 30, 0, rc, &r)) return ZERO(v.sign);
  return r;
}

/* an integer value (round_int's result) into a signed integer of `bits`; 0 when it does not
   fit (the stores then write the integer indefinite) */
static int to_int(Val v, int bits, int64_t *out) {
  if (v.kind == K_ZERO) return *out = 0, 1;
  if (v.kind != K_FIN || v.e >= 64) return 0;
  u128 mag = v.e >= 0 ? (u128)v.m << v.e : v.e <= -64 ? 0 : (u128)(v.m >> -v.e);
  u128 lim = (u128)1 << (bits - 1);
  if (v.sign ? mag > lim : mag >= lim) return 0;
  *out = v.sign ? (int64_t)(0 - (uint64_t)mag) : (int64_t)(uint64_t)mag;
  return 1;
}

/* the hardware's constants as 64-bit significands (round to nearest) */
static Val konst(uint64_t m, int e) {
  Val v = {0, K_FIN, e, m};
  return v;
}

/* ---- the FPU state ---- */

static Val regs[8];
static unsigned tags = 0xffff; /* all empty */
static unsigned top;
static unsigned cw = 0x037f;
static unsigned sw;

static Val st(unsigned i) { return regs[(top + i) & 7]; }
static void set_st(unsigned i, Val v) {
  unsigned r = (top + i) & 7;
  regs[r] = v;
  tags &= ~(3u << (r * 2));
}
static void push(Val v) {
  top = (top - 1) & 7;
  set_st(0, v);
}
static void pop(void) {
  tags |= 3u << (top * 2);
  top = (top + 1) & 7;
}
static void set_cc(int c0, int c1, int c2, int c3) {
  sw = (sw & ~0x4700u) | (unsigned)c0 << 8 | (unsigned)c1 << 9 | (unsigned)c2 << 10 | (unsigned)c3 << 14;
}
static unsigned status_word(void) { return (sw & ~0x3800u) | top << 11; }

static uint8_t *operand(uint32_t addr, uint32_t len) {
  uint8_t *p = guest_range(addr, len);
  if (!p) guest_killed(11, "x87 memory operand at 0x%x outside the guest's memory", addr);
  return p;
}
/* guest memory is little-endian, as both hosts are */
static uint64_t rd(uint32_t addr, uint32_t len) {
  uint64_t v = 0;
  memcpy(&v, operand(addr, len), len);
  return v;
}
static void wr(uint32_t addr, uint32_t len, uint64_t v) { memcpy(operand(addr, len), &v, len); }

static Val load_f(uint32_t addr, unsigned size) {
  if (size == 4) return decode_ieee(rd(addr, 4), 23, 8);
  if (size == 8) return decode_ieee(rd(addr, 8), 52, 11);
  uint8_t *p = operand(addr, 10);
  uint64_t lo;
  uint16_t hi;
  memcpy(&lo, p, 8);
  memcpy(&hi, p + 8, 2);
  return decode80(lo, hi);
}

static Val load_i(uint32_t addr, unsigned size) {
  if (size == 2) return from_int((int16_t)rd(addr, 2));
  if (size == 4) return from_int((int32_t)rd(addr, 4));
  return from_int((int64_t)rd(addr, 8));
}

/* fist/fistp (rounded per rc) and fisttp (truncated) */
static void store_i(uint32_t addr, unsigned size, Val v, int rc) {
  unsigned bits = size == 2 ? 16 : size == 4 ? 32 : 64;
  int64_t n;
  if (!to_int(round_int(v, rc), (int)bits, &n)) n = (int64_t)((uint64_t)-1 << (bits - 1));
  wr(addr, bits / 8, (uint64_t)n);
}

static void store_f(uint32_t addr, unsigned size, Val v, int rc) {
  if (size == 4) wr(addr, 4, encode_ieee(v, 23, 8, rc));
  else if (size == 8) wr(addr, 8, encode_ieee(v, 52, 11, rc));
  else {
    uint64_t lo;
    uint16_t hi;
    encode80(v, &lo, &hi);
    uint8_t *p = operand(addr, 10);
    memcpy(p, &lo, 8);
    memcpy(p + 8, &hi, 2);
  }
}

static void compare(Val a, Val b) {
  int c = cmp(a, b);
  if (c == UNORDERED) set_cc(1, 0, 1, 1);
  else set_cc(c < 0, 0, 0, c == 0);
}

/* EFLAGS bits (ZF PF CF) of fcomi/fucomi */
static unsigned comi(Val a, Val b) {
  int c = cmp(a, b);
  if (c == UNORDERED) return 0x45;
  return c < 0 ? 0x01 : c == 0 ? 0x40 : 0;
}

enum { ADD, SUB, SUBR, MUL, DIV, DIVR };

static Val arith(int op, Val a, Val b, int rc) {
  switch (op) {
  case ADD: return add(a, b, rc);
  case SUB: return add(a, neg(b), rc);
  case SUBR: return add(b, neg(a), rc);
  case MUL: return mul(a, b, rc);
  case DIV: return divide(a, b, rc);
  default: return divide(b, a, rc);
  }
}

/* fscale's st(1) truncated to an integer, clamped to +-100000 */
static int scale_of(Val v, int *n) {
  Val r = round_int(v, 3);
  if (r.kind == K_ZERO) return *n = 0, 1;
  if (r.kind != K_FIN) return 0;
  long mag = r.e + 63 >= 17 ? 100001 : (long)(r.m >> -r.e); /* 2^17 > 100000 */
  if (mag > 100000) mag = 100000;
  *n = (int)(r.sign ? -mag : mag);
  return 1;
}

/* approximations through doubles, as the TS (Math.sin...): exact results are not promised */
static void transcendental(uint32_t op) {
  double x = to_number(st(0)), y = to_number(st(1));
  switch (op) {
  case X87_OP_FSIN: set_st(0, from_number(sin(x))); break;
  case X87_OP_FCOS: set_st(0, from_number(cos(x))); break;
  case X87_OP_FSINCOS: set_st(0, from_number(sin(x))); push(from_number(cos(x))); break;
  case X87_OP_FPTAN: set_st(0, from_number(tan(x))); push(norm(0, 1, 0)); break;
  case X87_OP_FPATAN: pop(); set_st(0, from_number(atan2(y, x))); break;
  case X87_OP_F2XM1: set_st(0, from_number(pow(2, x) - 1)); break;
  case X87_OP_FYL2X: pop(); set_st(0, from_number(y * log2(x))); break;
  case X87_OP_FYL2XP1: pop(); set_st(0, from_number(y * log2(1 + x))); break;
  }
  set_cc(0, 0, 0, 0);
}

static void fprem(int nearest) {
  Val a = st(0), b = st(1);
  if (a.kind != K_FIN || b.kind != K_FIN) {
    if (a.kind == K_INF || b.kind == K_ZERO || a.kind == K_NAN || b.kind == K_NAN) set_st(0, NAN_);
    set_cc(0, 0, 0, 0);
    return;
  }
  /* a.m*2^a.e = q * b.m*2^b.e + r with the remainder in units of 2^min(a.e, b.e) */
  int e = a.e < b.e ? a.e : b.e;
  uint64_t q; /* the quotient's low bits are all the flags need */
  u128 r, y;
  if (a.e < b.e) {
    if (b.e - a.e >= 2) { /* |a| < |b| / 2: q is 0 and a the remainder, for both */
      set_cc(0, 0, 0, 0);
      set_st(0, a);
      return;
    }
    y = (u128)b.m << (b.e - a.e);
    q = (uint64_t)(a.m / y);
    r = a.m % y;
  } else {
    /* a.m * 2^d mod b.m, 62 bits at a time (r < 2^64, so r << 62 fits) */
    y = b.m;
    q = (uint64_t)(a.m / y);
    r = a.m % y;
    for (int d = a.e - b.e; d > 0;) {
      int k = d > 62 ? 62 : d;
      u128 t = r << k;
      q = (q << (k > 3 ? 3 : k)) + (uint64_t)(t / y);
      r = t % y;
      d -= k;
    }
  }
  int negative = 0;
  if (nearest) {
    u128 r2 = r * 2;
    if (r2 > y || (r2 == y && (q & 1))) {
      q++;
      r = y - r;
      negative = 1;
    }
  }
  set_st(0, r == 0 ? ZERO(a.sign) : fin(a.sign ^ negative, r, e, 0));
  set_cc((int)(q >> 2) & 1, (int)q & 1, 0, (int)(q >> 1) & 1);
}

/*
 * Runs one instruction (op: X87_OP_*; arg: bits 0-2 st(i), bit 8 "the destination is st(i)",
 * bit 9 "the fcmov condition holds", bit 12 "memory operand" with its size in bits 0-7).
 * Returns fnstsw's status word, fcomi's EFLAGS bits, else 0.
 */
uint64_t host_x87(uint32_t op, uint32_t arg, uint32_t addr) {
  int rc = (cw >> 10) & 3;
  int is_mem = (arg & 0x1000) != 0;
  unsigned size = arg & 0xff;
  unsigned i = arg & 7;
  int to_sti = (arg & 0x100) != 0;
  int aop = -1, pops = 0, int_mem = 0;
  switch (op) {
  case X87_OP_FADD: aop = ADD; break;
  case X87_OP_FADDP: aop = ADD, pops = 1; break;
  case X87_OP_FIADD: aop = ADD, int_mem = 1; break;
  case X87_OP_FSUB: aop = SUB; break;
  case X87_OP_FSUBP: aop = SUB, pops = 1; break;
  case X87_OP_FISUB: aop = SUB, int_mem = 1; break;
  case X87_OP_FSUBR: aop = SUBR; break;
  case X87_OP_FSUBRP: aop = SUBR, pops = 1; break;
  case X87_OP_FISUBR: aop = SUBR, int_mem = 1; break;
  case X87_OP_FMUL: aop = MUL; break;
  case X87_OP_FMULP: aop = MUL, pops = 1; break;
  case X87_OP_FIMUL: aop = MUL, int_mem = 1; break;
  case X87_OP_FDIV: aop = DIV; break;
  case X87_OP_FDIVP: aop = DIV, pops = 1; break;
  case X87_OP_FIDIV: aop = DIV, int_mem = 1; break;
  case X87_OP_FDIVR: aop = DIVR; break;
  case X87_OP_FDIVRP: aop = DIVR, pops = 1; break;
  case X87_OP_FIDIVR: aop = DIVR, int_mem = 1; break;
  }
  if (aop >= 0) {
    if (is_mem) set_st(0, arith(aop, st(0), int_mem ? load_i(addr, size) : load_f(addr, size), rc));
    else if (to_sti || pops) set_st(i, arith(aop, st(i), st(0), rc));
    else set_st(0, arith(aop, st(0), st(i), rc));
    if (pops) pop();
    return 0;
  }
  switch (op) {
  case X87_OP_FLD: push(is_mem ? load_f(addr, size) : st(i)); return 0;
  case X87_OP_FILD: push(load_i(addr, size)); return 0;
  case X87_OP_FST:
  case X87_OP_FSTP:
    if (is_mem) store_f(addr, size, st(0), rc);
    else set_st(i, st(0));
    if (op == X87_OP_FSTP) pop();
    return 0;
  case X87_OP_FIST:
  case X87_OP_FISTP:
    store_i(addr, size, st(0), rc);
    if (op == X87_OP_FISTP) pop();
    return 0;
  case X87_OP_FISTTP:
    store_i(addr, size, st(0), 3);
    pop();
    return 0;
  case X87_OP_FXCH: {
    Val t = st(0);
    set_st(0, st(i));
    set_st(i, t);
    return 0;
  }
  case X87_OP_FCHS: set_st(0, neg(st(0))); return 0;
  case X87_OP_FABS: {
    Val v = st(0);
    v.sign = 0;
    set_st(0, v);
    return 0;
  }
  case X87_OP_FSQRT: set_st(0, fsqrt_(st(0), rc)); return 0;
  case X87_OP_FRNDINT: set_st(0, round_int(st(0), rc)); return 0;
  case X87_OP_FSCALE: {
    int n;
    Val v = st(0);
    if (v.kind == K_FIN && scale_of(st(1), &n)) set_st(0, fin(v.sign, v.m, v.e + n, rc));
    return 0;
  }
  case X87_OP_FXTRACT: {
    Val v = st(0);
    if (v.kind != K_FIN) return 0;
    set_st(0, from_int(v.e + 63));
    v.e = -63; /* the significand in [1, 2) */
    push(v);
    return 0;
  }
  case X87_OP_FPREM: fprem(0); return 0;
  case X87_OP_FPREM1: fprem(1); return 0;
  case X87_OP_FLD1: push(norm(0, 1, 0)); return 0;
  case X87_OP_FLDZ: push(ZERO(0)); return 0;
  case X87_OP_FLDPI: push(konst(0xc90fdaa22168c235u, -62)); return 0;
  case X87_OP_FLDL2E: push(konst(0xb8aa3b295c17f0bcu, -63)); return 0;
  case X87_OP_FLDL2T: push(konst(0xd49a784bcd1b8afeu, -62)); return 0;
  case X87_OP_FLDLG2: push(konst(0x9a209a84fbcff799u, -65)); return 0;
  case X87_OP_FLDLN2: push(konst(0xb17217f7d1cf79acu, -64)); return 0;
  case X87_OP_FCOM:
  case X87_OP_FCOMP:
  case X87_OP_FUCOM:
  case X87_OP_FUCOMP:
    compare(st(0), is_mem ? load_f(addr, size) : st(i ? i : 1));
    if (op == X87_OP_FCOMP || op == X87_OP_FUCOMP) pop();
    return 0;
  case X87_OP_FICOM:
  case X87_OP_FICOMP:
    compare(st(0), load_i(addr, size));
    if (op == X87_OP_FICOMP) pop();
    return 0;
  case X87_OP_FCOMPP:
  case X87_OP_FUCOMPP:
    compare(st(0), st(1));
    pop();
    pop();
    return 0;
  case X87_OP_FTST: compare(st(0), ZERO(0)); return 0;
  case X87_OP_FXAM: {
    Val v = st(0);
    int c1 = v.sign;
    if (((tags >> (top * 2)) & 3) == 3) set_cc(1, c1, 0, 1); /* empty */
    else if (v.kind == K_NAN) set_cc(1, c1, 0, 0);
    else if (v.kind == K_INF) set_cc(1, c1, 1, 0);
    else if (v.kind == K_ZERO) set_cc(0, c1, 0, 1);
    else if (v.e + 63 < -16382) set_cc(0, c1, 1, 1); /* denormal */
    else set_cc(0, c1, 1, 0);
    return 0;
  }
  case X87_OP_FCOMI:
  case X87_OP_FCOMIP:
  case X87_OP_FUCOMI:
  case X87_OP_FUCOMIP: {
    unsigned f = comi(st(0), st(i));
    if (op == X87_OP_FCOMIP || op == X87_OP_FUCOMIP) pop();
    return f;
  }
  case X87_OP_FNSTSW:
    if (is_mem) wr(addr, 2, status_word());
    return status_word();
  case X87_OP_FNSTCW: wr(addr, 2, cw); return 0;
  case X87_OP_FLDCW: cw = (unsigned)rd(addr, 2); return 0;
  case X87_OP_FNINIT:
    for (int k = 0; k < 8; k++) regs[k] = ZERO(0);
    tags = 0xffff;
    top = 0;
    cw = 0x037f;
    sw = 0;
    return 0;
  case X87_OP_FNCLEX: sw &= 0x7f00; return 0;
  case X87_OP_WAIT:
  case X87_OP_FNOP: return 0;
  case X87_OP_FFREE: tags |= 3u << (((top + i) & 7) * 2); return 0;
  case X87_OP_FINCSTP: top = (top + 1) & 7; return 0;
  case X87_OP_FDECSTP: top = (top - 1) & 7; return 0;
  case X87_OP_FNSTENV: {
    /* the 28-byte protected-mode environment: control, status and tag words */
    uint8_t *p = operand(addr, 28);
    memset(p, 0, 28);
    uint16_t w[3] = {(uint16_t)cw, (uint16_t)status_word(), (uint16_t)tags};
    for (int k = 0; k < 3; k++) memcpy(p + 4 * k, &w[k], 2);
    cw |= 0x3f; /* fnstenv masks all exceptions */
    return 0;
  }
  case X87_OP_FLDENV: {
    uint8_t *p = operand(addr, 10);
    uint16_t w[3];
    for (int k = 0; k < 3; k++) memcpy(&w[k], p + 4 * k, 2);
    cw = w[0];
    sw = w[1] & ~0x3800u;
    top = (w[1] >> 11) & 7;
    tags = w[2];
    return 0;
  }
  case X87_OP_FSIN:
  case X87_OP_FCOS:
  case X87_OP_FSINCOS:
  case X87_OP_FPTAN:
  case X87_OP_FPATAN:
  case X87_OP_F2XM1:
  case X87_OP_FYL2X:
  case X87_OP_FYL2XP1:
    transcendental(op);
    return 0;
  case X87_OP_FCMOVB:
  case X87_OP_FCMOVE:
  case X87_OP_FCMOVBE:
  case X87_OP_FCMOVU:
  case X87_OP_FCMOVNB:
  case X87_OP_FCMOVNE:
  case X87_OP_FCMOVNBE:
  case X87_OP_FCMOVNU:
    /* arg bit 0x200: the condition held (the translator evaluated it from EFLAGS) */
    if (arg & 0x200) set_st(0, st(i));
    return 0;
  }
  guest_killed(4, "x87 operation %u has no implementation", op);
}
