/*
 * wasi_win32.h: what the Windows WASI files (wasi_win32.c, wasi_fd_win32.c,
 * wasi_path_win32.c) share: the fd table of Win32 handles and sandboxed path resolution.
 * The WASI constants and guest-memory helpers are the POSIX side's (wasi_internal.h,
 * wasi_errno.c); config.c is shared and calls wasi_fd_init_stdio() and
 * wasi_win32_add_preopen().
 */
#ifndef W2E_WASI_WIN32_H
#define W2E_WASI_WIN32_H

#include "platform/win32/w2e_win32.h"
#include "wasi/wasi_internal.h"

/* One guest fd. Directories are handled by path (Win32 has no openat): `path` is the
 * directory's full host path in \\?\ form, no trailing separator; the handle is kept open so
 * the directory cannot be removed or renamed away while it is in use. */
typedef struct w32_fd {
  uint8_t kind;      /* enum wasi_fd_kind */
  uint8_t filetype;  /* WASI_FILETYPE_* */
  uint16_t fdflags;  /* APPEND / NONBLOCK as the guest set them */
  HANDLE h;          /* stdio: GetStdHandle's, not owned */
  uint64_t base, inheriting;
  char *preopen;     /* guest name of a preopened directory, else NULL */
  wchar_t *path;     /* directories: full host path */
  wchar_t *root;     /* directories: the preopen's final path (GetFinalPathNameByHandleW) */
  /* fd_readdir: the listing read when a scan starts at cookie 0. */
  struct w32_dirent *ents;
  uint32_t num_ents;
  /* Bundle fds (wasi_bundle.c; h is NULL): the entry in the blob, a file's read position. */
  uint32_t bundle_entry;
  uint64_t bundle_pos;
} w32_fd;

typedef struct w32_dirent {
  char *name;       /* UTF-8 */
  uint8_t type;     /* WASI_FILETYPE_* */
  uint64_t ino;
} w32_dirent;

/* The entry of guest fd `fd` when it exists and has all of `rights`; else NULL with *err set
 * to badf or notcapable. */
w32_fd *w32_fd_get(uint32_t fd, uint64_t rights, uint32_t *err);
/* Adds an entry (copied) under the number wasmtime would pick. */
uint32_t w32_fd_insert(const w32_fd *entry, uint32_t *fd_out);
/* Releases an entry's handle and memory. */
void w32_fd_release(w32_fd *entry);

/* Opens the host directory `host` (UTF-8; relative to the working directory) as a preopen
 * named `guest`. Returns NULL on success, else a message for the start-up error. */
const char *wasi_win32_add_preopen(const char *host, const char *guest);

/* The process environment as UTF-8 "KEY=VALUE" strings, NULL-terminated (entries whose name
 * starts with '=' — cmd.exe's per-drive directories — left out). */
char **wasi_win32_environ(void);
/* getenv with a UTF-8 result (static storage per name, valid until exit), or NULL. */
const char *wasi_win32_getenv(const char *name);

/* WASI errno for a Win32 error code (GetLastError()). */
uint32_t wasi_win32_errno(DWORD err);

/* Filetype of a handle (GetFileType / attributes). */
uint8_t wasi_win32_filetype(HANDLE h);

/* A guest path resolved under a directory fd: the full host path of the target. */
typedef struct w32_resolved {
  wchar_t *full;        /* heap, \\?\ form */
  bool trailing_slash;  /* the guest path ended in '/': the target must be a directory */
  bool is_dir_itself;   /* the path named a directory already walked ("." or "a/..") */
  DWORD attrs;          /* GetFileAttributesW of `full`; INVALID_FILE_ATTRIBUTES: absent */
} w32_resolved;

/* Resolves guest path (ptr, len) under guest fd `fd`, which must be a directory holding
 * `rights`. Components are walked one at a time against the directory's path: "." is
 * skipped, ".." pops a component (above the starting directory: perm, as an absolute path),
 * and every component walked through must be an existing directory that is not a reparse
 * point (symlink, junction, mount point: loop): links are never followed on Windows, so no
 * link can lead outside the preopen. Names holding '\\' or ':' (a separator or drive / stream
 * syntax for Win32) are refused with perm. The last component is not checked for reparse
 * points here: callers open it with FILE_FLAG_OPEN_REPARSE_POINT and refuse or act on the
 * link itself. */
uint32_t w32_resolve(w2e_vmctx *vm, uint32_t fd, uint64_t rights, uint32_t ptr, uint32_t len,
                     w32_resolved *out, w32_fd **dir_out);
void w32_resolved_free(w32_resolved *r);

/* The final path of an open handle (links resolved, \\?\ form), or NULL. */
wchar_t *wasi_win32_final_path(HANDLE h);

/* The inode number reported for file `file_index` of volume `volume_serial`. */
uint64_t wasi_win32_inode(uint32_t volume_serial, uint64_t file_index);

/* Writes a 64-byte filestat of an open file or directory handle. Never GetFileType on one:
 * under Wine that updates the file's access time. */
uint32_t wasi_win32_filestat(HANDLE h, uint8_t *out);
/* ns since 1970 <-> FILETIME (100 ns since 1601). */
uint64_t wasi_win32_ft_to_ns(FILETIME ft);
FILETIME wasi_win32_ns_to_ft(uint64_t ns);
/* Applies fd/path_filestat_set_times arguments to a handle opened with
 * FILE_WRITE_ATTRIBUTES. */
uint32_t wasi_win32_set_times(HANDLE h, uint64_t atim, uint64_t mtim, uint32_t flags);

#endif /* W2E_WASI_WIN32_H */
