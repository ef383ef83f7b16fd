/*
 * wasi_files.c: operations on open fds: fd_read/write/pread/pwrite (stdio, files, sockets),
 * fd_seek/tell, fd_sync/datasync, fd_advise/allocate, fd_filestat_get/set_size/set_times, and
 * the filestat layout shared with path_filestat_get.
 *
 * As wasmtime, a read or write transfers at most the first non-empty iovec (a short transfer,
 * which callers loop over), and a read or write the fd was not opened for yields badf.
 */
#if !defined(_WIN32) /* whole file: POSIX only (Windows: *_win32.c) */
#include "wasi/wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#if defined(__APPLE__)
#define ST_ATIM(st) ((st)->st_atimespec)
#define ST_MTIM(st) ((st)->st_mtimespec)
#define ST_CTIM(st) ((st)->st_ctimespec)
#else
#define ST_ATIM(st) ((st)->st_atim)
#define ST_MTIM(st) ((st)->st_mtim)
#define ST_CTIM(st) ((st)->st_ctim)
#endif

/* ---- Filestat ---- */

static uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

#define SIPROUND                                                                               \
  do {                                                                                         \
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);                                  \
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                                     \
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                                     \
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);                                  \
  } while (0)

/* SipHash-1-3 with a zero key over le64(dev) le64(ino): Rust's DefaultHasher::new() fed
 * write_u64(dev), write_u64(ino), which is how wasmtime derives preview1 inode numbers. */
uint64_t wasi_inode_hash(uint64_t dev, uint64_t ino) {
  uint64_t v0 = 0x736f6d6570736575ull, v1 = 0x646f72616e646f6dull;
  uint64_t v2 = 0x6c7967656e657261ull, v3 = 0x7465646279746573ull;
  uint64_t m[2] = {dev, ino};
  for (int i = 0; i < 2; i++) {
    v3 ^= m[i];
    SIPROUND;
    v0 ^= m[i];
  }
  uint64_t b = (uint64_t)16 << 56;
  v3 ^= b;
  SIPROUND;
  v0 ^= b;
  v2 ^= 0xff;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t nanos(struct timespec ts) {
  if (ts.tv_sec < 0) return 0;
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void wasi_store_filestat(uint8_t *p, const struct stat *st) {
  memset(p, 0, 64);
  wasi_store64(p + 0, 1); /* as wasmtime */
  wasi_store64(p + 8, wasi_inode_hash((uint64_t)st->st_dev, (uint64_t)st->st_ino));
  p[16] = wasi_filetype_of_mode(st->st_mode);
  wasi_store64(p + 24, (uint64_t)st->st_nlink);
  wasi_store64(p + 32, (uint64_t)st->st_size);
  wasi_store64(p + 40, nanos(ST_ATIM(st)));
  wasi_store64(p + 48, nanos(ST_MTIM(st)));
  wasi_store64(p + 56, nanos(ST_CTIM(st)));
}

/* ---- Reading and writing ---- */

/* The first non-empty buffer of a guest iovec array (all entries checked). */
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

/* The fd for a read (writing false) or write; badf when it is not open for that. */
static wasi_fd *io_fd(uint32_t fd, bool writing, uint32_t *err) {
  wasi_fd *e = wasi_fd_get(fd, 0, err);
  if (!e) return NULL;
  uint64_t right = writing ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ;
  if (e->kind == WASI_FD_DIR || !(e->base & right)) {
    *err = WASI_EBADF;
    return NULL;
  }
  return e;
}

static uint32_t do_io(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                      bool positional, uint64_t offset, uint32_t nptr, bool writing) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_io(vm, b, iovs, iovs_len, positional, offset, nptr, writing);
  uint32_t err;
  wasi_fd *e = io_fd(fd, writing, &err);
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
  uint64_t total = 0;
  for (;;) {
    ssize_t n;
    if (positional)
      n = writing ? pwrite(e->host, buf + total, len - total, (off_t)(offset + total))
                  : pread(e->host, buf + total, len - total, (off_t)(offset + total));
    else
      n = writing ? write(e->host, buf + total, len - total) : read(e->host, buf + total, len - total);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (total) break;
      return wasi_errno(errno);
    }
    total += (uint64_t)n;
    /* Standard output and error are written out whole (as wasmtime's blocking streams). */
    if (!(writing && e->kind == WASI_FD_STDIO) || n == 0 || total == len) break;
  }
  return wasi_put32(vm, nptr, (uint32_t)total);
}

