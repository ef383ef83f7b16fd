/*
 * memory_win32.c: address-space reservation for linear memories on Windows, the counterpart
 * of memory_posix.c: VirtualAlloc(MEM_RESERVE, PAGE_NOACCESS) for the whole reservation and
 * VirtualAlloc(MEM_COMMIT, PAGE_READWRITE) for the pages in use. Only committed pages count
 * against the system commit limit; fresh committed pages read as zero.
 */
#if defined(_WIN32)

#include "core/w2e_internal.h"

#define WIN32_LEAN_AND_MEAN
#include <windows.h>

void *w2e_os_reserve(uint64_t size) {
  if (size > (uint64_t)SIZE_MAX) return NULL;
  return VirtualAlloc(NULL, (SIZE_T)size, MEM_RESERVE, PAGE_NOACCESS);
}

bool w2e_os_commit(void *addr, uint64_t size) {
  if (size == 0) return true;
  return VirtualAlloc(addr, (SIZE_T)size, MEM_COMMIT, PAGE_READWRITE) != NULL;
}

#endif /* _WIN32 */
