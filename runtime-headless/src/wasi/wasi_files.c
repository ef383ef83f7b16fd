/*
 * wasi_files.c: operations on open fds: fd_read/write/pread/pwrite (stdio, files, sockets),
 * fd_seek/tell, fd_sync/datasync, fd_advise/allocate, fd_filestat_get/set_size/set_times, and
 * the filestat layout shared with path_filestat_get.
 *
 * As wasmtime, a read or write transfers at most the first non-empty iovec (a short transfer,
 * which callers loop over), and a read or write the fd was not opened for yields badf.
 */
#include "wasi/wasi_internal.h"

#include <string.h>

/* ---- Filestat ---- */

void wasi_put_filestat(uint8_t *p, const w2e_filestat *st) {
  memset(p, 0, 64);
  wasi_store64(p + 0, 1); /* as wasmtime */
  wasi_store64(p + 8, st->ino);
  p[16] = st->filetype;
  wasi_store64(p + 24, st->nlink);
  wasi_store64(p + 32, st->size);
  wasi_store64(p + 40, st->atim);
  wasi_store64(p + 48, st->mtim);
  wasi_store64(p + 56, st->ctim);
}

bool wasi_times_of(uint64_t atim, uint64_t mtim, uint32_t flags, w2e_times *out) {
  static const uint32_t set[2] = {WASI_FST_ATIM, WASI_FST_MTIM};
  static const uint32_t now[2] = {WASI_FST_ATIM_NOW, WASI_FST_MTIM_NOW};
  if (flags & ~(uint32_t)WASI_FST_ALL) return false;
  for (int i = 0; i < 2; i++) {
    if ((flags & set[i]) && (flags & now[i])) return false;
    out->change[i] = flags & set[i] ? W2E_TIME_SET : flags & now[i] ? W2E_TIME_NOW : W2E_TIME_KEEP;
    out->ns[i] = i ? mtim : atim;
  }
  return true;
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
  unsigned how = (writing ? W2E_IO_WRITE : 0) | (positional ? W2E_IO_AT : 0) |
                 (e->kind == WASI_FD_STDIO ? W2E_IO_STDIO : 0) |
                 (e->kind == WASI_FD_FILE && (e->fdflags & WASI_FDFLAG_APPEND) ? W2E_IO_APPEND : 0);
  uint32_t done;
  if ((err = w2e_os_io(e->host, buf, len, offset, how, &done))) return err;
  return wasi_put32(vm, nptr, done);
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

wasi_fd *wasi_file_fd(uint32_t fd, uint64_t rights, uint32_t other, uint32_t *err) {
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
  wasi_fd *e = wasi_file_fd(fd, 0, WASI_ESPIPE, &err);
  if (!e) return err;
  if (!(e->base & (right | WASI_RIGHT_FD_SEEK))) return WASI_ENOTCAPABLE;
  if (!wasi_guest(vm, newoffset, 8)) return WASI_EFAULT;
  uint64_t pos;
  if ((err = w2e_os_seek(e->host, (int64_t)offset, (int)whence, &pos))) return err;
  return wasi_put64(vm, newoffset, pos);
}

uint32_t w2e_wasi_fd_tell(w2e_vmctx *vm, uint32_t fd, uint32_t offset) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_tell(vm, b, offset);
  uint32_t err;
  wasi_fd *e = wasi_file_fd(fd, WASI_RIGHT_FD_TELL, WASI_ESPIPE, &err);
  if (!e) return err;
  if (!wasi_guest(vm, offset, 8)) return WASI_EFAULT;
  uint64_t pos;
  if ((err = w2e_os_seek(e->host, 0, 1, &pos))) return err;
  return wasi_put64(vm, offset, pos);
}

static uint32_t sync_fd(uint32_t fd, uint64_t right, bool data_only) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_simple(b, right, WASI_ESUCCESS);
  uint32_t err;
  wasi_fd *e = wasi_file_fd(fd, right, WASI_EBADF, &err);
  if (!e) return err;
  return w2e_os_sync(e->host, data_only);
}

uint32_t w2e_wasi_fd_sync(w2e_vmctx *vm, uint32_t fd) {
  return sync_fd(fd, WASI_RIGHT_FD_SYNC, false);
}

uint32_t w2e_wasi_fd_datasync(w2e_vmctx *vm, uint32_t fd) {
  return sync_fd(fd, WASI_RIGHT_FD_DATASYNC, true);
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
  wasi_fd *e = wasi_file_fd(fd, WASI_RIGHT_FD_ADVISE, WASI_EBADF, &err);
  if (!e) return err;
  if (offset > INT64_MAX || len > INT64_MAX) return WASI_EINVAL;
  return w2e_os_advise(e->host, offset, len, advice);
}

/* As wasmtime: notsup for every open file, whatever its rights, and nothing changes (files
 * grow through writes and fd_filestat_set_size). Other fds are badf. */
uint32_t w2e_wasi_fd_allocate(w2e_vmctx *vm, uint32_t fd, uint64_t offset, uint64_t len) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_simple(b, 0, WASI_ENOTSUP);
  uint32_t err;
  wasi_fd *e = wasi_file_fd(fd, 0, WASI_EBADF, &err);
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
  w2e_filestat st;
  if ((err = w2e_os_fstat(e->host, &st))) return err;
  wasi_put_filestat(p, &st);
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_fd_filestat_set_size(w2e_vmctx *vm, uint32_t fd, uint64_t size) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_simple(b, 0, WASI_EINVAL); /* as a file opened read-only */
  uint32_t err;
  wasi_fd *e = wasi_file_fd(fd, 0, WASI_EBADF, &err);
  if (!e) return err;
  /* Without the right: what ftruncate says for a file not open for writing (as wasmtime). */
  if (!(e->base & WASI_RIGHT_FD_FILESTAT_SET_SIZE)) return WASI_EINVAL;
  if (size > INT64_MAX) return WASI_EINVAL;
  return w2e_os_set_size(e->host, size);
}

uint32_t w2e_wasi_fd_filestat_set_times(w2e_vmctx *vm, uint32_t fd, uint64_t atim, uint64_t mtim,
                                        uint32_t flags) {
  w2e_times t;
  if (!wasi_times_of(atim, mtim, flags, &t)) return WASI_EINVAL;
  if (wasi_bundle_fd(fd)) return WASI_EROFS;
  uint32_t err;
  wasi_fd *e = wasi_fd_get(fd, 0, &err);
  if (!e) return err;
  if (e->kind == WASI_FD_STDIO) return WASI_EBADF;
  if (!(e->base & WASI_RIGHT_FD_FILESTAT_SET_TIMES)) return WASI_ENOTCAPABLE;
  return w2e_os_set_times(e->host, &t);
}

