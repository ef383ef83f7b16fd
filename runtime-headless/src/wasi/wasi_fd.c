/*
 * wasi_fd.c: the guest's fd table (stdio, preopened directories, opened files and
 * directories, sockets) with each fd's rights, and the calls that manage it: fd_close,
 * fd_renumber, fd_fdstat_get/set_flags/set_rights, fd_prestat_get/dir_name.
 *
 * Numbering follows wasmtime: a new fd takes the highest number that was closed, or one past
 * the highest number ever used.
 */
#include "wasi/wasi_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FDS (1u << 20)

static wasi_fd *table;
static uint32_t used;     /* one past the highest number ever used */
static uint32_t capacity;

wasi_fd *wasi_fd_get(uint32_t fd, uint64_t rights, uint32_t *err) {
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

wasi_fd *wasi_dir_fd(uint32_t fd, uint64_t rights, uint32_t file_err, uint32_t *err) {
  wasi_fd *e = wasi_fd_get(fd, 0, err);
  if (!e) return NULL;
  if (e->kind != WASI_FD_DIR) {
    *err = e->kind == WASI_FD_FILE ? file_err : WASI_EBADF;
    return NULL;
  }
  if ((e->base & rights) != rights) {
    *err = WASI_ENOTCAPABLE;
    return NULL;
  }
  return e;
}

uint32_t wasi_fd_insert(const wasi_fd *entry, uint32_t *fd_out) {
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
      wasi_fd *t = realloc(table, (size_t)cap * sizeof *t);
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

void wasi_fd_release(wasi_fd *e) {
  w2e_os_release(e->host, &e->os, e->kind != WASI_FD_STDIO && e->host != W2E_NO_HANDLE);
  free(e->preopen);
  memset(e, 0, sizeof *e);
  e->kind = WASI_FD_FREE;
}

void wasi_fd_init_stdio(void) {
  for (int i = 0; i < 3; i++) {
    wasi_fd e;
    memset(&e, 0, sizeof e);
    e.kind = WASI_FD_STDIO;
    bool terminal;
    e.host = w2e_os_stdio(i, &terminal);
    /* As wasmtime: a character device when it is a terminal, else unknown. */
    e.filetype = terminal ? WASI_FILETYPE_CHARACTER_DEVICE : WASI_FILETYPE_UNKNOWN;
    e.base = (i == 0 ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE) | WASI_RIGHT_POLL_FD_READWRITE |
             WASI_RIGHT_FD_FILESTAT_GET;
    e.inheriting = 0;
    uint32_t fd;
    wasi_fd_insert(&e, &fd);
  }
}

const char *wasi_fd_add_preopen(const char *host, const char *guest) {
  wasi_fd e;
  memset(&e, 0, sizeof e);
  const char *why = w2e_os_open_grant(host, &e.host, &e.os);
  if (why) return why;
  e.kind = WASI_FD_DIR;
  e.filetype = WASI_FILETYPE_DIRECTORY;
  e.base = WASI_RIGHTS_DIR_BASE;
  e.inheriting = WASI_RIGHTS_DIR_INHERITING;
  e.preopen = strdup(guest);
  uint32_t fd;
  if (e.preopen && wasi_fd_insert(&e, &fd) == WASI_ESUCCESS) return NULL;
  wasi_fd_release(&e);
  return "out of memory";
}

uint32_t w2e_wasi_fd_close(w2e_vmctx *vm, uint32_t fd) {
  uint32_t err;
  wasi_fd *e = wasi_fd_get(fd, 0, &err);
  if (!e) return err;
  wasi_fd_release(e);
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_fd_renumber(w2e_vmctx *vm, uint32_t from, uint32_t to) {
  uint32_t err;
  wasi_fd *dst = wasi_fd_get(to, 0, &err);
  if (!dst) return err;
  wasi_fd *src = wasi_fd_get(from, 0, &err);
  if (!src) return err;
  if (from == to) return WASI_ESUCCESS;
  wasi_fd_release(dst);
  *dst = *src;
  memset(src, 0, sizeof *src);
  src->kind = WASI_FD_FREE;
  return WASI_ESUCCESS;
}

/* fdstat: u8 filetype, u16 flags at 2, u64 rights_base at 8, u64 rights_inheriting at 16. */
uint32_t w2e_wasi_fd_fdstat_get(w2e_vmctx *vm, uint32_t fd, uint32_t stat) {
  uint32_t err;
  wasi_fd *e = wasi_fd_get(fd, 0, &err);
  if (!e) return err;
  uint8_t *p = wasi_guest(vm, stat, 24);
  if (!p) return WASI_EFAULT;
  uint64_t base = e->base, inheriting = e->inheriting;
  if (e->kind == WASI_FD_STDIO) { /* report what wasmtime reports */
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
  wasi_fd *e = wasi_fd_get(fd, 0, &err);
  if (!e) return err;
  /* As wasmtime: only files, and only APPEND and NONBLOCK can change. */
  if (e->kind != WASI_FD_FILE && e->kind != WASI_FD_BUNDLE_FILE) return WASI_EBADF;
  if (!(e->base & WASI_RIGHT_FD_FDSTAT_SET_FLAGS)) return WASI_ENOTCAPABLE;
  if (flags & (WASI_FDFLAG_DSYNC | WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC)) return WASI_EINVAL;
  if (e->kind == WASI_FD_BUNDLE_FILE) { /* recorded only: nothing is ever written */
    e->fdflags = (uint16_t)((e->fdflags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)) | flags);
    return WASI_ESUCCESS;
  }
  if ((err = w2e_os_set_append(e->host, flags & WASI_FDFLAG_APPEND))) return err;
  /* NONBLOCK is recorded only: reads and writes of files never block for long anyway. */
  e->fdflags = (uint16_t)((e->fdflags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)) | flags);
  return WASI_ESUCCESS;
}

/* As wasmtime: notsup for every file, directory and socket, so rights never change after
 * path_open (they are still enforced as path_open set them); stdio and missing fds are badf. */
uint32_t w2e_wasi_fd_fdstat_set_rights(w2e_vmctx *vm, uint32_t fd, uint64_t base,
                                       uint64_t inheriting) {
  if ((base | inheriting) & ~WASI_RIGHTS_ALL) return WASI_EINVAL;
  uint32_t err;
  wasi_fd *e = wasi_fd_get(fd, 0, &err);
  if (!e) return err;
  return e->kind == WASI_FD_STDIO ? WASI_EBADF : WASI_ENOTSUP;
}

/* prestat: u8 tag (0: dir) then u32 pr_name_len at 4. */
uint32_t w2e_wasi_fd_prestat_get(w2e_vmctx *vm, uint32_t fd, uint32_t prestat) {
  uint32_t err;
  wasi_fd *e = wasi_fd_get(fd, 0, &err);
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
  wasi_fd *e = wasi_fd_get(fd, 0, &err);
  if (!e) return err;
  if (!e->preopen) return WASI_ENOTDIR;
  size_t n = strlen(e->preopen);
  if (n > len) return WASI_ENAMETOOLONG;
  uint8_t *p = wasi_guest(vm, path, n);
  if (!p) return WASI_EFAULT;
  memcpy(p, e->preopen, n);
  return WASI_ESUCCESS;
}

