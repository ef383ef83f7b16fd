/*
 * memory.c: linear memories and the bulk-memory builtins the generated code calls.
 *
 * On 64-bit hosts every memory reserves 8 GiB: the 4 GiB a 32-bit index can reach, plus 4 GiB
 * of guard so that index + 32-bit static offset always lands in the reservation. Out-of-bounds
 * accesses by compiled loads and stores fault on the PROT_NONE part and become traps in the
 * signal handler; the builtins here check bounds themselves (in 64-bit arithmetic) and raise
 * the trap.
 *
 * 32-bit hosts have 4 GiB of address space in all, so there the compiled code (LLVM backend)
 * compares every access with `size` and nothing relies on a guard region. A memory reserves,
 * once, as much of its declared maximum as the address space gives: at most 1 GiB, and at
 * most half of a 2 GiB budget (1 GiB on Windows) that all memories share (several memories, the runtime's heap
 * and the host's libraries must fit beside it), halved until the reservation succeeds, never
 * less than the initial size. The base never moves; `memory.grow`
 * past the reservation returns -1, as the spec allows when the host runs out of memory.
 *
 * `max_pages` is the declared maximum, or UINT64_MAX when the memory has none (so an import
 * check can tell "max 65536" from "no max").
 */
#include "core/w2e_internal.h"

#include <stdlib.h>
#include <string.h>

#define W2E_RESERVATION (8ull << 30)
/* The most a memory reserves on a 32-bit host. */
#define W2E_RESERVATION_32 (1ull << 30)

static bool is_32bit_host(void) { return sizeof(void *) < 8; }

/* What all memories of a 32-bit process may reserve beyond their initial sizes: each takes at
 * most half of what is left, so the first gets 1 GiB (512 MiB on Windows) and a process with a
 * hundred memories (a spec script) still finds room for each one's initial size. A 32-bit
 * Windows process has 2 GiB of address space in all (zig's linker cannot mark it large address
 * aware), of which a 2 GiB budget left nothing: simd_align.wast's later memories of one page
 * failed to reserve under Wine. */
#ifdef _WIN32
static uint64_t budget_32 = 1ull << 30;
#else
static uint64_t budget_32 = 2ull << 30;
#endif

/* Reserves address space for a memory of `size` bytes now and at most `max_bytes` later; the
 * reservation's base, its length in *reserved, or NULL. */
static uint8_t *reserve(uint64_t size, uint64_t max_bytes, uint64_t *reserved) {
  if (!is_32bit_host()) {
    *reserved = W2E_RESERVATION;
    return w2e_os_reserve(W2E_RESERVATION);
  }
  uint64_t want = max_bytes < W2E_RESERVATION_32 ? max_bytes : W2E_RESERVATION_32;
  if (want > budget_32 / 2) want = budget_32 / 2;
  want -= want % W2E_PAGE_SIZE;
  if (want < size) want = size;
  for (;;) {
    /* An empty memory still gets one page of address space, so its base is a real mapping. */
    uint64_t length = want ? want : W2E_PAGE_SIZE;
    uint8_t *base = w2e_os_reserve(length);
    if (base) {
      *reserved = length;
      budget_32 -= length < budget_32 ? length : budget_32;
      return base;
    }
    if (want <= size) return NULL;
    want /= 2;
    want -= want % W2E_PAGE_SIZE;
    if (want < size) want = size;
  }
}

/* All memories ever created, so a fault address can be recognised as a linear-memory access.
 * Grown by doubling; old arrays are leaked on purpose: a signal handler may be reading one. */
static w2e_memory **all_memories;
static size_t num_memories, cap_memories;

static bool remember_memory(w2e_memory *mem) {
  if (num_memories == cap_memories) {
    size_t cap = cap_memories ? cap_memories * 2 : 16;
    w2e_memory **arr = malloc(cap * sizeof *arr);
    if (!arr) return false;
    if (num_memories) memcpy(arr, all_memories, num_memories * sizeof *arr);
    all_memories = arr;
    cap_memories = cap;
  }
  all_memories[num_memories] = mem;
  num_memories++;
  return true;
}

bool w2e_addr_in_memory_reservation(uintptr_t addr) {
  for (size_t i = 0; i < num_memories; i++) {
    uintptr_t base = (uintptr_t)all_memories[i]->base;
    if (addr >= base && addr - base < all_memories[i]->reserved) return true;
  }
  return false;
}

/* `wasm2exe --max-memory`: no memory grows beyond this many pages (memory.grow returns -1, as
 * the spec allows any grow to fail). */
uint64_t w2e_max_memory_pages = UINT64_MAX;

/* Creates a memory of `min_pages` pages; NULL when the limits are invalid or the address space
 * cannot be reserved. Memories live until exit. */
w2e_memory *w2e_memory_new(uint32_t min_pages, uint32_t max_pages, bool has_max) {
  if (min_pages > W2E_MAX_PAGES || (has_max && max_pages < min_pages)) return NULL;
  if (min_pages > w2e_max_memory_pages) return NULL;
  w2e_memory *mem = calloc(1, sizeof *mem);
  if (!mem) return NULL;
  uint64_t size = (uint64_t)min_pages * W2E_PAGE_SIZE;
  uint64_t max_bytes = (uint64_t)(has_max ? max_pages : W2E_MAX_PAGES) * W2E_PAGE_SIZE;
  uint64_t reserved = 0;
  uint8_t *base = reserve(size, max_bytes, &reserved);
  if (!base) {
    free(mem);
    return NULL;
  }
  if (!w2e_os_commit(base, size) || !remember_memory(mem)) {
    free(mem); /* the reservation leaks: there is no portable "unreserve" hook yet */
    return NULL;
  }
  mem->base = base;
  mem->size = size;
  mem->max_pages = has_max ? max_pages : UINT64_MAX;
  mem->reserved = reserved;
  return mem;
}

