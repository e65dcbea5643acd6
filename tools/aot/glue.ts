// The C that ties one module's wasm2c translation to the native host (tools/aot/host): the
// instance, its state slots by name, the image facts the host needs (entry, program headers,
// where code faults), the guest's system call names, the host system calls its seccomp
// filter allows, and the module's imports, each a call into the host. Generated per module
// and target, deterministically: only they decide it.
import { SYSCALLS_AARCH64, SYSCALLS_X86_64 } from '../analyze/syscall-tables.js';
import { STRING_KINDS } from '../isa/x86_64/lift/string-kinds.js';
import { X87_OPS } from '../isa/x86_64/lift/x87-ops.js';
import type { ImageMeta } from '../translate/index.js';
import { hostSyscallNumber } from './host/host-syscalls.js';
import type { Target } from './index.js';

export class GlueError extends Error {}

/** the wasm2c module name: every symbol of the translation starts with w2c_recomp */
export const MODULE_NAME = 'recomp';
/** the blob's one instance of the module, which glue.c defines */
export const INSTANCE = `${MODULE_NAME}_the_instance`;

/** each import the host implements: its C definition in the glue (wasm2c's parameter types) */
const IMPORTS: Record<string, string> = {
  syscall: `u64 w2c_vkernel_syscall(struct w2c_vkernel *vk, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u32 pc) {
  (void)vk;
  uint64_t a[6] = {a0, a1, a2, a3, a4, a5};
  return host_syscall(nr, a, pc);
}`,
  string: `void w2c_vkernel_string(struct w2c_vkernel *vk, u32 kind, u32 size, u32 rep) {
  (void)vk;
  host_string(kind, size, rep);
}`,
  cpuid: `u64 w2c_vkernel_cpuid(struct w2c_vkernel *vk, u32 leaf, u32 sub) {
  (void)vk;
  return host_cpuid(leaf, sub);
}`,
  rdtsc: `u64 w2c_vkernel_rdtsc(struct w2c_vkernel *vk) {
  (void)vk;
  return host_rdtsc();
}`,
  raise: `void w2c_vkernel_raise(struct w2c_vkernel *vk, u32 sig, u32 pc) {
  (void)vk;
  guest_killed((int)sig, "at 0x%x", pc);
}`,
  fault: `void w2c_vkernel_fault(struct w2c_vkernel *vk, u32 pc, u32 sig) {
  (void)vk;
  uint32_t lo = 0, hi = image_meta.nfaults;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (image_meta.fault_pcs[mid] < pc) lo = mid + 1;
    else hi = mid;
  }
  const char *why = lo < image_meta.nfaults && image_meta.fault_pcs[lo] == pc ? image_meta.fault_why[lo] : "untranslated code";
  guest_killed((int)sig, "at 0x%x: %s", pc, why);
}`,
  segv: `void w2c_vkernel_segv(struct w2c_vkernel *vk, u64 addr) {
  (void)vk;
  guest_killed(11, "invalid memory access at 0x%llx", (unsigned long long)addr);
}`,
  div128: `u64 w2c_vkernel_div128(struct w2c_vkernel *vk, u64 hi, u64 lo, u64 d, u32 is_signed, u32 pc) {
  (void)vk;
  return host_div128(hi, lo, d, is_signed, pc);
}`,
  fma64: `f64 w2c_vkernel_fma64(struct w2c_vkernel *vk, f64 a, f64 b, f64 c) {
  (void)vk;
  return fma(a, b, c);
}`,
  fma32: `f32 w2c_vkernel_fma32(struct w2c_vkernel *vk, f32 a, f32 b, f32 c) {
  (void)vk;
  return fmaf(a, b, c);
}`,
  x87: `u64 w2c_vkernel_x87(struct w2c_vkernel *vk, u32 op, u32 arg, u32 addr) {
  (void)vk;
  return host_x87(op, arg, addr);
}`,
};