uint32_t w2e_wasi_fd_read(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t nread) {
  return do_io(vm, fd, iovs, n, false, 0, nread, false);
}

uint32_t w2e_wasi_fd_write(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t nwritten) {
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

/* The entry of a regular (non-directory) open file: stdio and sockets give `other`. */
static wasi_fd *file_fd(uint32_t fd, uint64_t rights, uint32_t other, uint32_t *err) {
  wasi_fd *e = wasi_fd_get(fd, 0, err);
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
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_seek(vm, b, offset, whence, newoffset);
  uint32_t err;
  uint64_t right = offset == 0 && whence == 1 ? WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
  wasi_fd *e = file_fd(fd, 0, WASI_ESPIPE, &err);
  if (!e) return err;
  if (!(e->base & (right | WASI_RIGHT_FD_SEEK))) return WASI_ENOTCAPABLE;
  if (!wasi_guest(vm, newoffset, 8)) return WASI_EFAULT;
  static const int whences[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  off_t pos = lseek(e->host, (off_t)(int64_t)offset, whences[whence]);
  if (pos < 0) return wasi_errno(errno);
  return wasi_put64(vm, newoffset, (uint64_t)pos);
}

uint32_t w2e_wasi_fd_tell(w2e_vmctx *vm, uint32_t fd, uint32_t offset) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_tell(vm, b, offset);
  uint32_t err;
  wasi_fd *e = file_fd(fd, WASI_RIGHT_FD_TELL, WASI_ESPIPE, &err);
  if (!e) return err;
  if (!wasi_guest(vm, offset, 8)) return WASI_EFAULT;
  off_t pos = lseek(e->host, 0, SEEK_CUR);
  if (pos < 0) return wasi_errno(errno);
  return wasi_put64(vm, offset, (uint64_t)pos);
}

uint32_t w2e_wasi_fd_sync(w2e_vmctx *vm, uint32_t fd) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_simple(b, WASI_RIGHT_FD_SYNC, WASI_ESUCCESS);
  uint32_t err;
  wasi_fd *e = file_fd(fd, WASI_RIGHT_FD_SYNC, WASI_EBADF, &err);
  if (!e) return err;
  return fsync(e->host) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

uint32_t w2e_wasi_fd_datasync(w2e_vmctx *vm, uint32_t fd) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_simple(b, WASI_RIGHT_FD_DATASYNC, WASI_ESUCCESS);
  uint32_t err;
  wasi_fd *e = file_fd(fd, WASI_RIGHT_FD_DATASYNC, WASI_EBADF, &err);
  if (!e) return err;
#if defined(__APPLE__)
  int r = fsync(e->host);
#else
  int r = fdatasync(e->host);
#endif
  return r == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

uint32_t w2e_wasi_fd_advise(w2e_vmctx *vm, uint32_t fd, uint64_t offset, uint64_t len,
                            uint32_t advice) {
  if (advice > 5) return WASI_EINVAL;
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) {
    uint32_t ok = offset > INT64_MAX || len > INT64_MAX ? WASI_EINVAL : WASI_ESUCCESS;
    return wasi_bundle_fd_simple(b, WASI_RIGHT_FD_ADVISE, ok);
  }
  uint32_t err;
  wasi_fd *e = file_fd(fd, WASI_RIGHT_FD_ADVISE, WASI_EBADF, &err);
  if (!e) return err;
  if (offset > INT64_MAX || len > INT64_MAX) return WASI_EINVAL;
#if defined(POSIX_FADV_NORMAL) && !defined(__APPLE__)
  static const int advices[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  int r = posix_fadvise(e->host, (off_t)offset, (off_t)len, advices[advice]);
  if (r != 0 && r != ESPIPE) return wasi_errno(r);
#endif
  return WASI_ESUCCESS;
}

/* As wasmtime: notsup for every open file, whatever its rights, and nothing changes (files
 * grow through writes and fd_filestat_set_size). Other fds are badf. */
uint32_t w2e_wasi_fd_allocate(w2e_vmctx *vm, uint32_t fd, uint64_t offset, uint64_t len) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_simple(b, 0, WASI_ENOTSUP);
  uint32_t err;
  wasi_fd *e = file_fd(fd, 0, WASI_EBADF, &err);
  return e ? WASI_ENOTSUP : err;
}

