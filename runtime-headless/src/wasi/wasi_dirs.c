/*
 * wasi_dirs.c: fd_readdir and the path_* calls. Every path is resolved by wasi_resolve() and
 * the operation then acts on (directory fd, last component) with *at() calls that never
 * follow the last component themselves.
 */
#if !defined(_WIN32) /* whole file: POSIX only (Windows: *_win32.c) */
#include "wasi/wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A directory fd with `rights`: other kinds of fd give badf. */
static wasi_fd *dir_fd(uint32_t fd, uint64_t rights, uint32_t *err) {
  wasi_fd *e = wasi_fd_get(fd, 0, err);
  if (!e) return NULL;
  if (e->kind != WASI_FD_DIR) {
    *err = WASI_EBADF;
    return NULL;
  }
  if ((e->base & rights) != rights) {
    *err = WASI_ENOTCAPABLE;
    return NULL;
  }
  return e;
}

/* Reads the guest path and resolves it under directory fd `fd`. */
static uint32_t resolve_at(w2e_vmctx *vm, uint32_t fd, uint64_t rights, uint32_t path,
                           uint32_t len, bool follow, wasi_resolved *r) {
  memset(r, 0, sizeof *r);
  r->dirfd = -1;
  uint32_t err;
  wasi_fd *e = dir_fd(fd, rights, &err);
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
  wasi_fd *e = dir_fd(fd, rights, &err);
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

/* ---- fd_readdir ---- */

/* dirent: u64 d_next, u64 d_ino, u32 d_namlen, u8 d_type (24 bytes), then the name. */
#define DIRENT_SIZE 24

/* Copies as much of an entry as fits at buf[*used .. len): as wasmtime, a partial entry fills
 * the buffer. Returns false when the buffer is full. */
static bool put_entry(uint8_t *buf, uint32_t len, uint32_t *used, uint64_t next, uint64_t ino,
                      uint8_t type, const char *name) {
  uint8_t d[DIRENT_SIZE];
  size_t namelen = strlen(name);
  memset(d, 0, sizeof d);
  wasi_store64(d, next);
  wasi_store64(d + 8, ino);
  wasi_store32(d + 16, (uint32_t)namelen);
  d[20] = type;
  uint32_t n = len - *used < DIRENT_SIZE ? len - *used : DIRENT_SIZE;
  memcpy(buf + *used, d, n);
  *used += n;
  if (*used == len) return false;
  n = len - *used < namelen ? len - *used : (uint32_t)namelen;
  memcpy(buf + *used, name, n);
  *used += n;
  return *used < len;
}

/* Opens (or rewinds) the fd's readdir stream at its first host entry, cookie 2. Rewinding
 * makes the next readdir read the directory again from the host. */
static uint32_t open_stream(wasi_fd *e) {
  if (e->dir) {
    rewinddir(e->dir);
  } else {
    int dfd = openat(e->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return wasi_errno(errno);
    e->dir = fdopendir(dfd);
    if (!e->dir) {
      int er = errno;
      close(dfd);
      return wasi_errno(er);
    }
  }
  e->dir_next = 2;
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_fd_readdir(w2e_vmctx *vm, uint32_t fd, uint32_t buf, uint32_t buf_len,
                             uint64_t cookie, uint32_t bufused) {
  wasi_fd *b = wasi_bundle_fd(fd);
  if (b) return wasi_bundle_fd_readdir(vm, b, buf, buf_len, cookie, bufused);
  uint32_t err;
  wasi_fd *e = dir_fd(fd, WASI_RIGHT_FD_READDIR, &err);
  if (!e) return err;
  uint8_t *out = wasi_guest(vm, buf, buf_len);
  if (!out || !wasi_guest(vm, bufused, 4)) return WASI_EFAULT;
  struct stat st;
  if (fstat(e->host, &st) != 0) return wasi_errno(errno);
  uint64_t self_ino = wasi_inode_hash((uint64_t)st.st_dev, (uint64_t)st.st_ino);
  uint32_t used = 0;
  bool room = buf_len > 0;
  if (room && cookie == 0)
    room = put_entry(out, buf_len, &used, 1, self_ino, WASI_FILETYPE_DIRECTORY, ".");
  if (room && cookie <= 1)
    room = put_entry(out, buf_len, &used, 2, self_ino, WASI_FILETYPE_DIRECTORY, "..");
  if (!room) return wasi_put32(vm, bufused, used);
  uint64_t want = cookie < 2 ? 2 : cookie; /* cookie of the next host entry to return */
  /* The open stream only serves a listing that goes on where the last call stopped. One that
   * starts over (cookie 0 to 2) rewinds, so it sees entries made since (as wasmtime, which
   * reads the directory afresh), and so does one that goes back. */
  if ((!e->dir || want == 2 || e->dir_next > want) && (err = open_stream(e))) return err;
  for (;;) {
    long pos = telldir(e->dir);
    errno = 0;
    struct dirent *d = readdir(e->dir);
    if (!d) {
      if (errno) return wasi_errno(errno);
      break;
    }
    if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) continue;
    uint64_t this = e->dir_next++;
    if (this < want) continue;
    struct stat es;
    uint64_t ino;
    uint8_t type;
    if (fstatat(dirfd(e->dir), d->d_name, &es, AT_SYMLINK_NOFOLLOW) == 0) {
      ino = wasi_inode_hash((uint64_t)es.st_dev, (uint64_t)es.st_ino);
      type = wasi_filetype_of_mode(es.st_mode);
    } else {
      ino = wasi_inode_hash((uint64_t)st.st_dev, (uint64_t)d->d_ino);
      type = WASI_FILETYPE_UNKNOWN;
    }
    uint32_t before = used;
    if (!put_entry(out, buf_len, &used, this + 1, ino, type, d->d_name)) {
      /* Full: unless this entry fit exactly, read it again next time. */
      if (used - before < DIRENT_SIZE + strlen(d->d_name)) {
        seekdir(e->dir, pos);
        e->dir_next = this;
      }
      break;
    }
  }
  return wasi_put32(vm, bufused, used);
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
  wasi_store_filestat(p, &st);
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
    return dir_fd(fd, WASI_RIGHT_PATH_SYMLINK, &err) ? WASI_EPERM : err;
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

#endif /* !_WIN32 */
