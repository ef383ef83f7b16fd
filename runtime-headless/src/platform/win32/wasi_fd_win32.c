/*
 * wasi_fd_win32.c: the guest's fd table over Win32 handles and the fd_* calls, the
 * counterpart of wasi_fd.c and wasi_files.c (same numbering, rights and errno choices).
 * Reads and writes use the first non-empty iovec only, as wasmtime and the POSIX side do.
 * Standard output and error are written whole with w2e_win32_write (a console gets UTF-16,
 * anything else the bytes unchanged: no CRLF translation).
 */
#if defined(_WIN32)

#include "platform/win32/wasi_win32.h"
#include "wasi/w2e_wasi.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FDS (1u << 20)

static w32_fd *table;
static uint32_t used; /* one past the highest number ever used */
static uint32_t capacity;

w32_fd *w32_fd_get(uint32_t fd, uint64_t rights, uint32_t *err) {
  if (fd >= used || table[fd].kind == WASI_FD_FREE) {
    *err = WASI_EBADF;
    return NULL;
  }
  if ((table[fd].base & rights) != rights) {
    *err = WASI_ENOTCAPABLE;
    return NULL;
  }
  return &table[fd];
}

uint32_t w32_fd_insert(const w32_fd *entry, uint32_t *fd_out) {
  uint32_t fd = used;
  for (uint32_t i = used; i-- > 0;) {
    if (table[i].kind == WASI_FD_FREE) {
      fd = i;
      break;
    }
  }
  if (fd == used) {
    if (used >= MAX_FDS) return WASI_ENFILE;
    if (used == capacity) {
      uint32_t cap = capacity ? capacity * 2 : 16;
      w32_fd *t = realloc(table, (size_t)cap * sizeof *t);
      if (!t) return WASI_ENOMEM;
      memset(t + capacity, 0, (size_t)(cap - capacity) * sizeof *t);
      table = t;
      capacity = cap;
    }
    used++;
  }
  table[fd] = *entry;
  *fd_out = fd;
  return WASI_ESUCCESS;
}

static void free_listing(w32_fd *e) {
  for (uint32_t i = 0; i < e->num_ents; i++) free(e->ents[i].name);
  free(e->ents);
  e->ents = NULL;
  e->num_ents = 0;
}

void w32_fd_release(w32_fd *e) {
  if (e->kind != WASI_FD_STDIO && e->h && e->h != INVALID_HANDLE_VALUE) CloseHandle(e->h);
  free_listing(e);
  free(e->preopen);
  free(e->path);
  free(e->root);
  memset(e, 0, sizeof *e);
  e->kind = WASI_FD_FREE;
}

uint8_t wasi_win32_filetype(HANDLE h) {
  switch (GetFileType(h)) {
  case FILE_TYPE_CHAR: return WASI_FILETYPE_CHARACTER_DEVICE;
  case FILE_TYPE_DISK: {
    BY_HANDLE_FILE_INFORMATION info;
    if (!GetFileInformationByHandle(h, &info)) return WASI_FILETYPE_UNKNOWN;
    if (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) return WASI_FILETYPE_SYMBOLIC_LINK;
    if (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) return WASI_FILETYPE_DIRECTORY;
    return WASI_FILETYPE_REGULAR_FILE;
  }
  default: return WASI_FILETYPE_UNKNOWN; /* pipes: preview1 has no code for them */
  }
}

void wasi_fd_init_stdio(void) {
  for (int i = 0; i < 3; i++) {
    w32_fd e;
    memset(&e, 0, sizeof e);
    e.kind = WASI_FD_STDIO;
    e.h = w2e_win32_std_handle(i);
    /* As wasmtime: a character device when it is a console, else unknown. */
    DWORD mode;
    e.filetype = e.h != INVALID_HANDLE_VALUE && GetConsoleMode(e.h, &mode)
                     ? WASI_FILETYPE_CHARACTER_DEVICE
                     : WASI_FILETYPE_UNKNOWN;
    e.base = (i == 0 ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE) | WASI_RIGHT_POLL_FD_READWRITE |
             WASI_RIGHT_FD_FILESTAT_GET;
    e.inheriting = 0;
    uint32_t fd;
    w32_fd_insert(&e, &fd);
  }
}

/* "\\?\" form of a full path ("C:\x" -> "\\?\C:\x", "\\srv\share" -> "\\?\UNC\srv\share"),
 * without a trailing separator. */
