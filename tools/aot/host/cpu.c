/*
 * cpuid, rdtsc, the x86 string instructions, 128-bit division and fused multiply-add: the C
 * port of tools/vkernel/cpu.ts (cpuidAnswer) and of the cpuid, rdtsc, string and div128
 * imports of tools/vkernel/process.ts (stringOp, setAcc, setCmpFlags).
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "host.h"
#include "ops.h"

/* ---- cpuid ---- */

/*
 * A baseline x86-64 (SSE2, no SSE3 and later, no AVX, no XSAVE) under a vendor string of its
 * own, so that the C libraries take the SSE2 paths the translator implements (see cpu.ts):
 *   leaf 0           max basic leaf 1, vendor "RecompVirtCP"
 *   leaf 1           family 6 model 0; EDX: FPU TSC CX8 CMOV MMX FXSR SSE SSE2 ...; ECX: 0
 *   leaf 0x80000000  max extended leaf 0x80000001
 *   leaf 0x80000001  ECX: LAHF/SAHF in 64-bit mode; EDX: SYSCALL, NX, LM
 *   anything else    zeros
 */
static uint32_t word(const char *s) {
  return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 | (uint32_t)(uint8_t)s[2] << 16 |
         (uint32_t)(uint8_t)s[3] << 24;
}

uint64_t host_cpuid(uint32_t leaf, uint32_t sub) {
  static const char vendor[] = "RecompVirtCP";
  uint32_t r[4] = {0, 0, 0, 0};
  (void)sub;
  switch (leaf) {
  case 0: r[0] = 1, r[1] = word(vendor), r[2] = word(vendor + 8), r[3] = word(vendor + 4); break;
  case 1: r[0] = 0x00000600, r[1] = 0x00000800, r[2] = 0, r[3] = 0x078bfbff; break;
  case 0x80000000: r[0] = 0x80000001; break;
  case 0x80000001: r[2] = 0x1, r[3] = 0x20100800; break;
  }
  static uint64_t *c1, *c2, *c3;
  if (!c1) c1 = slot("cpuid1"), c2 = slot("cpuid2"), c3 = slot("cpuid3");
  *c1 = r[1], *c2 = r[2], *c3 = r[3];
  return r[0];
}