/** a C string literal holding s (UTF-8 bytes; everything but plain printable ASCII escaped) */
function cString(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f && b !== 0x3f) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`; // '?' too: no trigraphs
  }
  return out + '"';
}

/** export name → the accessor wasm2c declared for it, read from the header it wrote */
export function exportAccessors(header: string): Map<string, { accessor: string; type: string }> {
  const out = new Map<string, { accessor: string; type: string }>();
  const re = /\/\* export: '((?:[^'\\]|\\.)*)' \*\/\n([A-Za-z0-9_]+\*?) (w2c_[A-Za-z0-9_]+)\(/g;
  for (const m of header.matchAll(re)) out.set(m[1], { type: m[2], accessor: m[3] });
  return out;
}

export interface GlueInput {
  meta: ImageMeta;
  /** the names the module imports from `vkernel` */
  imports: string[];
  /** the header wasm2c wrote for the module */
  header: string;
  /** the architecture of the host that runs the blob */
  target: Target;
  /** the host system calls the seccomp filter allows (host/host-syscalls.ts hostSyscalls) */
  hostSyscalls: readonly string[];
}

const SYSCALL_TABLES: Record<Target, ReadonlyMap<number, string>> = { x86_64: SYSCALLS_X86_64, aarch64: SYSCALLS_AARCH64 };

/** a C array of a syscall table's names by number (NULL where none) */
function syscallNames(name: string, table: ReadonlyMap<number, string>): { decl: string; count: number } {
  const count = Math.max(...table.keys()) + 1;
  const names = [...table.entries()].sort((a, b) => a[0] - b[0]).map(([nr, n]) => `  [${nr}] = ${cString(n)},`);
  return { decl: `static const char *const ${name}[${count}] = {\n${names.join('\n')}\n};`, count };
}

export function generateGlue({ meta, imports, header, target, hostSyscalls }: GlueInput): string {
  const unknown = imports.filter((n) => !Object.hasOwn(IMPORTS, n));
  if (unknown.length) throw new GlueError(`the module imports vkernel.${unknown.join(', vkernel.')}, which the native host does not provide (a module from a newer recomp?)`);
  const exports = exportAccessors(header);
  const need = (name: string, type?: string): string => {
    const e = exports.get(name);
    if (!e || (type && e.type !== type)) throw new GlueError(`the module has no export ${name}${type ? ` of C type ${type}` : ''}: not a recomp module translated --for aot`);
    return e.accessor;
  };
  const slots = (type: string) =>
    [...exports.entries()]
      .filter(([n, e]) => n.startsWith('s.') && e.type === type)
      .map(([n, e]) => `  {${cString(n.slice(2))}, ${e.accessor}},`)
      .join('\n');
  const faults = [...meta.faults].sort((a, b) => a[0] - b[0]);
  const guestNames = syscallNames('SYSCALL_NAMES', SYSCALL_TABLES[meta.arch]);
  // the host's own names, for the filter's message (the guest's, when the architectures agree)
  const hostNames = target === meta.arch ? { decl: '', count: guestNames.count } : syscallNames('HOST_SYSCALL_NAMES', SYSCALL_TABLES[target]);
  const allowed = hostSyscalls.map((n) => [hostSyscallNumber(n, target), n] as const).sort((a, b) => a[0] - b[0]);
  const cArch = target === 'aarch64' ? '__aarch64__' : '__x86_64__';
  return `/* Generated by recomp aot: the glue between the module's wasm2c translation and the host. */
#if !defined(${cArch})
#error "this glue is for ${target} hosts (recomp aot --target ${target}): compile it with a compiler for ${target}"
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include "${MODULE_NAME}.h"
#include "host.h"
#include "glue.h"

/* the module's one instance: its C names it (INSTANCE, see oneInstance in index.ts) */
w2c_${MODULE_NAME} ${INSTANCE};
struct w2c_vkernel {
  char unused;
};
static struct w2c_vkernel vkernel;

static const uint32_t FAULT_PCS[] = {${faults.map(([pc]) => `0x${pc.toString(16)}u`).join(', ') || '0'}};
static const char *const FAULT_WHY[] = {${faults.map(([, why]) => cString(why)).join(', ') || '0'}};
${guestNames.decl}
${hostNames.decl}
/* the host system calls the seccomp filter allows once the guest runs, by number; each
   number checked against the target's own headers */
static const uint32_t HOST_ALLOWED[] = {
${allowed.map(([nr, n]) => `  ${nr}, /* ${n} */`).join('\n')}
};
${allowed.map(([nr, n]) => `_Static_assert(SYS_${n} == ${nr}, "${n} is not ${nr} on this host");`).join('\n')}

const HostSyscalls host_syscalls = {
  .allowed = HOST_ALLOWED,
  .nallowed = ${allowed.length},
  .names = ${target === meta.arch ? 'SYSCALL_NAMES' : 'HOST_SYSCALL_NAMES'},
  .nnames = ${hostNames.count},
};

