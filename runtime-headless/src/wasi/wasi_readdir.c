/*
 * wasi_readdir.c: fd_readdir, and the dirent records every listing writes (host directories
 * through the platform, bundles from the blob).
 *
 * Cookies: "." is entry 0 and ".." entry 1 (the d_next of each is its cookie + 1), the
 * directory's own entries follow from cookie 2 in the order the platform lists them. As
 * wasmtime, a partial entry fills the buffer, and the guest knows the buffer was full when
 * bufused equals its length.
 */
#include "wasi/wasi_internal.h"

#include <string.h>

/* dirent: u64 d_next, u64 d_ino, u32 d_namlen, u8 d_type (24 bytes), then the name. */
#define DIRENT_SIZE 24u

bool w2e_dirent_put(w2e_dirents *d, uint64_t next, uint64_t ino, uint8_t type, const char *name,
                    size_t namelen) {
  uint8_t rec[DIRENT_SIZE];
  memset(rec, 0, sizeof rec);
  wasi_store64(rec, next);
  wasi_store64(rec + 8, ino);
  wasi_store32(rec + 16, (uint32_t)namelen);
  rec[20] = type;
  uint32_t n = d->len - d->used < DIRENT_SIZE ? d->len - d->used : DIRENT_SIZE;
  memcpy(d->buf + d->used, rec, n);
  d->used += n;
  if (d->used == d->len) return false;
  n = d->len - d->used < namelen ? d->len - d->used : (uint32_t)namelen;
  memcpy(d->buf + d->used, name, n);
  d->used += n;
  return d->used < d->len;
}

bool w2e_dirent_fits(uint32_t room, size_t namelen) { return room >= DIRENT_SIZE + namelen; }

bool wasi_dirents_start(w2e_dirents *d, uint64_t cookie, uint64_t self_ino) {
  bool room = d->len > 0;
  if (room && cookie == 0)
    room = w2e_dirent_put(d, 1, self_ino, WASI_FILETYPE_DIRECTORY, ".", 1);
  if (room && cookie <= 1)
    room = w2e_dirent_put(d, 2, self_ino, WASI_FILETYPE_DIRECTORY, "..", 2);
  return room;
}

uint32_t w2e_wasi_fd_readdir(w2e_vmctx *vm, uint32_t fd, uint32_t buf, uint32_t buf_len,
                             uint64_t cookie, uint32_t bufused) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_readdir(vm, b, buf, buf_len, cookie, bufused);
  uint32_t err;
  wasi_fd *e = wasi_dir_fd(fd, WASI_RIGHT_FD_READDIR, WASI_EBADF, &err);
  if (!e) return err;
  uint8_t *out = wasi_guest(vm, buf, buf_len);
  if (!out || !wasi_guest(vm, bufused, 4)) return WASI_EFAULT;
  w2e_filestat self;
  if ((err = w2e_os_fstat(e->host, &self))) return err;
  w2e_dirents d = {out, buf_len, 0};
  if (wasi_dirents_start(&d, cookie, self.ino) &&
      (err = w2e_os_readdir(e->host, &e->os, cookie < 2 ? 2 : cookie, &d)))
    return err;
  return wasi_put32(vm, bufused, d.used);
}
