/*
 * wasi_win32.h: what the Win32 platform files share: directory listings, the entries an
 * operation on a place acts on, times and error mapping. The fd table, WASI constants and guest-memory helpers are the portable
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

/* ---- Entries beneath a grant (path_win32.c) ---- */

/* Where an operation on a place acts: the full host path of the entry, and what it is. */
typedef struct w32_resolved {
  wchar_t *full;        /* heap, \\?\ form */
  HANDLE dir;           /* the directory holding it (the place's, borrowed) */
  const wchar_t *name;  /* its name beneath `dir`, within `full` (empty: `dir` itself) */
  size_t name_len;      /* in UTF-16 units */
  const wchar_t *root;  /* the grant's root (final path), for w32_inside */
  bool trailing_slash;  /* the guest path ended in '/': the target must be a directory */
  bool is_dir_itself;   /* the place names a directory already walked ("." or "a/..") */
  DWORD attrs;          /* GetFileAttributesW of `full`; INVALID_FILE_ATTRIBUTES: absent */
} w32_resolved;

/* The entry `name` (one component, "." for the directory itself) beneath `dir`. */
uint32_t w32_locate(const w2e_dirref *dir, const char *name, bool trailing_slash,
                    w32_resolved *out);
/* The entry of a place found by the portable walk. */
uint32_t w32_place(const w2e_place *at, w32_resolved *out);
void w32_resolved_free(w32_resolved *r);

#define W32_SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
#define W32_NOFOLLOW (FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT)

static inline bool w32_is_dir(DWORD a) {
  return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}
static inline bool w32_is_link(DWORD a) {
  return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT);
}
/* The errno of a lookup that found nothing (GetLastError()): noent unless it says more. */
uint32_t w32_missing(void);

/* CreateFileW's work (same access, disposition CREATE_NEW or OPEN_EXISTING, flags and
 * attributes; GetLastError() on failure) on `name` (`len` UTF-16 units, one component; 0: the
 * directory itself) beneath directory handle `dir`, with NtCreateFile `options` added
 * (nt_win32.c). */
HANDLE w32_create_beneath(HANDLE dir, const wchar_t *name, size_t len, DWORD access,
                          DWORD disposition, DWORD flags, ULONG options);
/* Gives the entry open as `h` the name `name` beneath directory handle `dir`: moves it there
 * (replacing a file, as POSIX rename), or when `link` adds a hard link there. */
uint32_t w32_name_beneath(HANDLE h, bool link, HANDLE dir, const wchar_t *name, size_t len);
/* The handle of entry `r` as CreateFileW would open it, beneath its directory's handle. */
HANDLE w32_create_at(const w32_resolved *r, DWORD access, DWORD disposition, DWORD flags);

/* Whether open handle `h` reached `root` or beneath it (by its final path). */
bool w32_inside(HANDLE h, const wchar_t *root);
/* Opens existing entry `r` itself (a link at the end is not followed) with `access` and
 * checks that it is inside the grant (perm otherwise). Every operation on an existing entry
 * acts through such a handle, never by path: under Wine a host symlink to a file is
 * transparent even to FILE_FLAG_OPEN_REPARSE_POINT, and deleting "link" by path would delete
 * its target. With DELETE, a link that opens as its target is notsup. */
uint32_t w32_open_checked(const w32_resolved *r, DWORD access, HANDLE *out);

/* The final path of an open handle (links resolved, \\?\ form), or NULL. */
wchar_t *wasi_win32_final_path(HANDLE h);


/* ns since 1970 <-> FILETIME (100 ns since 1601). */
uint64_t wasi_win32_ft_to_ns(FILETIME ft);
FILETIME wasi_win32_ns_to_ft(uint64_t ns);

#endif /* W2E_WASI_WIN32_H */
