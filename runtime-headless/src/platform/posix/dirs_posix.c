/*
 * platform/posix/dirs_posix.c: the path_* calls on POSIX. Every path is resolved by
 * wasi_resolve() (path_posix.c) and the operation then acts on (directory fd, last
 * component) with *at() calls that never follow the last component themselves.
 */
#include "platform/posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads the guest path and resolves it under directory fd `fd`. */
static uint32_t resolve_at(w2e_vmctx *vm, uint32_t fd, uint64_t rights, uint32_t path,
                           uint32_t len, bool follow, wasi_resolved *r) {
  memset(r, 0, sizeof *r);
  r->dirfd = -1;
  uint32_t err;
  wasi_fd *e = wasi_dir_fd(fd, rights, WASI_EBADF, &err);
  if (!e) return err;
  char *s;
  if ((err = wasi_guest_string(vm, path, len, &s))) return err;
  err = wasi_resolve(e, s, follow, r);
  free(s);
  return err;
}

/* Reads and resolves a guest path as cap-std's rename does: trailing slashes are taken off
 * first, so the last component is never followed (a symlink there names itself, wherever it
 * points), and only noted in `trailing_slash` for the caller to apply the host's rule. The
 * slash is not passed on: on some hosts "link/" would follow the link. */
static uint32_t resolve_unfollowed(w2e_vmctx *vm, uint32_t fd, uint64_t rights, uint32_t path,
                                   uint32_t len, wasi_resolved *r) {
  memset(r, 0, sizeof *r);
  r->dirfd = -1;
  uint32_t err;
  wasi_fd *e = wasi_dir_fd(fd, rights, WASI_EBADF, &err);
  if (!e) return err;
  char *s;
  if ((err = wasi_guest_string(vm, path, len, &s))) return err;
  size_t n = strlen(s);
  bool slash = false;
  while (n > 1 && s[n - 1] == '/') { /* "/" itself stays: it is absolute */
    s[--n] = 0;
    slash = true;
  }
  err = wasi_resolve(e, s, false, r);
  free(s);
  if (!err && slash) r->trailing_slash = true;
  return err;
}

/* ---- path_open ---- */

/* True when the resolved last component is a symlink (which resolution left unfollowed). */
static bool is_symlink(const wasi_resolved *r) {
  struct stat st;
  return fstatat(r->dirfd, r->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
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
  wasi_resolved r;
  if ((err = resolve_at(vm, fd, WASI_RIGHT_PATH_OPEN, path, path_len,
                        dirflags & WASI_LOOKUP_SYMLINK_FOLLOW, &r)))
    return err;
  bool rd = base & WASI_RIGHT_FD_READ, wr = base & WASI_RIGHT_FD_WRITE;
  int flags = (rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC;
  if (oflags & WASI_OFLAG_CREAT) flags |= O_CREAT;
  if (oflags & WASI_OFLAG_EXCL) flags |= O_EXCL;
  if (oflags & WASI_OFLAG_TRUNC) flags |= O_TRUNC;
  if ((oflags & WASI_OFLAG_DIRECTORY) || r.trailing_slash) flags |= O_DIRECTORY;
  if (fdflags & WASI_FDFLAG_APPEND) flags |= O_APPEND;
  if (fdflags & WASI_FDFLAG_DSYNC) flags |= O_DSYNC;
  if (fdflags & WASI_FDFLAG_SYNC) flags |= O_SYNC;
#ifdef O_RSYNC
  if (fdflags & WASI_FDFLAG_RSYNC) flags |= O_RSYNC;
#endif
  int host;
  if (r.trailing_slash && (flags & O_CREAT)) {
    /* "name/" can only be an existing directory, which O_CREAT cannot open. */
    struct stat st;
    host = -1;
    errno = fstatat(r.dirfd, r.name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)
                ? ENOTDIR
                : EISDIR;
  } else {
    do host = openat(r.dirfd, r.name, flags, 0666);
    while (host < 0 && errno == EINTR);
  }
  int open_errno = errno;
  if (host < 0 && open_errno == ENOTDIR && (flags & O_DIRECTORY) && is_symlink(&r))
    open_errno = ELOOP; /* as without O_DIRECTORY: a symlink not followed (wasmtime) */
  wasi_resolved_free(&r);
  if (host < 0) return wasi_errno(open_errno);
  struct stat st;
  if (fstat(host, &st) != 0) {
    int er = errno;
    close(host);
    return wasi_errno(er);
  }
  wasi_fd ne;
  memset(&ne, 0, sizeof ne);
  ne.kind = S_ISDIR(st.st_mode) ? WASI_FD_DIR : WASI_FD_FILE;
  ne.filetype = wasi_filetype_of_mode(st.st_mode);
  ne.host = host;
  ne.fdflags = (uint16_t)(ne.kind == WASI_FD_DIR ? fdflags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)
                                                  : fdflags);
  ne.base = base & dir->inheriting & (ne.kind == WASI_FD_DIR ? ~WASI_RIGHTS_NOT_DIR : ~(uint64_t)0);
  ne.inheriting = inheriting & dir->inheriting;
  uint32_t nfd;
  if ((err = wasi_fd_insert(&ne, &nfd))) {
    close(host);
    return err;
  }
  return wasi_put32(vm, fd_out, nfd);
}

/* ---- The other path calls ---- */

uint32_t w2e_wasi_path_create_directory(w2e_vmctx *vm, uint32_t fd, uint32_t path, uint32_t len) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_mutate(vm, b, path, len, true);
  wasi_resolved r;
  uint32_t err = resolve_at(vm, fd, WASI_RIGHT_PATH_CREATE_DIRECTORY, path, len, false, &r);
  if (err) return err;
  int rc = mkdirat(r.dirfd, r.name, 0777);
  err = rc == 0 ? WASI_ESUCCESS : wasi_errno(errno);
  wasi_resolved_free(&r);
  return err;
}

