/*
 * The guest's address space inside the module's linear memory, and who owns which part of
 * it: the port of tools/vkernel/memory.ts (GuestMemory), same addresses, same zeroing.
 *
 *   0 .. image            never mapped (the image's link address, 0x400000 for non-PIE):
 *                         protected, so that any access there faults in hardware (the
 *                         translation's checks compare addresses only against the top)
 *   image .. brk          the loaded ELF (data segments of the module)
 *   brk ..                the program break, growing up
 *   ..  mmap_low          anonymous and file mappings, allocated top-down below MMAP_TOP
 *   stack                 STACK_SIZE below STACK_TOP; the memory ends at STACK_TOP
 *
 * Also the checked accessors every other part of the host uses to touch guest memory.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host.h"

#define WASM_PAGE 65536u
#define MMAP_TOP ((int64_t)STACK_TOP - STACK_SIZE - WASM_PAGE)

/* ---- checked guest memory ---- */

/* the protected pages under the image: [0, guest_low) */
static uint64_t guest_low;

void *guest_range(uint64_t addr, uint64_t len) {
  uint64_t size = guest_size();
  /* [addr, addr+len) inside memory, written so that no sum can wrap; an empty range anywhere
     in it (write(fd, NULL, 0) is no fault) */
  if (addr > size || len > size - addr || (len && addr < guest_low)) return NULL;
  return guest_base() + addr;
}

/* memory.ts cstring: address 0, below the image or past the end faults; so does a string
   longer than max */
const char *guest_cstring(uint64_t addr, size_t max) {
  uint64_t size = guest_size();
  if (addr == 0 || addr < guest_low || addr >= size) return NULL;
  uint64_t room = size - addr;
  uint64_t look = (uint64_t)max < room ? (uint64_t)max + 1 : room;
  const char *s = (const char *)guest_base() + addr;
  return memchr(s, 0, (size_t)look) ? s : NULL;
}

/* The accessors take addresses the caller has checked; one that is not inside memory is a
   host bug, ended as a fault rather than a stray access (the TS DataView throws there). */
static uint8_t *at(uint32_t addr, uint32_t len) {
  uint8_t *p = guest_range(addr, len);
  if (!p) guest_killed(11, "host access outside the guest address space at 0x%x", addr);
  return p;
}

uint64_t guest_u64(uint32_t addr) {
  uint64_t v;
  memcpy(&v, at(addr, 8), 8); /* both hosts are little-endian, like the guest */
  return v;
}
uint32_t guest_u32(uint32_t addr) {
  uint32_t v;
  memcpy(&v, at(addr, 4), 4);
  return v;
}
void guest_set_u64(uint32_t addr, uint64_t v) { memcpy(at(addr, 8), &v, 8); }
void guest_set_u32(uint32_t addr, uint32_t v) { memcpy(at(addr, 4), &v, 4); }

/* ---- program break and mmap area ---- */

typedef struct {
  int64_t s, e; /* [s, e) */
} Range;

static int64_t brk_start, brk_cur;
static int64_t mmap_low = MMAP_TOP;
/* free ranges of the mmap area, sorted by address, merged */
static Range *free_r;
static size_t nfree, cap_free;

static int64_t page_up(int64_t v) { return (v + PAGE - 1) / PAGE * PAGE; }

/* Ranges this long or longer are zeroed by dropping their pages rather than writing them. */
#define ZERO_BY_DROPPING (256u * 1024)

/* Zeroes guest [from, to). A long range gives its whole host pages back (MADV_DONTNEED: the
   memory is a private anonymous mapping, so they read as zero again, and cost nothing until
   touched, as on Linux); writing them would fault in and clear every page of a big mapping
   up front (12% of sha256's time, 8% of qsort's). Short ranges, likely reused, are written. */
static void zero(int64_t from, int64_t to) {
  if (to <= from) return;
  uint8_t *p = at((uint32_t)from, (uint32_t)(to - from));
  size_t n = (size_t)(to - from);
  if (n >= ZERO_BY_DROPPING) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1), hi = ((uintptr_t)p + n) & ~(page - 1);
    if (hi > lo && madvise((void *)lo, hi - lo, MADV_DONTNEED) == 0) {
      memset(p, 0, lo - (uintptr_t)p);
      memset((void *)hi, 0, (uintptr_t)p + n - hi);
      return;
    }
  }
  memset(p, 0, n);
}

void memory_init(uint32_t image_start, uint32_t image_end) {
  /* whole host pages only (16 or 64 KiB on some arm64 hosts): what is left over below the
     image is checked no worse than before the module's checks dropped their lower bound,
     as nothing is mapped there */
  uint64_t host_page = (uint64_t)sysconf(_SC_PAGESIZE);
  guest_low = image_start / host_page * host_page;
  if (guest_low && mprotect(guest_base(), guest_low, PROT_NONE) != 0) guest_killed(6, "cannot protect the pages below the image");
  brk_start = brk_cur = page_up(image_end);
  mmap_low = MMAP_TOP;
  nfree = 0;
}