uint32_t w2e_wasi_fd_filestat_get(w2e_vmctx *vm, uint32_t fd, uint32_t buf) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_filestat_get(vm, b, buf);
  uint32_t err;
  wasi_fd *e = wasi_fd_get(fd, 0, &err);
  if (!e) return err;
  if (e->kind != WASI_FD_STDIO && !(e->base & WASI_RIGHT_FD_FILESTAT_GET)) return WASI_ENOTCAPABLE;
  uint8_t *p = wasi_guest(vm, buf, 64);
  if (!p) return WASI_EFAULT;
  if (e->kind == WASI_FD_STDIO) { /* as wasmtime: only the filetype */
    memset(p, 0, 64);
    p[16] = e->filetype;
    return WASI_ESUCCESS;
  }
  struct stat st;
  if (fstat(e->host, &st) != 0) return wasi_errno(errno);
  wasi_store_filestat(p, &st);
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_fd_filestat_set_size(w2e_vmctx *vm, uint32_t fd, uint64_t size) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_simple(b, 0, WASI_EINVAL); /* as a file opened read-only */
  uint32_t err;
  wasi_fd *e = file_fd(fd, 0, WASI_EBADF, &err);
  if (!e) return err;
  /* Without the right: what ftruncate says for a file not open for writing (as wasmtime). */
  if (!(e->base & WASI_RIGHT_FD_FILESTAT_SET_SIZE)) return WASI_EINVAL;
  if (size > INT64_MAX) return WASI_EINVAL;
  return ftruncate(e->host, (off_t)size) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

/* Converts (time, flags) to the two timespecs of futimens/utimensat. */
uint32_t wasi_timespecs(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec *ts) {
  if (flags & ~(uint32_t)WASI_FST_ALL) return WASI_EINVAL;
  if ((flags & WASI_FST_ATIM) && (flags & WASI_FST_ATIM_NOW)) return WASI_EINVAL;
  if ((flags & WASI_FST_MTIM) && (flags & WASI_FST_MTIM_NOW)) return WASI_EINVAL;
  uint64_t t[2] = {atim, mtim};
  uint32_t set[2] = {WASI_FST_ATIM, WASI_FST_MTIM}, now[2] = {WASI_FST_ATIM_NOW, WASI_FST_MTIM_NOW};
  for (int i = 0; i < 2; i++) {
    if (flags & set[i]) {
      ts[i].tv_sec = (time_t)(t[i] / 1000000000u);
      ts[i].tv_nsec = (long)(t[i] % 1000000000u);
    } else {
      ts[i].tv_sec = 0;
      ts[i].tv_nsec = (flags & now[i]) ? UTIME_NOW : UTIME_OMIT;
    }
  }
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_fd_filestat_set_times(w2e_vmctx *vm, uint32_t fd, uint64_t atim, uint64_t mtim,
                                        uint32_t flags) {
  struct timespec ts[2];
  uint32_t err = wasi_timespecs(atim, mtim, flags, ts);
  if (err) return err;
  if (wasi_bundle_fd(fd)) return WASI_EROFS;
  wasi_fd *e = wasi_fd_get(fd, 0, &err);
  if (!e) return err;
  if (e->kind == WASI_FD_STDIO) return WASI_EBADF;
  if (!(e->base & WASI_RIGHT_FD_FILESTAT_SET_TIMES)) return WASI_ENOTCAPABLE;
  return futimens(e->host, ts) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

#endif /* !_WIN32 */
