/*
 * wasi_paths.c: path_open and the other path_* calls: their flags, bundles, the directory fd
 * and its rights, and the guest path strings, written once. What a path names is found by the
 * portable walk (wasi_resolve.c), which keeps every one beneath the directory (wasi/sandbox.h,
 * point 4), and then acted on by the platform (w2e_os_*_at in platform.h).
 *
 * As wasmtime: a directory fd that is a file gives notdir, any other kind badf; following a
 * symlink source in path_link is not supported (inval).
 */
#include "wasi/wasi_internal.h"

#include <stdlib.h>
#include <string.h>

/* Reads guest path (ptr, len) for an operation on directory fd `fd` needing `rights`. */
static uint32_t dir_path(w2e_vmctx *vm, uint32_t fd, uint64_t rights, uint32_t ptr, uint32_t len,
                         wasi_fd **dir, char **path) {
  uint32_t err;
  *path = NULL;
  if (!(*dir = wasi_dir_fd(fd, rights, WASI_ENOTDIR, &err))) return err;
  return wasi_guest_string(vm, ptr, len, path);
}

/* Reads and resolves guest path (ptr, len) beneath directory fd `fd` needing `rights`. */
static uint32_t dir_place(w2e_vmctx *vm, uint32_t fd, uint64_t rights, uint32_t ptr,
                          uint32_t len, bool follow, w2e_place *at) {
  wasi_fd *dir;
  char *s;
  memset(at, 0, sizeof *at);
  uint32_t err = dir_path(vm, fd, rights, ptr, len, &dir, &s);
  if (!err) err = wasi_resolve(dir, s, follow, at);
  free(s);
  return err;
}

uint32_t w2e_wasi_path_open(w2e_vmctx *vm, uint32_t fd, uint32_t dirflags, uint32_t path,
                            uint32_t path_len, uint32_t oflags, uint64_t base,
                            uint64_t inheriting, uint32_t fdflags, uint32_t fd_out) {
  if ((dirflags & ~1u) || (oflags & ~(uint32_t)WASI_OFLAGS_ALL) ||
      (fdflags & ~(uint32_t)WASI_FDFLAGS_ALL) || ((base | inheriting) & ~WASI_RIGHTS_ALL))
    return WASI_EINVAL;
  uint32_t err;
  wasi_fd *dir = wasi_fd_get(fd, 0, &err);
  if (!dir) return err;
  if (wasi_bundle_fd(fd))
    return wasi_bundle_path_open(vm, dir, path, path_len, oflags, base, inheriting, fdflags, fd_out);
  if (dir->kind != WASI_FD_DIR) return dir->kind == WASI_FD_FILE ? WASI_ENOTDIR : WASI_EBADF;
  uint64_t needed = WASI_RIGHT_PATH_OPEN | (oflags & WASI_OFLAG_CREAT ? WASI_RIGHT_PATH_CREATE_FILE : 0);
  if ((dir->base & needed) != needed) return WASI_ENOTCAPABLE;
  if (!wasi_guest(vm, fd_out, 4)) return WASI_EFAULT;
  /* As wasmtime: a directory is neither created, nor exclusive, nor truncated. */
  if ((oflags & WASI_OFLAG_DIRECTORY) &&
      (oflags & (WASI_OFLAG_CREAT | WASI_OFLAG_EXCL | WASI_OFLAG_TRUNC)))
    return WASI_EINVAL;
  char *s;
  if ((err = wasi_guest_string(vm, path, path_len, &s))) return err;
  bool follow = dirflags & WASI_LOOKUP_SYMLINK_FOLLOW;
  w2e_place at;
  err = wasi_resolve(dir, s, follow, &at);
  free(s);
  if (err) return err;
  wasi_fd ne;
  memset(&ne, 0, sizeof ne);
  ne.host = W2E_NO_HANDLE;
  err = w2e_os_open_at(&at, follow, oflags, fdflags, base, &ne);
  wasi_place_free(&at);
  if (err) return err;
  bool is_dir = ne.kind == WASI_FD_DIR;
  ne.fdflags = (uint16_t)(is_dir ? fdflags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK) : fdflags);
  ne.base = base & dir->inheriting & (is_dir ? ~WASI_RIGHTS_NOT_DIR : ~(uint64_t)0);
  ne.inheriting = inheriting & dir->inheriting;
  uint32_t nfd;
  if ((err = wasi_fd_insert(&ne, &nfd))) {
    wasi_fd_release(&ne);
    return err;
  }
  return wasi_put32(vm, fd_out, nfd);
}