int64_t memory_brk(uint64_t want64) {
  if (want64 < (uint64_t)brk_start) return brk_cur;
  if (want64 > (uint64_t)(mmap_low - WASM_PAGE)) return brk_cur;
  int64_t want = (int64_t)want64, old = brk_cur;
  int64_t top = page_up(want);
  /* memory freed by a shrinking brk reads as zero when it grows again, as on Linux */
  if (top < page_up(old)) zero(top, page_up(old));
  brk_cur = want;
  return want;
}

static int reserve(size_t n) {
  if (n <= cap_free) return 1;
  size_t cap = cap_free ? cap_free * 2 : 64;
  while (cap < n) cap *= 2;
  Range *r = realloc(free_r, cap * sizeof *r);
  if (!r) guest_killed(6, "out of host memory for the mmap free list");
  free_r = r;
  cap_free = cap;
  return 1;
}

/* removes [addr, addr+size) from the free list */
static void take(int64_t addr, int64_t size) {
  int64_t end = addr + size;
  /* a range cut in the middle becomes two: at most one more entry */
  reserve(nfree + 1);
  Range *out = malloc((nfree + 1) * sizeof *out);
  if (!out) guest_killed(6, "out of host memory for the mmap free list");
  size_t n = 0;
  for (size_t k = 0; k < nfree; k++) {
    Range r = free_r[k];
    if (r.e <= addr || r.s >= end) out[n++] = r;
    else {
      if (r.s < addr) out[n++] = (Range){r.s, addr};
      if (r.e > end) out[n++] = (Range){end, r.e};
    }
  }
  memcpy(free_r, out, n * sizeof *out);
  nfree = n;
  free(out);
}

static void add_free(int64_t s, int64_t e) {
  if (s >= e) return;
  reserve(nfree + 1);
  /* insert in address order (stable after equal starts, as the TS sort), then merge */
  size_t k = nfree;
  while (k > 0 && free_r[k - 1].s > s) k--;
  memmove(free_r + k + 1, free_r + k, (nfree - k) * sizeof *free_r);
  free_r[k] = (Range){s, e};
  nfree++;
  size_t n = 0;
  for (size_t j = 0; j < nfree; j++) {
    if (n && free_r[j].s <= free_r[n - 1].e) {
      if (free_r[j].e > free_r[n - 1].e) free_r[n - 1].e = free_r[j].e;
    } else free_r[n++] = free_r[j];
  }
  nfree = n;
  /* a free range at the bottom of the area gives the space back to brk */
  if (nfree && free_r[0].s <= mmap_low) {
    mmap_low = free_r[0].e;
    memmove(free_r, free_r + 1, (nfree - 1) * sizeof *free_r);
    nfree--;
  }
}

/* reserves len bytes (page-rounded), zeroed; returns the address or -ENOMEM (-EINVAL for 0) */
int64_t memory_map(uint64_t len, uint64_t hint, int fixed) {
  if (len == 0) return -22;
  /* beyond the area's size nothing fits: -ENOMEM, as the TS reaches by its checks */
  if (len > (uint64_t)MMAP_TOP) return -12;
  int64_t size = page_up((int64_t)len);
  if (fixed) {
    if (hint % PAGE || hint < (uint64_t)brk_start || hint > (uint64_t)MMAP_TOP || (int64_t)hint + size > MMAP_TOP) return -12;
    int64_t h = (int64_t)hint;
    memory_unmap(hint, (uint64_t)size);
    take(h, size);
    if (h < mmap_low) {
      if (h < brk_cur) return -12;
      add_free(h + size, mmap_low);
      mmap_low = h;
    }
    zero(h, h + size);
    return h;
  }
  /* first fit from the top of the free list, else grow the area down */
  for (size_t k = nfree; k-- > 0;) {
    Range r = free_r[k];
    if (r.e - r.s >= size) {
      int64_t addr = r.e - size;
      if (addr == r.s) {
        memmove(free_r + k, free_r + k + 1, (nfree - k - 1) * sizeof *free_r);
        nfree--;
      } else free_r[k].e = addr;
      zero(addr, addr + size);
      return addr;
    }
  }
  int64_t addr = mmap_low - size;
  if (addr < page_up(brk_cur) + WASM_PAGE) return -12;
  mmap_low = addr;
  zero(addr, addr + size);
  return addr;
}

int64_t memory_unmap(uint64_t addr, uint64_t len) {
  if (addr % PAGE || len == 0) return -22;
  /* lengths past the area are cut at MMAP_TOP below, so clamping them first changes nothing */
  if (len > (uint64_t)MMAP_TOP) len = (uint64_t)MMAP_TOP + PAGE;
  int64_t size = page_up((int64_t)len);
  if (addr >= (uint64_t)MMAP_TOP) return 0;
  int64_t a = (int64_t)addr;
  int64_t lo = a > mmap_low ? a : mmap_low;
  int64_t hi = a + size < MMAP_TOP ? a + size : MMAP_TOP;
  if (lo >= hi) return 0;
  take(lo, hi - lo);
  add_free(lo, hi);
  return 0;
}