/* fstatat of a resolved path; a trailing slash requires a directory. */
static uint32_t stat_resolved(const wasi_resolved *r, struct stat *st) {
  if (fstatat(r->dirfd, r->name, st, AT_SYMLINK_NOFOLLOW) != 0) return wasi_errno(errno);
  if (r->trailing_slash && !S_ISDIR(st->st_mode)) return WASI_ENOTDIR;
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_path_filestat_get(w2e_vmctx *vm, uint32_t fd, uint32_t flags, uint32_t path,
                                    uint32_t len, uint32_t buf) {
  if (flags & ~1u) return WASI_EINVAL;
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_filestat_get(vm, b, path, len, buf);
  wasi_resolved r;
  uint32_t err = resolve_at(vm, fd, WASI_RIGHT_PATH_FILESTAT_GET, path, len,
                            flags & WASI_LOOKUP_SYMLINK_FOLLOW, &r);
  if (err) return err;
  struct stat st;
  err = stat_resolved(&r, &st);
  wasi_resolved_free(&r);
  if (err) return err;
  uint8_t *p = wasi_guest(vm, buf, 64);
  if (!p) return WASI_EFAULT;
  w2e_filestat fs;
  posix_filestat(&st, &fs);
  wasi_put_filestat(p, &fs);
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_path_filestat_set_times(w2e_vmctx *vm, uint32_t fd, uint32_t flags,
                                          uint32_t path, uint32_t len, uint64_t atim,
                                          uint64_t mtim, uint32_t fst_flags) {
  if (flags & ~1u) return WASI_EINVAL;
  struct timespec ts[2];
  uint32_t err = wasi_timespecs(atim, mtim, fst_flags, ts);
  if (err) return err;
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_mutate(vm, b, path, len, false);
  wasi_resolved r;
  err = resolve_at(vm, fd, WASI_RIGHT_PATH_FILESTAT_SET_TIMES, path, len,
                   flags & WASI_LOOKUP_SYMLINK_FOLLOW, &r);
  if (err) return err;
  struct stat st;
  err = stat_resolved(&r, &st);
  if (!err && utimensat(r.dirfd, r.name, ts, AT_SYMLINK_NOFOLLOW) != 0) err = wasi_errno(errno);
  wasi_resolved_free(&r);
  return err;
}

/* What linkat says of a new name "name/" (resolved, symlinks followed): it cannot be created
 * with the slash, so noent when it is missing, else exist for a directory and notdir for the
 * rest (as wasmtime, which passes the slash on). */
static uint32_t slash_target_error(const wasi_resolved *r) {
  struct stat st;
  if (fstatat(r->dirfd, r->name, &st, AT_SYMLINK_NOFOLLOW) != 0) return wasi_errno(errno);
  return S_ISDIR(st.st_mode) ? WASI_EEXIST : WASI_ENOTDIR;
}

uint32_t w2e_wasi_path_link(w2e_vmctx *vm, uint32_t old_fd, uint32_t old_flags, uint32_t old_path,
                            uint32_t old_len, uint32_t new_fd, uint32_t new_path, uint32_t new_len) {
  /* As wasmtime: following a symlink source is not supported. */
  if (old_flags) return WASI_EINVAL;
  if (wasi_bundle_fd(old_fd) || wasi_bundle_fd(new_fd))
    return wasi_bundle_path_pair(vm, old_fd, old_path, old_len, new_fd, new_path, new_len);
  wasi_resolved a, b;
  uint32_t err = resolve_at(vm, old_fd, WASI_RIGHT_PATH_LINK_SOURCE, old_path, old_len,
                            old_flags & WASI_LOOKUP_SYMLINK_FOLLOW, &a);
  if (err) return err;
  err = resolve_at(vm, new_fd, WASI_RIGHT_PATH_LINK_TARGET, new_path, new_len, false, &b);
  if (!err) {
    struct stat st;
    err = stat_resolved(&a, &st);
    if (!err && b.trailing_slash) err = slash_target_error(&b);
    if (!err && linkat(a.dirfd, a.name, b.dirfd, b.name, 0) != 0) err = wasi_errno(errno);
    wasi_resolved_free(&b);
  }
  wasi_resolved_free(&a);
  return err;
}

uint32_t w2e_wasi_path_readlink(w2e_vmctx *vm, uint32_t fd, uint32_t path, uint32_t len,
                                uint32_t buf, uint32_t buf_len, uint32_t bufused) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_readlink(vm, b, path, len, buf, buf_len, bufused);
  uint8_t *out = wasi_guest(vm, buf, buf_len);
  wasi_resolved r;
  uint32_t err = resolve_at(vm, fd, WASI_RIGHT_PATH_READLINK, path, len, false, &r);
  if (err) return err;
  if (!out || !wasi_guest(vm, bufused, 4)) {
    wasi_resolved_free(&r);
    return WASI_EFAULT;
  }
  char tmp[4096];
  ssize_t n = readlinkat(r.dirfd, r.name, tmp, sizeof tmp);
  err = n < 0 ? wasi_errno(errno) : WASI_ESUCCESS;
  wasi_resolved_free(&r);
  if (err) return err;
  if ((size_t)n > buf_len) n = buf_len; /* truncated, as wasmtime */
  memcpy(out, tmp, (size_t)n);
  return wasi_put32(vm, bufused, (uint32_t)n);
}

uint32_t w2e_wasi_path_remove_directory(w2e_vmctx *vm, uint32_t fd, uint32_t path, uint32_t len) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_mutate(vm, b, path, len, false);
  wasi_resolved r;
  uint32_t err = resolve_at(vm, fd, WASI_RIGHT_PATH_REMOVE_DIRECTORY, path, len, false, &r);
  if (err) return err;
  struct stat st;
  if (r.trailing_slash) /* as wasmtime (cap-std removes "dir/" as "dir/."): inval */
    err = (err = stat_resolved(&r, &st)) ? err : WASI_EINVAL;
  else if (unlinkat(r.dirfd, r.name, AT_REMOVEDIR) != 0)
    err = wasi_errno(errno);
  wasi_resolved_free(&r);
  return err;
}