static wchar_t *verbatim_path(const wchar_t *full) {
  size_t n = wcslen(full);
  const wchar_t *prefix = L"\\\\?\\";
  const wchar_t *rest = full;
  if (wcsncmp(full, L"\\\\?\\", 4) == 0) prefix = L"";
  else if (wcsncmp(full, L"\\\\", 2) == 0) prefix = L"\\\\?\\UNC\\", rest = full + 2, n -= 2;
  size_t pn = wcslen(prefix);
  wchar_t *out = malloc((pn + n + 1) * sizeof *out);
  if (!out) return NULL;
  memcpy(out, prefix, pn * sizeof *out);
  memcpy(out + pn, rest, (n + 1) * sizeof *out);
  size_t len = pn + n;
  while (len > pn && out[len - 1] == L'\\') out[--len] = 0;
  return out;
}

wchar_t *wasi_win32_final_path(HANDLE h) {
  DWORD n = GetFinalPathNameByHandleW(h, NULL, 0, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
  if (!n) return NULL;
  wchar_t *p = malloc(((size_t)n + 1) * sizeof *p);
  if (p && GetFinalPathNameByHandleW(h, p, n + 1, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS) > n) {
    free(p);
    return NULL;
  }
  return p;
}

const char *wasi_win32_add_preopen(const char *host, const char *guest) {
  wchar_t *whost = w2e_win32_widen(host);
  if (!whost) return "not valid UTF-8";
  DWORD n = GetFullPathNameW(whost, 0, NULL, NULL);
  wchar_t *full = n ? malloc((size_t)n * sizeof *full) : NULL;
  if (!full || GetFullPathNameW(whost, n, full, NULL) >= n) {
    free(whost);
    free(full);
    return "cannot make the path absolute";
  }
  free(whost);
  wchar_t *path = verbatim_path(full);
  free(full);
  if (!path) return "out of memory";
  size_t len = wcslen(path);
  wchar_t *open_path = malloc((len + 2) * sizeof *open_path);
  if (!open_path) return "out of memory";
  memcpy(open_path, path, (len + 1) * sizeof *open_path);
  if (len && path[len - 1] == L':') wcscat(open_path, L"\\"); /* a drive's root */
  HANDLE h = CreateFileW(open_path, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  free(open_path);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD e = GetLastError();
    free(path);
    switch (wasi_win32_errno(e)) {
    case WASI_ENOENT: return "No such file or directory";
    case WASI_EACCES: return "Permission denied";
    default: return "cannot open it";
    }
  }
  BY_HANDLE_FILE_INFORMATION info;
  if (!GetFileInformationByHandle(h, &info) || !(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
    CloseHandle(h);
    free(path);
    return "Not a directory";
  }
  w32_fd e;
  memset(&e, 0, sizeof e);
  e.kind = WASI_FD_DIR;
  e.filetype = WASI_FILETYPE_DIRECTORY;
  e.h = h;
  e.path = path;
  e.root = wasi_win32_final_path(h);
  if (!e.root) {
    CloseHandle(h);
    free(path);
    return "cannot read its final path";
  }
  e.base = WASI_RIGHTS_DIR_BASE;
  e.inheriting = WASI_RIGHTS_DIR_INHERITING;
  e.preopen = strdup(guest);
  uint32_t fd;
  if (!e.preopen || w32_fd_insert(&e, &fd) != WASI_ESUCCESS) return "out of memory";
  return NULL;
}

/* ---- fd_close, fd_renumber, fdstat, prestat (as wasi_fd.c) ---- */

uint32_t w2e_wasi_fd_close(w2e_vmctx *vm, uint32_t fd) {
  uint32_t err;
  w32_fd *e = w32_fd_get(fd, 0, &err);
  if (!e) return err;
  w32_fd_release(e);
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_fd_renumber(w2e_vmctx *vm, uint32_t from, uint32_t to) {
  uint32_t err;
  w32_fd *dst = w32_fd_get(to, 0, &err);
  if (!dst) return err;
  w32_fd *src = w32_fd_get(from, 0, &err);
  if (!src) return err;
  if (from == to) return WASI_ESUCCESS;
  w32_fd_release(dst);
  *dst = *src;
  memset(src, 0, sizeof *src);
  src->kind = WASI_FD_FREE;
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_fd_fdstat_get(w2e_vmctx *vm, uint32_t fd, uint32_t stat) {
  uint32_t err;
  w32_fd *e = w32_fd_get(fd, 0, &err);
  if (!e) return err;
  uint8_t *p = wasi_guest(vm, stat, 24);
  if (!p) return WASI_EFAULT;
  uint64_t base = e->base, inheriting = e->inheriting;
  if (e->kind == WASI_FD_STDIO) {
    base &= WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE;
    inheriting = base;
  }
  memset(p, 0, 24);
  p[0] = e->filetype;
  wasi_store16(p + 2, e->fdflags);
  wasi_store64(p + 8, base);
  wasi_store64(p + 16, inheriting);
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_fd_fdstat_set_flags(w2e_vmctx *vm, uint32_t fd, uint32_t flags) {
  if (flags & ~(uint32_t)WASI_FDFLAGS_ALL) return WASI_EINVAL;
  uint32_t err;
  w32_fd *e = w32_fd_get(fd, 0, &err);
  if (!e) return err;
  if (e->kind != WASI_FD_FILE && e->kind != WASI_FD_BUNDLE_FILE) return WASI_EBADF;
  if (!(e->base & WASI_RIGHT_FD_FDSTAT_SET_FLAGS)) return WASI_ENOTCAPABLE;
  if (flags & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC)) return WASI_EINVAL;
  /* APPEND is applied by fd_write (a seek to the end first); NONBLOCK is recorded only. */
  e->fdflags = (uint16_t)((e->fdflags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)) | flags);
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_fd_fdstat_set_rights(w2e_vmctx *vm, uint32_t fd, uint64_t base,
                                       uint64_t inheriting) {
  if ((base | inheriting) & ~WASI_RIGHTS_ALL) return WASI_EINVAL;
  uint32_t err;
  w32_fd *e = w32_fd_get(fd, 0, &err);
  if (!e) return err;
  return e->kind == WASI_FD_STDIO ? WASI_EBADF : WASI_ENOTSUP;
}

uint32_t w2e_wasi_fd_prestat_get(w2e_vmctx *vm, uint32_t fd, uint32_t prestat) {
  uint32_t err;
  w32_fd *e = w32_fd_get(fd, 0, &err);
  if (!e) return err;
  if (!e->preopen) return WASI_EBADF;
  uint8_t *p = wasi_guest(vm, prestat, 8);
  if (!p) return WASI_EFAULT;
  memset(p, 0, 8);
  wasi_store32(p + 4, (uint32_t)strlen(e->preopen));
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_fd_prestat_dir_name(w2e_vmctx *vm, uint32_t fd, uint32_t path, uint32_t len) {
  uint32_t err;
  w32_fd *e = w32_fd_get(fd, 0, &err);
  if (!e) return err;
  if (!e->preopen) return WASI_ENOTDIR;
  size_t n = strlen(e->preopen);
  if (n > len) return WASI_ENAMETOOLONG;
  uint8_t *p = wasi_guest(vm, path, n);
  if (!p) return WASI_EFAULT;
  memcpy(p, e->preopen, n);
  return WASI_ESUCCESS;
}

/* ---- Reading and writing (as wasi_files.c) ---- */

static uint32_t first_iovec(w2e_vmctx *vm, uint32_t iovs, uint32_t iovs_len, uint8_t **buf,
                            uint32_t *len) {
  const uint8_t *vec = wasi_guest(vm, iovs, (uint64_t)iovs_len * 8);
  if (!vec) return WASI_EFAULT;
  *buf = NULL;
  *len = 0;
  for (uint32_t i = 0; i < iovs_len; i++) {
    uint32_t ptr = wasi_load32(vec + 8 * i), n = wasi_load32(vec + 8 * i + 4);
    uint8_t *p = wasi_guest(vm, ptr, n);
    if (!p) return WASI_EFAULT;
    if (n && !*buf) {
      *buf = p;
      *len = n > 0x7ffff000u ? 0x7ffff000u : n;
    }
  }
  return WASI_ESUCCESS;
}

static w32_fd *io_fd(uint32_t fd, bool writing, uint32_t *err) {
  w32_fd *e = w32_fd_get(fd, 0, err);
  if (!e) return NULL;
  uint64_t right = writing ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ;
  if (e->kind == WASI_FD_DIR || !(e->base & right)) {
    *err = WASI_EBADF;
    return NULL;
  }
  return e;
}

static bool seek(HANDLE h, int64_t off, DWORD how, uint64_t *pos) {
  LARGE_INTEGER d, np;
  d.QuadPart = off;
  if (!SetFilePointerEx(h, d, &np, how)) return false;
  if (pos) *pos = (uint64_t)np.QuadPart;
  return true;
}

static uint32_t do_io(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                      bool positional, uint64_t offset, uint32_t nptr, bool writing) {
  w32_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_io(vm, b, iovs, iovs_len, positional, offset, nptr, writing);
  uint32_t err;
  w32_fd *e = io_fd(fd, writing, &err);
  if (!e) return err;
  uint8_t *buf;
  uint32_t len;
  if ((err = first_iovec(vm, iovs, iovs_len, &buf, &len))) return err;
  if (!wasi_guest(vm, nptr, 4)) return WASI_EFAULT;
  if (positional) {
    if (e->kind != WASI_FD_FILE) return WASI_ESPIPE;
    if (!(e->base & WASI_RIGHT_FD_SEEK)) return WASI_ENOTCAPABLE;
    if (offset > INT64_MAX) return WASI_EINVAL;
  }
  if (len == 0) return wasi_put32(vm, nptr, 0);
  uint64_t total = 0;
  if (e->kind == WASI_FD_STDIO && writing) {
    size_t n;
    if (!w2e_win32_write(e->h, buf, len, &n)) return wasi_win32_errno(GetLastError());
    total = n;
  } else if (positional) {
    /* A synchronous handle's position moves with an OVERLAPPED offset: put it back, as
     * pread/pwrite leave it. */
    uint64_t saved;
    if (!seek(e->h, 0, FILE_CURRENT, &saved)) return wasi_win32_errno(GetLastError());
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.Offset = (DWORD)offset;
    ov.OffsetHigh = (DWORD)(offset >> 32);
    DWORD n = 0;
    BOOL ok = writing ? WriteFile(e->h, buf, len, &n, &ov) : ReadFile(e->h, buf, len, &n, &ov);
    DWORD le = GetLastError();
    seek(e->h, (int64_t)saved, FILE_BEGIN, NULL);
    if (!ok && le != ERROR_HANDLE_EOF) return wasi_win32_errno(le);
    total = ok ? n : 0;
  } else {
    if (writing && (e->fdflags & WASI_FDFLAG_APPEND) && e->kind == WASI_FD_FILE)
      seek(e->h, 0, FILE_END, NULL);
    DWORD n = 0;
    BOOL ok = writing ? WriteFile(e->h, buf, len, &n, NULL) : ReadFile(e->h, buf, len, &n, NULL);
    if (!ok) {
      DWORD le = GetLastError();
      /* The writer of a pipe went away, or a file's end: end of file, not an error. */
      if (writing || (le != ERROR_BROKEN_PIPE && le != ERROR_HANDLE_EOF))
        return wasi_win32_errno(le);
      n = 0;
    }
    total = n;
  }
  return wasi_put32(vm, nptr, (uint32_t)total);
}

uint32_t w2e_wasi_fd_read(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t nread) {
  return do_io(vm, fd, iovs, n, false, 0, nread, false);
}

uint32_t w2e_wasi_fd_write(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t n,
                           uint32_t nwritten) {
  return do_io(vm, fd, iovs, n, false, 0, nwritten, true);
}

uint32_t w2e_wasi_fd_pread(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t offset,
                           uint32_t nread) {
  return do_io(vm, fd, iovs, n, true, offset, nread, false);
}

uint32_t w2e_wasi_fd_pwrite(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t n,
                            uint64_t offset, uint32_t nwritten) {
  return do_io(vm, fd, iovs, n, true, offset, nwritten, true);
}

/* The entry of a regular (non-directory) open file: stdio gives `other`. */
static w32_fd *file_fd(uint32_t fd, uint64_t rights, uint32_t other, uint32_t *err) {
  w32_fd *e = w32_fd_get(fd, 0, err);
  if (!e) return NULL;
  if (e->kind != WASI_FD_FILE) {
    *err = e->kind == WASI_FD_DIR ? WASI_EBADF : other;
    return NULL;
  }
  if ((e->base & rights) != rights) {
    *err = WASI_ENOTCAPABLE;
    return NULL;
  }
  return e;
}

uint32_t w2e_wasi_fd_seek(w2e_vmctx *vm, uint32_t fd, uint64_t offset, uint32_t whence,
                          uint32_t newoffset) {
  if (whence > 2) return WASI_EINVAL;
  w32_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_seek(vm, b, offset, whence, newoffset);
  uint32_t err;
  uint64_t right = offset == 0 && whence == 1 ? WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
  w32_fd *e = file_fd(fd, 0, WASI_ESPIPE, &err);
  if (!e) return err;
  if (!(e->base & (right | WASI_RIGHT_FD_SEEK))) return WASI_ENOTCAPABLE;
  if (!wasi_guest(vm, newoffset, 8)) return WASI_EFAULT;
  static const DWORD hows[] = {FILE_BEGIN, FILE_CURRENT, FILE_END};
  uint64_t pos;
  if (!seek(e->h, (int64_t)offset, hows[whence], &pos)) return wasi_win32_errno(GetLastError());
  return wasi_put64(vm, newoffset, pos);
}

uint32_t w2e_wasi_fd_tell(w2e_vmctx *vm, uint32_t fd, uint32_t offset) {
  w32_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_tell(vm, b, offset);
  uint32_t err;
  w32_fd *e = file_fd(fd, WASI_RIGHT_FD_TELL, WASI_ESPIPE, &err);
  if (!e) return err;
  if (!wasi_guest(vm, offset, 8)) return WASI_EFAULT;
  uint64_t pos;
  if (!seek(e->h, 0, FILE_CURRENT, &pos)) return wasi_win32_errno(GetLastError());
  return wasi_put64(vm, offset, pos);
}

static uint32_t sync_fd(uint32_t fd, uint64_t right) {
  w32_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_simple(b, right, WASI_ESUCCESS);
  uint32_t err;
  w32_fd *e = w32_fd_get(fd, 0, &err);
  if (!e) return err;
  if (e->kind == WASI_FD_STDIO) return WASI_EINVAL;
  if (!(e->base & right)) return WASI_ENOTCAPABLE;
  if (e->kind == WASI_FD_DIR) return WASI_ESUCCESS; /* directories cannot be flushed on Win32 */
  return FlushFileBuffers(e->h) ? WASI_ESUCCESS : wasi_win32_errno(GetLastError());
}

uint32_t w2e_wasi_fd_sync(w2e_vmctx *vm, uint32_t fd) { return sync_fd(fd, WASI_RIGHT_FD_SYNC); }
uint32_t w2e_wasi_fd_datasync(w2e_vmctx *vm, uint32_t fd) {
  return sync_fd(fd, WASI_RIGHT_FD_DATASYNC);
}

uint32_t w2e_wasi_fd_advise(w2e_vmctx *vm, uint32_t fd, uint64_t offset, uint64_t len,
                            uint32_t advice) {
  if (advice > 5) return WASI_EINVAL;
  w32_fd *b = wasi_bundle_fd(fd);
  if (b) {
    uint32_t ok = offset > INT64_MAX || len > INT64_MAX ? WASI_EINVAL : WASI_ESUCCESS;
    return wasi_bundle_fd_simple(b, WASI_RIGHT_FD_ADVISE, ok);
  }
  uint32_t err;
  w32_fd *e = file_fd(fd, WASI_RIGHT_FD_ADVISE, WASI_EBADF, &err);
  return e ? WASI_ESUCCESS : err; /* advice only: Win32 has nothing to give it to */
}

uint32_t w2e_wasi_fd_allocate(w2e_vmctx *vm, uint32_t fd, uint64_t offset, uint64_t len) {
  w32_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_simple(b, 0, WASI_ENOTSUP);
  uint32_t err;
  w32_fd *e = file_fd(fd, 0, WASI_EBADF, &err);
  return e ? WASI_ENOTSUP : err; /* as wasmtime: notsup for every open file, whatever its rights */
}

/* ---- Filestat ---- */

/* SplitMix64 finaliser: distinct (volume, file index) pairs give distinct-looking inodes. */
static uint64_t mix64(uint64_t x);

uint64_t wasi_win32_inode(uint32_t volume_serial, uint64_t file_index) {
  return mix64(file_index ^ mix64(volume_serial));
}

static uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint32_t wasi_win32_filestat(HANDLE h, uint8_t *p) {
  memset(p, 0, 64);
  wasi_store64(p + 0, 1); /* as wasmtime and the POSIX side */
  BY_HANDLE_FILE_INFORMATION info;
  if (!GetFileInformationByHandle(h, &info)) return wasi_win32_errno(GetLastError());
  uint64_t index = (uint64_t)info.nFileIndexHigh << 32 | info.nFileIndexLow;
  wasi_store64(p + 8, wasi_win32_inode(info.dwVolumeSerialNumber, index));
  p[16] = info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT ? WASI_FILETYPE_SYMBOLIC_LINK
          : info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY   ? WASI_FILETYPE_DIRECTORY
                                                               : WASI_FILETYPE_REGULAR_FILE;
  wasi_store64(p + 24, info.nNumberOfLinks);
  wasi_store64(p + 32, (uint64_t)info.nFileSizeHigh << 32 | info.nFileSizeLow);
  wasi_store64(p + 40, wasi_win32_ft_to_ns(info.ftLastAccessTime));
  wasi_store64(p + 48, wasi_win32_ft_to_ns(info.ftLastWriteTime));
  FILE_BASIC_INFO basic;
  uint64_t ctim = wasi_win32_ft_to_ns(info.ftLastWriteTime);
  if (GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic)) {
    FILETIME ft = {(DWORD)basic.ChangeTime.QuadPart, (DWORD)(basic.ChangeTime.QuadPart >> 32)};
    if (basic.ChangeTime.QuadPart) ctim = wasi_win32_ft_to_ns(ft);
  }
  wasi_store64(p + 56, ctim);
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_fd_filestat_get(w2e_vmctx *vm, uint32_t fd, uint32_t buf) {
  w32_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_filestat_get(vm, b, buf);
  uint32_t err;
  w32_fd *e = w32_fd_get(fd, WASI_RIGHT_FD_FILESTAT_GET, &err);
  if (!e) return err;
  uint8_t *p = wasi_guest(vm, buf, 64);
  if (!p) return WASI_EFAULT;
  if (e->kind == WASI_FD_STDIO) { /* as wasmtime: only the filetype */
    memset(p, 0, 64);
    p[16] = e->filetype;
    return WASI_ESUCCESS;
  }
  return wasi_win32_filestat(e->h, p);
}

uint32_t w2e_wasi_fd_filestat_set_size(w2e_vmctx *vm, uint32_t fd, uint64_t size) {
  w32_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_simple(b, 0, WASI_EINVAL); /* as a file opened read-only */
  uint32_t err;
  w32_fd *e = file_fd(fd, 0, WASI_EBADF, &err);
  if (!e) return err;
  if (!(e->base & WASI_RIGHT_FD_FILESTAT_SET_SIZE)) return WASI_EINVAL;
  if (size > INT64_MAX) return WASI_EINVAL;
  FILE_END_OF_FILE_INFO eof;
  eof.EndOfFile.QuadPart = (LONGLONG)size;
  return SetFileInformationByHandle(e->h, FileEndOfFileInfo, &eof, sizeof eof)
             ? WASI_ESUCCESS
             : wasi_win32_errno(GetLastError());
}

static bool bad_time_flags(uint32_t flags) {
  return (flags & ~(uint32_t)WASI_FST_ALL) ||
         ((flags & WASI_FST_ATIM) && (flags & WASI_FST_ATIM_NOW)) ||
         ((flags & WASI_FST_MTIM) && (flags & WASI_FST_MTIM_NOW));
}

uint32_t wasi_win32_set_times(HANDLE h, uint64_t atim, uint64_t mtim, uint32_t flags) {
  if (bad_time_flags(flags)) return WASI_EINVAL;
  FILETIME now, a, m;
  GetSystemTimeAsFileTime(&now);
  a = flags & WASI_FST_ATIM_NOW ? now : wasi_win32_ns_to_ft(atim);
  m = flags & WASI_FST_MTIM_NOW ? now : wasi_win32_ns_to_ft(mtim);
  bool set_a = flags & (WASI_FST_ATIM | WASI_FST_ATIM_NOW);
  bool set_m = flags & (WASI_FST_MTIM | WASI_FST_MTIM_NOW);
  if (!set_a && !set_m) return WASI_ESUCCESS;
  return SetFileTime(h, NULL, set_a ? &a : NULL, set_m ? &m : NULL)
             ? WASI_ESUCCESS
             : wasi_win32_errno(GetLastError());
}

uint32_t w2e_wasi_fd_filestat_set_times(w2e_vmctx *vm, uint32_t fd, uint64_t atim, uint64_t mtim,
                                        uint32_t flags) {
  if (wasi_bundle_fd(fd)) return bad_time_flags(flags) ? WASI_EINVAL : WASI_EROFS;
  uint32_t err;
  w32_fd *e = w32_fd_get(fd, WASI_RIGHT_FD_FILESTAT_SET_TIMES, &err);
  if (!e) return err;
  if (e->kind == WASI_FD_STDIO) return WASI_EBADF;
  return wasi_win32_set_times(e->h, atim, mtim, flags);
}

#endif /* _WIN32 */
