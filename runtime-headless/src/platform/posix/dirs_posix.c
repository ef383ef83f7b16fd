/*
 * platform/posix/dirs_posix.c: the path operations of platform.h on POSIX. Every path is
 * resolved by wasi_resolve() (path_posix.c) and the operation then acts on (directory fd,
 * last component) with *at() calls that never follow the last component themselves.
 */
#include "platform/posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Resolves a guest path under directory `dir`. */
static uint32_t resolve(const wasi_fd *dir, const char *path, bool follow, wasi_resolved *r) {
  memset(r, 0, sizeof *r);
  r->dirfd = -1;
  return wasi_resolve(dir, path, follow, r);
}

/* Resolves a guest path as cap-std's rename does: trailing slashes are taken off first, so
 * the last component is never followed (a symlink there names itself, wherever it points),
 * and only noted in `trailing_slash` for the caller to apply the host's rule. The slash is
 * not passed on: on some hosts "link/" would follow the link. */
static uint32_t resolve_unfollowed(const wasi_fd *dir, const char *path, wasi_resolved *r) {
  memset(r, 0, sizeof *r);
  r->dirfd = -1;
  char *s = strdup(path);
  if (!s) return WASI_ENOMEM;
  size_t n = strlen(s);
  bool slash = false;
  while (n > 1 && s[n - 1] == '/') { /* "/" itself stays: it is absolute */
    s[--n] = 0;
    slash = true;
  }
  uint32_t err = wasi_resolve(dir, s, false, r);
  free(s);
  if (!err && slash) r->trailing_slash = true;
  return err;
}

/* True when the resolved last component is a symlink (which resolution left unfollowed). */
static bool is_symlink(const wasi_resolved *r) {
  struct stat st;
  return fstatat(r->dirfd, r->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

uint32_t w2e_os_path_open(const wasi_fd *dir, const char *path, bool follow, uint32_t oflags,
                          uint32_t fdflags, uint64_t base, wasi_fd *out) {
  wasi_resolved r;
  uint32_t err = resolve(dir, path, follow, &r);
  if (err) return err;
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
  out->kind = S_ISDIR(st.st_mode) ? WASI_FD_DIR : WASI_FD_FILE;
  out->filetype = wasi_filetype_of_mode(st.st_mode);
  out->host = host;
  return WASI_ESUCCESS;
}

uint32_t w2e_os_mkdir(const wasi_fd *dir, const char *path) {
  wasi_resolved r;
  uint32_t err = resolve(dir, path, false, &r);
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

uint32_t w2e_os_path_stat(const wasi_fd *dir, const char *path, bool follow, w2e_filestat *out) {
  wasi_resolved r;
  uint32_t err = resolve(dir, path, follow, &r);
  if (err) return err;
  struct stat st;
  err = stat_resolved(&r, &st);
  wasi_resolved_free(&r);
  if (!err) posix_filestat(&st, out);
  return err;
}

uint32_t w2e_os_path_set_times(const wasi_fd *dir, const char *path, bool follow, uint64_t atim,
                               uint64_t mtim, uint32_t flags) {
  struct timespec ts[2];
  uint32_t err = wasi_timespecs(atim, mtim, flags, ts);
  if (err) return err;
  wasi_resolved r;
  if ((err = resolve(dir, path, follow, &r))) return err;
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

uint32_t w2e_os_link(const wasi_fd *from_dir, const char *from, const wasi_fd *to_dir,
                     const char *to) {
  wasi_resolved a, b;
  uint32_t err = resolve(from_dir, from, false, &a);
  if (err) return err;
  err = resolve(to_dir, to, false, &b);
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

uint32_t w2e_os_readlink(const wasi_fd *dir, const char *path, uint8_t *out, uint32_t cap,
                         uint32_t *len) {
  wasi_resolved r;
  uint32_t err = resolve(dir, path, false, &r);
  if (err) return err;
  if (!out) {
    wasi_resolved_free(&r);
    return WASI_EFAULT;
  }
  char tmp[4096];
  ssize_t n = readlinkat(r.dirfd, r.name, tmp, sizeof tmp);
  err = n < 0 ? wasi_errno(errno) : WASI_ESUCCESS;
  wasi_resolved_free(&r);
  if (err) return err;
  if ((size_t)n > cap) n = cap; /* truncated, as wasmtime */
  memcpy(out, tmp, (size_t)n);
  *len = (uint32_t)n;
  return WASI_ESUCCESS;
}

uint32_t w2e_os_rmdir(const wasi_fd *dir, const char *path) {
  wasi_resolved r;
  uint32_t err = resolve(dir, path, false, &r);
  if (err) return err;
  struct stat st;
  if (r.trailing_slash) /* as wasmtime (cap-std removes "dir/" as "dir/."): inval */
    err = (err = stat_resolved(&r, &st)) ? err : WASI_EINVAL;
  else if (unlinkat(r.dirfd, r.name, AT_REMOVEDIR) != 0)
    err = wasi_errno(errno);
  wasi_resolved_free(&r);
  return err;
}

uint32_t w2e_os_rename(const wasi_fd *from_dir, const char *from, const wasi_fd *to_dir,
                       const char *to) {
  wasi_resolved a, b;
  uint32_t err = resolve_unfollowed(from_dir, from, &a);
  if (err) return err;
  err = resolve_unfollowed(to_dir, to, &b);
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

uint32_t w2e_os_symlink(const char *target, const wasi_fd *dir, const char *path) {
  if (target[0] == '/') return WASI_EPERM; /* as wasmtime: a link that could only point outside */
  wasi_resolved r;
  uint32_t err = resolve(dir, path, false, &r);
  if (err) return err;
  /* A relative target may climb out: resolution refuses to follow it there. */
  if (r.trailing_slash) {
    struct stat st;
    err = fstatat(r.dirfd, r.name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? WASI_EEXIST : WASI_ENOENT;
  } else if (symlinkat(target, r.dirfd, r.name) != 0) {
    err = wasi_errno(errno);
  }
  wasi_resolved_free(&r);
  return err;
}

uint32_t w2e_os_unlink(const wasi_fd *dir, const char *path) {
  wasi_resolved r;
  uint32_t err = resolve(dir, path, false, &r);
  if (err) return err;
  struct stat st;
  if (r.trailing_slash && fstatat(r.dirfd, r.name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    err = S_ISDIR(st.st_mode) ? WASI_EISDIR : WASI_ENOTDIR;
  else if (unlinkat(r.dirfd, r.name, 0) != 0)
    err = wasi_errno(errno);
  wasi_resolved_free(&r);
  return err;
}