uint32_t w2e_wasi_path_create_directory(w2e_vmctx *vm, uint32_t fd, uint32_t path, uint32_t len) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_mutate(vm, b, path, len, true);
  w2e_place at;
  uint32_t err = dir_place(vm, fd, WASI_RIGHT_PATH_CREATE_DIRECTORY, path, len, false, &at);
  if (!err) err = w2e_os_mkdir_at(&at);
  wasi_place_free(&at);
  return err;
}

uint32_t w2e_wasi_path_filestat_get(w2e_vmctx *vm, uint32_t fd, uint32_t flags, uint32_t path,
                                    uint32_t len, uint32_t buf) {
  if (flags & ~1u) return WASI_EINVAL;
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_filestat_get(vm, b, path, len, buf);
  bool follow = flags & WASI_LOOKUP_SYMLINK_FOLLOW;
  w2e_place at;
  w2e_filestat st;
  uint32_t err = dir_place(vm, fd, WASI_RIGHT_PATH_FILESTAT_GET, path, len, follow, &at);
  if (!err) err = w2e_os_stat_at(&at, follow, &st);
  wasi_place_free(&at);
  if (err) return err;
  uint8_t *p = wasi_guest(vm, buf, 64);
  if (!p) return WASI_EFAULT;
  wasi_put_filestat(p, &st);
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_path_filestat_set_times(w2e_vmctx *vm, uint32_t fd, uint32_t flags,
                                          uint32_t path, uint32_t len, uint64_t atim,
                                          uint64_t mtim, uint32_t fst_flags) {
  w2e_times t;
  if ((flags & ~1u) || !wasi_times_of(atim, mtim, fst_flags, &t)) return WASI_EINVAL;
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_mutate(vm, b, path, len, false);
  bool follow = flags & WASI_LOOKUP_SYMLINK_FOLLOW;
  w2e_place at;
  uint32_t err = dir_place(vm, fd, WASI_RIGHT_PATH_FILESTAT_SET_TIMES, path, len, follow, &at);
  if (!err) err = w2e_os_set_times_at(&at, follow, &t);
  wasi_place_free(&at);
  return err;
}

/* The calls that name one existing entry to remove. */
static uint32_t remove_entry(w2e_vmctx *vm, uint32_t fd, uint64_t right, uint32_t path,
                             uint32_t len, uint32_t (*remove)(const w2e_place *)) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_mutate(vm, b, path, len, false);
  w2e_place at;
  uint32_t err = dir_place(vm, fd, right, path, len, false, &at);
  if (!err) err = remove(&at);
  wasi_place_free(&at);
  return err;
}

uint32_t w2e_wasi_path_unlink_file(w2e_vmctx *vm, uint32_t fd, uint32_t path, uint32_t len) {
  return remove_entry(vm, fd, WASI_RIGHT_PATH_UNLINK_FILE, path, len, w2e_os_unlink_at);
}

uint32_t w2e_wasi_path_remove_directory(w2e_vmctx *vm, uint32_t fd, uint32_t path, uint32_t len) {
  return remove_entry(vm, fd, WASI_RIGHT_PATH_REMOVE_DIRECTORY, path, len, w2e_os_rmdir_at);
}

/* path_rename and path_link: two (directory, path) pairs, both read before either is
 * resolved. Neither last component is followed unless link's path ends in '/'; rename takes
 * trailing slashes off first and only notes them, as cap-std (on some hosts "link/" would
 * follow the link). */
