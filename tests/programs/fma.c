/* Fused multiply-add on 200000 pseudo-random operands (a third of them nearly cancelling):
   hashes of the double and single results, which must match the hardware's bit for bit. */
#include <stdio.h>
#include <stdint.h>
#include <math.h>
static uint64_t s = 88172645463325252ULL;
static uint64_t rnd(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
static double rd(void) { uint64_t b = rnd(); double x; int e = (int)(b % 120) - 60; x = ldexp((double)(rnd() >> 11) / 9007199254740992.0, e); return (b & 1) ? -x : x; }
int main(void) {
  uint64_t h = 0, hf = 0;
  for (int i = 0; i < 200000; i++) {
    double a = rd(), b = rd(), c = rd();
    if (i % 3 == 0) c = -a * b * (1 + ldexp(1, -40));
    volatile double r = fma(a, b, c);
    volatile double r2 = fma(-a, b, c);
    uint64_t u, u2; __builtin_memcpy(&u, (const void *)&r, 8); __builtin_memcpy(&u2, (const void *)&r2, 8);
    h = h * 1000003 ^ u ^ (u2 << 1);
    float fa = (float)a, fb = (float)b, fc = (float)c;
    volatile float f = fmaf(fa, fb, fc);
    uint32_t v; __builtin_memcpy(&v, (const void *)&f, 4);
    hf = hf * 1000003 ^ v;
  }
  printf("%016llx %016llx\n", (unsigned long long)h, (unsigned long long)hf);
  printf("%a %a\n", fma(0.1, 10.0, -1.0), fma(1e308, 10.0, -1e308));
  return 0;
}
