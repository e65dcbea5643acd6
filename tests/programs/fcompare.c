/* Float compares and the branches, selects and set-on-condition they feed, on ordered and
   unordered operands (NaN, infinities, signed zeros, equal values), double and single:
   each outcome is one bit of a line per pair, which must match the hardware's. gcc -O2
   compiles each test to ucomisd/comisd + jcc, setcc or cmov (x86_64) and fcmp + b.cond,
   cset or fcsel (aarch64). */
#include <math.h>
#include <stdio.h>

#define TESTS(T, name)                                                                     \
  __attribute__((noinline)) static unsigned name(T a, T b) {                              \
    unsigned m = 0, k = 0;                                                                 \
    if (a < b) m |= 1u << k; k++;                                                          \
    if (a <= b) m |= 1u << k; k++;                                                         \
    if (a > b) m |= 1u << k; k++;                                                          \
    if (a >= b) m |= 1u << k; k++;                                                         \
    if (a == b) m |= 1u << k; k++;                                                         \
    if (a != b) m |= 1u << k; k++;                                                         \
    if (!(a < b)) m |= 1u << k; k++;                                                       \
    if (!(a <= b)) m |= 1u << k; k++;                                                      \
    if (!(a > b)) m |= 1u << k; k++;                                                       \
    if (!(a >= b)) m |= 1u << k; k++;                                                      \
    if (isless(a, b)) m |= 1u << k; k++;                                                   \
    if (islessequal(a, b)) m |= 1u << k; k++;                                              \
    if (isgreater(a, b)) m |= 1u << k; k++;                                                \
    if (isgreaterequal(a, b)) m |= 1u << k; k++;                                           \
    if (islessgreater(a, b)) m |= 1u << k; k++;                                            \
    if (isunordered(a, b)) m |= 1u << k; k++;                                              \
    m |= (unsigned)(a < b) << k++;                                                         \
    m |= (unsigned)(a >= b) << k++;                                                        \
    m |= (unsigned)(a > b) << k++;                                                         \
    m |= (unsigned)(a <= b) << k++;                                                        \
    m |= (unsigned)(a == b) << k++;                                                        \
    m |= (unsigned)(a != b) << k++;                                                        \
    m |= (a > b ? 1u : 0u) << k++;                                                         \
    m |= (a >= b ? 1u : 0u) << k++;                                                        \
    m |= (unsigned)(a < b ? 3 : 5) << k; k += 3;                                           \
    m |= (unsigned)(a >= b ? 3 : 5) << k; k += 3;                                          \
    return m;                                                                              \
  }

TESTS(double, tests_f64)
TESTS(float, tests_f32)

int main(void) {
  const double values[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1e308, -1e308, 4.9e-324, INFINITY, -INFINITY, NAN, -NAN, 3.0, 3.0000000000000004};
  const int n = sizeof values / sizeof values[0];
  unsigned long h = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) {
      unsigned d = tests_f64(values[i], values[j]);
      unsigned f = tests_f32((float)values[i], (float)values[j]);
      printf("%2d %2d %08x %08x\n", i, j, d, f);
      h = h * 31 + d * 7 + f;
    }
  }
  printf("%016lx\n", h);
  return 0;
}
