/* A shared library: recomp_wasm_library's input. */
#include <stdio.h>

void greet(const char *who) { printf("hello, %s\n", who); }
