/* What the generated glue.c provides to main.c beyond host.h: the module's start. */
#ifndef RECOMP_GLUE_H
#define RECOMP_GLUE_H
#include <stdint.h>

/* instantiates the module (data segments, table) and grows its memory to STACK_TOP bytes */
void guest_instantiate(void);
/* runs the guest from pc (its entry point) until it exits; returns if the code returns */
void guest_run(uint32_t pc);

#endif