static uint32_t two_paths(w2e_vmctx *vm, uint32_t old_fd, uint64_t old_right, uint32_t old_path,
                          uint32_t old_len, uint32_t new_fd, uint64_t new_right, uint32_t new_path,
                          uint32_t new_len, bool renaming,
                          uint32_t (*op)(const w2e_place *, const w2e_place *)) {
  if (wasi_bundle_fd(old_fd) || wasi_bundle_fd(new_fd))
    return wasi_bundle_path_pair(vm, old_fd, old_path, old_len, new_fd, new_path, new_len);
  wasi_fd *from, *to;
  char *a, *b = NULL;
  w2e_place pa, pb;
  memset(&pa, 0, sizeof pa);
  memset(&pb, 0, sizeof pb);
  uint32_t err = dir_path(vm, old_fd, old_right, old_path, old_len, &from, &a);
  if (!err) err = dir_path(vm, new_fd, new_right, new_path, new_len, &to, &b);
  if (!err) err = renaming ? wasi_resolve_unfollowed(from, a, &pa) : wasi_resolve(from, a, false, &pa);
  if (!err) err = renaming ? wasi_resolve_unfollowed(to, b, &pb) : wasi_resolve(to, b, false, &pb);
  if (!err) err = op(&pa, &pb);
  wasi_place_free(&pa);
  wasi_place_free(&pb);
  free(a);
  free(b);
  return err;
}

uint32_t w2e_wasi_path_rename(w2e_vmctx *vm, uint32_t fd, uint32_t old_path, uint32_t old_len,
                              uint32_t new_fd, uint32_t new_path, uint32_t new_len) {
  return two_paths(vm, fd, WASI_RIGHT_PATH_RENAME_SOURCE, old_path, old_len, new_fd,
                   WASI_RIGHT_PATH_RENAME_TARGET, new_path, new_len, true, w2e_os_rename_at);
}

uint32_t w2e_wasi_path_link(w2e_vmctx *vm, uint32_t old_fd, uint32_t old_flags, uint32_t old_path,
                            uint32_t old_len, uint32_t new_fd, uint32_t new_path, uint32_t new_len) {
  if (old_flags) return WASI_EINVAL; /* as wasmtime: following a symlink source is not supported */
  return two_paths(vm, old_fd, WASI_RIGHT_PATH_LINK_SOURCE, old_path, old_len, new_fd,
                   WASI_RIGHT_PATH_LINK_TARGET, new_path, new_len, false, w2e_os_link_at);
}

uint32_t w2e_wasi_path_symlink(w2e_vmctx *vm, uint32_t old_path, uint32_t old_len, uint32_t fd,
                               uint32_t new_path, uint32_t new_len) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_mutate(vm, b, new_path, new_len, true);
  char *target;
  uint32_t err = wasi_guest_string(vm, old_path, old_len, &target);
  if (err) return err;
  wasi_fd *dir;
  char *s = NULL;
  w2e_place at;
  memset(&at, 0, sizeof at);
  if (!(err = dir_path(vm, fd, WASI_RIGHT_PATH_SYMLINK, new_path, new_len, &dir, &s))) {
    /* As wasmtime: an absolute target could only point outside. A relative one may point
     * anywhere: resolution refuses to follow it out. */
    if (target[0] == '/') err = WASI_EPERM;
    else if (!(err = wasi_resolve(dir, s, false, &at))) err = w2e_os_symlink_at(target, &at);
  }
  wasi_place_free(&at);
  free(s);
  free(target);
  return err;
}

uint32_t w2e_wasi_path_readlink(w2e_vmctx *vm, uint32_t fd, uint32_t path, uint32_t len,
                                uint32_t buf, uint32_t buf_len, uint32_t bufused) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_readlink(vm, b, path, len, buf, buf_len, bufused);
  uint8_t *out = wasi_guest(vm, buf, buf_len);
  if (!wasi_guest(vm, bufused, 4)) out = NULL;
  w2e_place at;
  char *target = NULL;
  uint32_t err = dir_place(vm, fd, WASI_RIGHT_PATH_READLINK, path, len, false, &at);
  if (!err) err = out ? w2e_os_readlink_at(&at.dir, at.name, &target) : WASI_EFAULT;
  wasi_place_free(&at);
  if (err) return err;
  size_t n = strlen(target);
  if (n > buf_len) n = buf_len; /* cut short, as wasmtime */
  memcpy(out, target, n);
  free(target);
  return wasi_put32(vm, bufused, (uint32_t)n);
}