uint32_t w2e_memory_grow(w2e_vmctx *vmctx, uint32_t delta_pages) {
  w2e_memory *mem = vmctx->memory;
  if (!mem) return UINT32_MAX;
  uint64_t old_pages = mem->size / W2E_PAGE_SIZE;
  uint64_t new_pages = old_pages + delta_pages;
  if (new_pages > W2E_MAX_PAGES || new_pages > mem->max_pages || new_pages > w2e_max_memory_pages)
    return UINT32_MAX;
  /* 32-bit hosts: the reservation is all the address space this memory will ever have. */
  if (new_pages * W2E_PAGE_SIZE > mem->reserved) return UINT32_MAX;
  if (delta_pages && !w2e_os_commit(mem->base + mem->size, (uint64_t)delta_pages * W2E_PAGE_SIZE))
    return UINT32_MAX;
  mem->size = new_pages * W2E_PAGE_SIZE;
  return (uint32_t)old_pages;
}

/* True when [start, start+len) fits in a memory of `size` bytes (all operands < 2^33). */
static inline bool in_bounds(uint64_t start, uint64_t len, uint64_t size) {
  return start <= size && len <= size - start;
}

void w2e_memory_fill(w2e_vmctx *vmctx, uint32_t dst, uint32_t value, uint32_t len) {
  w2e_memory *mem = vmctx->memory;
  if (!mem || !in_bounds(dst, len, mem->size)) w2e_raise_trap(W2E_TRAP_MEMORY_OUT_OF_BOUNDS);
  memset(mem->base + dst, (int)(value & 0xff), len);
}

void w2e_memory_copy(w2e_vmctx *vmctx, uint32_t dst, uint32_t src, uint32_t len) {
  w2e_memory *mem = vmctx->memory;
  if (!mem || !in_bounds(dst, len, mem->size) || !in_bounds(src, len, mem->size))
    w2e_raise_trap(W2E_TRAP_MEMORY_OUT_OF_BOUNDS);
  memmove(mem->base + dst, mem->base + src, len);
}

uint32_t w2e_memory_init_checked(w2e_vmctx *vm, uint32_t segment, uint64_t dst, uint64_t src,
                                 uint64_t len) {
  w2e_instance *inst = vm->instance;
  w2e_memory *mem = vm->memory;
  if (segment >= inst->module->num_datas || !mem) return W2E_TRAP_MEMORY_OUT_OF_BOUNDS;
  const w2e_data_segment *seg = &inst->module->datas[segment];
  uint64_t seg_len = inst->data_dropped[segment] ? 0 : seg->len;
  if (!in_bounds(src, len, seg_len) || !in_bounds(dst, len, mem->size))
    return W2E_TRAP_MEMORY_OUT_OF_BOUNDS;
  if (len) memcpy(mem->base + dst, seg->bytes + src, (size_t)len);
  return W2E_TRAP_NONE;
}

void w2e_memory_init(w2e_vmctx *vmctx, uint32_t segment, uint32_t dst, uint32_t src, uint32_t len) {
  uint32_t trap = w2e_memory_init_checked(vmctx, segment, dst, src, len);
  if (trap) w2e_raise_trap(trap);
}

void w2e_data_drop(w2e_vmctx *vmctx, uint32_t segment) {
  w2e_instance *inst = vmctx->instance;
  if (segment < inst->module->num_datas) inst->data_dropped[segment] = 1;
}

/* ---- Atomic wait/notify on unshared memory: there is no other thread, so nobody can ever
 * notify. A wait whose value differs returns 1 ("not-equal"); one that matches returns
 * 2 ("timed-out") at once instead of blocking forever. Notify wakes nobody. ---- */

static uint8_t *atomic_addr(w2e_vmctx *vmctx, uint32_t addr, uint32_t size) {
  w2e_memory *mem = vmctx->memory;
  if (!mem || !in_bounds(addr, size, mem->size)) w2e_raise_trap(W2E_TRAP_MEMORY_OUT_OF_BOUNDS);
  if (addr & (size - 1)) w2e_raise_trap(W2E_TRAP_UNALIGNED_ATOMIC);
  return mem->base + addr;
}

static uint64_t load_le(const uint8_t *p, uint32_t size) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < size; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

uint32_t w2e_memory_atomic_wait32(w2e_vmctx *vmctx, uint32_t addr, uint32_t expected,
                                  int64_t timeout) {
  const uint8_t *p = atomic_addr(vmctx, addr, 4);
  return (uint32_t)load_le(p, 4) != expected ? 1 : 2;
}

uint32_t w2e_memory_atomic_wait64(w2e_vmctx *vmctx, uint32_t addr, uint64_t expected,
                                  int64_t timeout) {
  const uint8_t *p = atomic_addr(vmctx, addr, 8);
  return load_le(p, 8) != expected ? 1 : 2;
}

uint32_t w2e_memory_atomic_notify(w2e_vmctx *vmctx, uint32_t addr, uint32_t count) {
  atomic_addr(vmctx, addr, 4);
  return 0;
}