/* monotonic nanoseconds, as process.hrtime.bigint() */
uint64_t host_rdtsc(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- string instructions ---- */

static uint64_t *r_rax, *r_rcx, *r_rsi, *r_rdi, *r_flags;

static void string_slots(void) {
  if (r_rax) return;
  r_rax = slot("rax"), r_rcx = slot("rcx"), r_rsi = slot("rsi"), r_rdi = slot("rdi"), r_flags = slot("flags");
}

/* an element of guest memory; addresses step as plain integers (the TS's Numbers) and may leave
   the 32-bit space, where nothing is: that kills like the memory fault it is */
static uint8_t *element(int64_t addr, uint32_t size) {
  uint8_t *p = addr < 0 ? NULL : guest_range((uint64_t)addr, size);
  if (!p) guest_killed(11, "string instruction access at 0x%llx outside the guest's memory", (unsigned long long)addr);
  return p;
}
static uint64_t get(int64_t addr, uint32_t size) {
  uint64_t v = 0;
  memcpy(&v, element(addr, size), size); /* little-endian guest on little-endian hosts */
  return v;
}
static void put(int64_t addr, uint32_t size, uint64_t v) { memcpy(element(addr, size), &v, size); }

/* a lods result into the accumulator: 8 and 4 bytes replace it (a 32-bit write zero-extends) */
static void set_acc(uint32_t size, uint64_t v) {
  if (size >= 4) *r_rax = v;
  else {
    uint64_t m = ((uint64_t)1 << (size * 8)) - 1;
    *r_rax = (*r_rax & ~m) | v;
  }
}

/* EFLAGS of `cmp a, b` into the flags slot (keeps DF only, as the TS) */
static void set_cmp_flags(uint64_t a, uint64_t b, uint32_t size) {
  unsigned bits = size * 8;
  uint64_t m = bits == 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
  uint64_t r = (a - b) & m;
  uint64_t f = *r_flags & (1u << 10);
  if (a < b) f |= 1;
  if (!(__builtin_popcountll(r & 0xff) & 1)) f |= 4;
  if (((a ^ b ^ r) >> 4) & 1) f |= 16;
  if (r == 0) f |= 64;
  if ((r >> (bits - 1)) & 1) f |= 128;
  if ((((a ^ b) & (a ^ r)) >> (bits - 1)) & 1) f |= 2048;
  *r_flags = f;
}

/* x86 string instructions in their general form (any direction, overlap or pattern); rep: 0
   none, 1 repe/rep, 2 repne. Memory is touched element by element as the TS does, so an
   overlapping movs replicates its pattern. */
void host_string(uint32_t kind, uint32_t size, uint32_t rep) {
  string_slots();
  int64_t step = (*r_flags >> 10) & 1 ? -(int64_t)size : (int64_t)size;
  uint64_t rcx = *r_rcx;
  int64_t rsi = (uint32_t)*r_rsi, rdi = (uint32_t)*r_rdi;
  uint64_t mask = size == 8 ? ~(uint64_t)0 : ((uint64_t)1 << (size * 8)) - 1;
  uint64_t acc = *r_rax & mask;
  int compared = 0;
  uint64_t fa = 0, fb = 0;
  for (;;) {
    if (rep && rcx == 0) break;
    switch (kind) {
    case STRING_KIND_MOVS: put(rdi, size, get(rsi, size)); rsi += step; rdi += step; break;
    case STRING_KIND_STOS: put(rdi, size, acc); rdi += step; break;
    case STRING_KIND_LODS: set_acc(size, get(rsi, size)); rsi += step; break;
    case STRING_KIND_CMPS: fa = get(rsi, size), fb = get(rdi, size), compared = 1; rsi += step; rdi += step; break;
    case STRING_KIND_SCAS: fa = acc, fb = get(rdi, size), compared = 1; rdi += step; break;
    default: guest_killed(4, "string operation %u has no implementation", kind);
    }
    if (!rep) break;
    rcx--;
    if (compared && ((rep == 1 && fa != fb) || (rep == 2 && fa == fb))) break;
  }
  if (rep) *r_rcx = rcx;
  *r_rsi = (uint32_t)rsi;
  *r_rdi = (uint32_t)rdi;
  if (compared) set_cmp_flags(fa, fb, size);
}

/* ---- 128-bit division (div, idiv with a 64-bit divisor) ---- */

/* rdx:rax / d: the quotient; the remainder goes to rem128. A zero divisor or a quotient that
   does not fit 64 bits is the divide error (#DE, SIGFPE). */
uint64_t host_div128(uint64_t hi, uint64_t lo, uint64_t d, uint32_t is_signed, uint32_t pc) {
  static uint64_t *rem;
  if (!rem) rem = slot("rem128");
  unsigned __int128 n = (unsigned __int128)hi << 64 | lo;
  if (d == 0) guest_killed(8, "divide error at 0x%x", pc);
  uint64_t q, r;
  if (is_signed) {
    __int128 sn = (__int128)n, sd = (int64_t)d, sq;
    if (sd == -1) { /* -n: INT128_MIN / -1 would overflow the C division itself */
      if (sn < -(__int128)INT64_MAX || sn > (__int128)1 << 63) guest_killed(8, "divide error at 0x%x", pc);
      sq = -sn;
      r = 0;
    } else {
      sq = sn / sd; /* truncates toward zero, as BigInt */
      r = (uint64_t)(sn % sd);
    }
    if (sq != (int64_t)sq) guest_killed(8, "divide error at 0x%x", pc);
    q = (uint64_t)sq;
  } else {
    unsigned __int128 uq = n / d;
    if (uq >> 64) guest_killed(8, "divide error at 0x%x", pc);
    q = (uint64_t)uq;
    r = (uint64_t)(n % d);
  }
  *rem = r;
  return q;
}

/* ---- fused multiply-add: C's fma() rounds once, exactly (hardware or glibc's emulation) ---- */

double host_fma64(double a, double b, double c) { return fma(a, b, c); }
float host_fma32(float a, float b, float c) { return fmaf(a, b, c); }
