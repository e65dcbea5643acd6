// Callee-saved registers across calls and non-local jumps. A translated function with no
// landing pad and no setjmp keeps its callee-saved registers in locals across a call instead
// of writing them back first (tools/wasm/module.ts heldAcross). An exception or a longjmp
// that passes through such frames must still give the frame that catches, or that called
// setjmp, its own callee-saved values; the normal path must give every frame its own.
#include <csetjmp>
#include <cstdio>
#include <stdexcept>
#include <string>

static volatile long bad = 3;

__attribute__((noinline)) long leaf(long x) {
  if (x == bad) throw std::runtime_error("bad " + std::to_string(x));
  return x * 2 + 1;
}

// five values live across calls: gcc keeps them in rbx, rbp, r12-r15 (x19-x29 on aarch64);
// no destructor, no try: no landing pad
__attribute__((noinline)) long spin(long x) {
  long a = leaf(x), b = leaf(x + 10), c = leaf(x + 20), d = leaf(x + 30), e = leaf(x + 40);
  return a ^ (b << 1) ^ (c << 2) ^ (d << 3) ^ (e << 4) ^ leaf(x + a + b + c + d + e);
}

// recursion: every level holds values across the next, the bottom may throw
__attribute__((noinline)) long deep(long n, long x) {
  if (n == 0) return spin(x);
  long a = n * 7 + x, b = n * 11 - x, c = n ^ x;
  long r = deep(n - 1, x + 1);
  return (r ^ a) + b * 5 + c * 7;
}

__attribute__((noinline)) long catcher(long x) {
  long p = x * 101, q = x * 103, r = x * 107, s = x * 109;
  long got;
  try {
    got = deep(x & 7, x - 41);
  } catch (const std::exception &e) {
    std::printf("caught %s; ", e.what());
    got = -1;
  }
  return got + p + q * 3 + r * 5 + s * 7;
}

static std::jmp_buf jb;

__attribute__((noinline)) long jumper(long x) {
  if (x == bad) std::longjmp(jb, 7);
  return x + 1;
}

__attribute__((noinline)) long hold(long x) {
  long a = jumper(x), b = jumper(x + 1), c = jumper(x + 2);
  return a * b * c + jumper(a + b + c - 2 * x);
}

__attribute__((noinline)) long viaSetjmp(long x) {
  long p = x * 5, q = x * 9, r = x * 13;
  if (setjmp(jb)) return -p - q * 2 - r * 3;
  return hold(x) + p + q + r;
}

int main() {
  long sum = 0;
  for (long x = -8; x <= 60; x++) {
    long v = catcher(x);
    std::printf("catcher(%ld) = %ld\n", x, v);
    sum = sum * 31 + v;
  }
  for (long x = -4; x <= 6; x++) {
    long v = viaSetjmp(x);
    std::printf("viaSetjmp(%ld) = %ld\n", x, v);
    sum = sum * 31 + v;
  }
  std::printf("sum %ld\n", sum);
  return 0;
}