const ImageMeta image_meta = {
  .arch = ${meta.arch === 'aarch64' ? 'ARCH_AARCH64' : 'ARCH_X86_64'},
  .entry = 0x${meta.entry.toString(16)}u,
  .phdr = 0x${meta.phdr.toString(16)}u,
  .phent = ${meta.phent},
  .phnum = ${meta.phnum},
  .image_start = 0x${(meta.start ?? 0).toString(16)}u, /* none from an older recomp, whose checks have a lower bound */
  .image_end = 0x${meta.brk.toString(16)}u,
  .code_base = 0x${meta.codeBase.toString(16)}u,
  .nfaults = ${faults.length},
  .fault_pcs = FAULT_PCS,
  .fault_why = FAULT_WHY,
  .syscall_names = SYSCALL_NAMES,
  .nsyscall_names = ${guestNames.count},
};

static const struct {
  const char *name;
  u64 *(*get)(w2c_${MODULE_NAME} *);
} SLOTS64[] = {
${slots('u64*')}
};
static const struct {
  const char *name;
  u32 *(*get)(w2c_${MODULE_NAME} *);
} SLOTS32[] = {
${slots('u32*')}
};

uint64_t *slot(const char *name) {
  for (size_t k = 0; k < sizeof SLOTS64 / sizeof SLOTS64[0]; k++)
    if (!strcmp(SLOTS64[k].name, name)) return SLOTS64[k].get(&${INSTANCE});
  fprintf(stderr, "recomp: the module has no 64-bit state slot %s\\n", name);
  abort();
}

uint32_t *slot32(const char *name) {
  for (size_t k = 0; k < sizeof SLOTS32 / sizeof SLOTS32[0]; k++)
    if (!strcmp(SLOTS32[k].name, name)) return SLOTS32[k].get(&${INSTANCE});
  fprintf(stderr, "recomp: the module has no 32-bit state slot %s\\n", name);
  abort();
}

uint8_t *guest_base(void) {
  return ${need('memory', 'wasm_rt_memory_t*')}(&${INSTANCE})->data;
}

uint64_t guest_size(void) {
  return ${need('memory')}(&${INSTANCE})->size;
}

uint32_t guest_enter(uint32_t pc) {
  return ${need('enter', 'u32')}(&${INSTANCE}, pc);
}

int guest_is_function_start(uint32_t pc) {
  const wasm_rt_funcref_table_t *t = ${need('fns', 'wasm_rt_funcref_table_t*')}(&${INSTANCE});
  uint32_t i = pc - image_meta.code_base;
  return pc >= image_meta.code_base && i < t->size && t->data[i].func != NULL;
}

void guest_vsave(uint32_t addr) {
  ${need('vsave', 'void')}(&${INSTANCE}, addr);
}

void guest_vload(uint32_t addr) {
  ${need('vload', 'void')}(&${INSTANCE}, addr);
}

void guest_instantiate(void) {
  wasm2c_${MODULE_NAME}_instantiate(&${INSTANCE}, &vkernel);
  wasm_rt_memory_t *m = ${need('memory')}(&${INSTANCE});
  uint64_t want = STACK_TOP / 65536;
  if (m->pages < want && wasm_rt_grow_memory(m, want - m->pages) == (uint64_t)-1) {
    fprintf(stderr, "recomp: cannot reserve the guest's %u MiB of memory\\n", STACK_TOP >> 20);
    exit(1);
  }
}

void guest_run(uint32_t pc) {
  ${need('run', 'void')}(&${INSTANCE}, pc);
}

${imports.map((n) => IMPORTS[n]).join('\n\n')}
`;
}

/** the index constants of the helpers' operation codes, from the lifter's tables (one source) */
export function generateOps(): string {
  const c = (s: string) => s.toUpperCase();
  return `/* Generated by recomp aot from the lifter's tables: the operation codes the module passes to the host. */
#ifndef RECOMP_OPS_H
#define RECOMP_OPS_H
${STRING_KINDS.map((k, i) => `#define STRING_KIND_${c(k)} ${i}`).join('\n')}
${X87_OPS.map((k, i) => `#define X87_OP_${c(k)} ${i}`).join('\n')}
#define X87_OP_COUNT ${X87_OPS.length}
#endif
`;
}