uint32_t w2e_wasi_path_rename(w2e_vmctx *vm, uint32_t fd, uint32_t old_path, uint32_t old_len,
                              uint32_t new_fd, uint32_t new_path, uint32_t new_len) {
  if (wasi_bundle_fd(fd) || wasi_bundle_fd(new_fd))
    return wasi_bundle_path_pair(vm, fd, old_path, old_len, new_fd, new_path, new_len);
  wasi_resolved a, b;
  uint32_t err = resolve_unfollowed(vm, fd, WASI_RIGHT_PATH_RENAME_SOURCE, old_path, old_len, &a);
  if (err) return err;
  err = resolve_unfollowed(vm, new_fd, WASI_RIGHT_PATH_RENAME_TARGET, new_path, new_len, &b);
  if (!err) {
    /* Linux's rule for slashes: the source must then be a directory. A target that is not
     * one (a symlink included) fails in renameat itself, with notdir. */
    struct stat st;
    if (a.trailing_slash || b.trailing_slash) {
      err = stat_resolved(&a, &st);
      if (!err && !S_ISDIR(st.st_mode)) err = WASI_ENOTDIR;
    }
    if (!err && renameat(a.dirfd, a.name, b.dirfd, b.name) != 0) err = wasi_errno(errno);
    wasi_resolved_free(&b);
  }
  wasi_resolved_free(&a);
  return err;
}

uint32_t w2e_wasi_path_symlink(w2e_vmctx *vm, uint32_t old_path, uint32_t old_len, uint32_t fd,
                               uint32_t new_path, uint32_t new_len) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_mutate(vm, b, new_path, new_len, true);
  char *target;
  uint32_t err = wasi_guest_string(vm, old_path, old_len, &target);
  if (err) return err;
  if (target[0] == '/') { /* as wasmtime: a link that could only point outside */
    free(target);
    return wasi_dir_fd(fd, WASI_RIGHT_PATH_SYMLINK, WASI_EBADF, &err) ? WASI_EPERM : err;
  }
  wasi_resolved r;
  err = resolve_at(vm, fd, WASI_RIGHT_PATH_SYMLINK, new_path, new_len, false, &r);
  if (!err) {
    /* A relative target may climb out: resolution refuses to follow it there. */
    if (r.trailing_slash) {
      struct stat st;
      err = fstatat(r.dirfd, r.name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? WASI_EEXIST : WASI_ENOENT;
    } else if (symlinkat(target, r.dirfd, r.name) != 0) {
      err = wasi_errno(errno);
    }
    wasi_resolved_free(&r);
  }
  free(target);
  return err;
}

uint32_t w2e_wasi_path_unlink_file(w2e_vmctx *vm, uint32_t fd, uint32_t path, uint32_t len) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_path_mutate(vm, b, path, len, false);
  wasi_resolved r;
  uint32_t err = resolve_at(vm, fd, WASI_RIGHT_PATH_UNLINK_FILE, path, len, false, &r);
  if (err) return err;
  struct stat st;
  if (r.trailing_slash && fstatat(r.dirfd, r.name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    err = S_ISDIR(st.st_mode) ? WASI_EISDIR : WASI_ENOTDIR;
  else if (unlinkat(r.dirfd, r.name, 0) != 0)
    err = wasi_errno(errno);
  wasi_resolved_free(&r);
  return err;
}

