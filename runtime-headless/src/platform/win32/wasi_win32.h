/*
 * wasi_win32.h: what the Win32 platform files (wasi_win32.c, wasi_fd_win32.c,
 * wasi_path_win32.c) share: directory listings, sandboxed path resolution, filestat and
 * error mapping. The fd table, WASI constants and guest-memory helpers are the portable
 * ones (wasi/wasi_internal.h).
 */
#ifndef W2E_WASI_WIN32_H
#define W2E_WASI_WIN32_H

#include "platform/win32/w2e_win32.h"
#include "wasi/wasi_internal.h"

typedef struct w32_dirent {
  char *name;       /* UTF-8 */
  uint8_t type;     /* WASI_FILETYPE_* */
  uint64_t ino;
} w32_dirent;

/* Frees a directory fd's listing (fd_readdir's cache). */
void w32_clear_listing(wasi_fd_os *os);

/* WASI errno for a Win32 error code (GetLastError()). */
uint32_t wasi_win32_errno(DWORD err);

/* A guest path resolved under a directory fd: the full host path of the target. */
typedef struct w32_resolved {
  wchar_t *full;        /* heap, \\?\ form */
  bool trailing_slash;  /* the guest path ended in '/': the target must be a directory */
  bool is_dir_itself;   /* the path named a directory already walked ("." or "a/..") */
  DWORD attrs;          /* GetFileAttributesW of `full`; INVALID_FILE_ATTRIBUTES: absent */
} w32_resolved;

/* Resolves guest path `path` under directory fd `dir`. Components are walked one at a time against the directory's path: "." is
 * skipped, ".." pops a component (above the starting directory: perm, as an absolute path),
 * and every component walked through must be an existing directory that is not a reparse
 * point (symlink, junction, mount point: loop): links are never followed on Windows, so no
 * link can lead outside the preopen. Names holding '\\' or ':' (a separator or drive / stream
 * syntax for Win32) are refused with perm. The last component is not checked for reparse
 * points here: callers open it with FILE_FLAG_OPEN_REPARSE_POINT and refuse or act on the
 * link itself. */
uint32_t w32_resolve(const wasi_fd *dir, const char *path, w32_resolved *out);
void w32_resolved_free(w32_resolved *r);

/* The final path of an open handle (links resolved, \\?\ form), or NULL. */
wchar_t *wasi_win32_final_path(HANDLE h);


/* ns since 1970 <-> FILETIME (100 ns since 1601). */
uint64_t wasi_win32_ft_to_ns(FILETIME ft);
FILETIME wasi_win32_ns_to_ft(uint64_t ns);

#endif /* W2E_WASI_WIN32_H */
