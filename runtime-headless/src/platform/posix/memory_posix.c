/*
 * memory_posix.c: address-space reservation for linear memories on POSIX systems.
 *
 * A linear memory reserves its whole 32-bit index space plus a guard region up front, so the
 * generated code needs no bounds checks and the base never moves; committing pages is then
 * only a protection change. Windows will get a memory_win32.c with VirtualAlloc(MEM_RESERVE)
 * and VirtualAlloc(MEM_COMMIT) behind the same two functions.
 */
#if !defined(_WIN32)

#include "core/w2e_internal.h"

#include <sys/mman.h>

/* MAP_NORESERVE keeps Linux from counting the reservation against overcommit limits; other
 * systems do not charge PROT_NONE mappings anyway. */
#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif
#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif

void *w2e_os_reserve(uint64_t size) {
  if (size > (uint64_t)SIZE_MAX) return NULL;
  void *p = mmap(NULL, (size_t)size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

bool w2e_os_commit(void *addr, uint64_t size) {
  if (size == 0) return true;
  /* Fresh anonymous pages read as zero, and pages are never decommitted, so this is enough. */
  return mprotect(addr, (size_t)size, PROT_READ | PROT_WRITE) == 0;
}

#endif /* !_WIN32 */
