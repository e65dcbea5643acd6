/* Chains of jumps between functions: mutual tail calls, which gcc -O2 compiles to jmp. A
   module for aot turns each into a native call (tools/wasm/module.ts jumpsFor): these
   chains must still run, and runaway recursion must end with the stack overflow trap. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int odd(unsigned long n);
__attribute__((noinline)) int even(unsigned long n) { return n == 0 ? 1 : odd(n - 1); }
__attribute__((noinline)) int odd(unsigned long n) { return n == 0 ? 0 : even(n - 1); }

/* not a tail call: each level keeps a frame (the guest's and a native one) */
__attribute__((noinline)) unsigned long depth(unsigned long n) { return n == 0 ? 0 : 1 + depth(n - 1) * 1; }
__attribute__((noinline)) unsigned long runaway(volatile unsigned long n) { return runaway(n + 1) + n; }

int main(int argc, char **argv) {
  unsigned long n = argc > 1 ? strtoul(argv[1], 0, 10) : 10000000;
  printf("even(%lu) = %d\n", n, even(n));
  printf("odd(%lu) = %d\n", n + 1, odd(n + 1));
  printf("depth(%lu) = %lu\n", n / 100, depth(n / 100));
  fflush(stdout);
  if (argc > 2) printf("%lu\n", runaway(0));
  return 0;
}
