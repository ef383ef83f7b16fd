/*
 * platform/posix/dirs_posix.c: the operations on a place beneath a grant (platform.h) on
 * POSIX: each acts on (directory fd, last component) with an *at() call that never follows
 * the last component itself. The places come from the portable walk (wasi/wasi_resolve.c).
 * What is left here is the host's own rules, such as which errno a trailing slash gives.
 */
#include "platform/posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* True when the last component is a symlink (which resolution left unfollowed). */
static bool is_symlink(const w2e_place *r) {
  struct stat st;
  return fstatat(r->dir.fd, r->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

uint32_t w2e_os_open_at(const w2e_place *r, bool follow, uint32_t oflags, uint32_t fdflags,
                        uint64_t base, wasi_fd *out) {
  bool rd = base & WASI_RIGHT_FD_READ, wr = base & WASI_RIGHT_FD_WRITE;
  int flags = (rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC;
  if (oflags & WASI_OFLAG_CREAT) flags |= O_CREAT;
  if (oflags & WASI_OFLAG_EXCL) flags |= O_EXCL;
  if (oflags & WASI_OFLAG_TRUNC) flags |= O_TRUNC;
  if ((oflags & WASI_OFLAG_DIRECTORY) || r->trailing_slash) flags |= O_DIRECTORY;
  if (fdflags & WASI_FDFLAG_APPEND) flags |= O_APPEND;
  if (fdflags & WASI_FDFLAG_DSYNC) flags |= O_DSYNC;
  if (fdflags & WASI_FDFLAG_SYNC) flags |= O_SYNC;
#ifdef O_RSYNC
  if (fdflags & WASI_FDFLAG_RSYNC) flags |= O_RSYNC;
#endif
  int host;
  if (r->trailing_slash && (flags & O_CREAT)) {
    /* "name/" can only be an existing directory, which O_CREAT cannot open. */
    struct stat st;
    host = -1;
    errno = fstatat(r->dir.fd, r->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)
                ? ENOTDIR
                : EISDIR;
  } else {
    do host = openat(r->dir.fd, r->name, flags, 0666);
    while (host < 0 && errno == EINTR);
  }
  int open_errno = errno;
  if (host < 0 && open_errno == ENOTDIR && (flags & O_DIRECTORY) && is_symlink(r))
    open_errno = ELOOP; /* as without O_DIRECTORY: a symlink not followed (wasmtime) */
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

uint32_t w2e_os_mkdir_at(const w2e_place *r) {
  return mkdirat(r->dir.fd, r->name, 0777) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

/* fstatat of a place; a trailing slash requires a directory. */
static uint32_t stat_place(const w2e_place *r, struct stat *st) {
  if (fstatat(r->dir.fd, r->name, st, AT_SYMLINK_NOFOLLOW) != 0) return wasi_errno(errno);
  if (r->trailing_slash && !S_ISDIR(st->st_mode)) return WASI_ENOTDIR;
  return WASI_ESUCCESS;
}

uint32_t w2e_os_stat_at(const w2e_place *r, bool follow, w2e_filestat *out) {
  struct stat st;
  uint32_t err = stat_place(r, &st);
  if (!err) posix_filestat(&st, out);
  return err;
}

uint32_t w2e_os_set_times_at(const w2e_place *r, bool follow, const w2e_times *t) {
  struct timespec ts[2];
  posix_timespecs(t, ts);
  struct stat st;
  uint32_t err = stat_place(r, &st);
  if (!err && utimensat(r->dir.fd, r->name, ts, AT_SYMLINK_NOFOLLOW) != 0) err = wasi_errno(errno);
  return err;
}

/* What linkat says of a new name "name/" (resolved, symlinks followed): it cannot be created
 * with the slash, so noent when it is missing, else exist for a directory and notdir for the
 * rest (as wasmtime, which passes the slash on). */
static uint32_t slash_target_error(const w2e_place *r) {
  struct stat st;
  if (fstatat(r->dir.fd, r->name, &st, AT_SYMLINK_NOFOLLOW) != 0) return wasi_errno(errno);
  return S_ISDIR(st.st_mode) ? WASI_EEXIST : WASI_ENOTDIR;
}

uint32_t w2e_os_link_at(const w2e_place *a, const w2e_place *b) {
  struct stat st;
  uint32_t err = stat_place(a, &st);
  if (!err && b->trailing_slash) err = slash_target_error(b);
  if (!err && linkat(a->dir.fd, a->name, b->dir.fd, b->name, 0) != 0) err = wasi_errno(errno);
  return err;
}

uint32_t w2e_os_rmdir_at(const w2e_place *r) {
  struct stat st;
  uint32_t err;
  if (r->trailing_slash) /* as wasmtime (cap-std removes "dir/" as "dir/."): inval */
    return (err = stat_place(r, &st)) ? err : WASI_EINVAL;
  return unlinkat(r->dir.fd, r->name, AT_REMOVEDIR) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

uint32_t w2e_os_rename_at(const w2e_place *a, const w2e_place *b) {
  /* Linux's rule for slashes: the source must then be a directory. A target that is not
   * one (a symlink included) fails in renameat itself, with notdir. */
  struct stat st;
  uint32_t err = WASI_ESUCCESS;
  if (a->trailing_slash || b->trailing_slash) {
    err = stat_place(a, &st);
    if (!err && !S_ISDIR(st.st_mode)) err = WASI_ENOTDIR;
  }
  if (!err && renameat(a->dir.fd, a->name, b->dir.fd, b->name) != 0) err = wasi_errno(errno);
  return err;
}

uint32_t w2e_os_symlink_at(const char *target, const w2e_place *r) {
  struct stat st;
  if (r->trailing_slash)
    return fstatat(r->dir.fd, r->name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? WASI_EEXIST : WASI_ENOENT;
  return symlinkat(target, r->dir.fd, r->name) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

uint32_t w2e_os_unlink_at(const w2e_place *r) {
  struct stat st;
  if (r->trailing_slash && fstatat(r->dir.fd, r->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return S_ISDIR(st.st_mode) ? WASI_EISDIR : WASI_ENOTDIR;
  return unlinkat(r->dir.fd, r->name, 0) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}
