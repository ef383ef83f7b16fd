/*
 * platform/win32/types.h: the Win32 platform's types behind platform/platform.h. A handle is
 * a HANDLE (spelled void * so that the portable code need not include <windows.h>).
 * Directories keep their path as well as their handle (for listings and error choices; what
 * a path walk opens is opened beneath a handle), and fd_readdir reads a directory's listing
 * whole when a scan starts.
 */
#ifndef W2E_PLATFORM_WIN32_TYPES_H
#define W2E_PLATFORM_WIN32_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

typedef void *w2e_handle;
#define W2E_NO_HANDLE ((void *)0)

/* What a guest fd carries for this platform besides its handle. */
typedef struct wasi_fd_os {
  wchar_t *path; /* directories: full host path in \\?\ form, no trailing separator */
  wchar_t *root; /* directories: the preopen's final path (GetFinalPathNameByHandleW) */
  /* fd_readdir: the listing read when a scan starts at cookie 0. */
  struct w32_dirent *ents;
  uint32_t num_ents;
} wasi_fd_os;

/* A directory a path walk stands in: its handle and full path (both owned, or borrowed from
 * the guest fd the walk started at) and the root of the grant it is beneath (borrowed from
 * that fd). */
typedef struct w2e_dirref {
  w2e_handle h;
  wchar_t *path;
  const wchar_t *root;
  bool owned;
} w2e_dirref;

#endif /* W2E_PLATFORM_WIN32_TYPES_H */
