/* Guest faults, as Linux has them: no argument reads at 0x10 (the null page); 'low' reads at
   2 MiB, unmapped below the image (0x400000); 'far' reads p[0], good, then p + 2 GiB - 1 MiB
   through the same base register, past the end of memory; 'efault' hands write(2) a pointer
   below the image, which fails with EFAULT rather than faulting (exit 3); anything else
   executes ud2 (SIGILL). The addresses come through atoi so that gcc cannot fold them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int c, char **v) {
  if (c > 1 && !strcmp(v[1], "far")) {
    volatile long *p = malloc(64);
    long a = p[0];
    return a + *(volatile long *)((char *)p + 0x7ff00000);
  }
  if (c > 1 && !strcmp(v[1], "low")) return *(volatile int *)(long)atoi("2097152");
  if (c > 1 && !strcmp(v[1], "efault")) return write(1, (const void *)(long)atoi("16"), 4) == -1 && errno == EFAULT ? 3 : 4;
  if (c > 1) __builtin_trap();
  volatile int *p = (int *)(long)atoi("16");
  return *p;
}
