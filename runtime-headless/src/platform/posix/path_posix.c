/*
 * platform/posix/path_posix.c: sandboxed path resolution on POSIX. A guest path is resolved under a directory fd one
 * component at a time with openat(O_NOFOLLOW | O_DIRECTORY), keeping the chain of directory
 * fds walked so far: ".." pops the chain (never openat(".."), so a directory moved elsewhere
 * cannot lead out), symlinks are read with readlinkat and expanded in place (their targets
 * are resolved by the same walk, from the directory holding the link). The result is the fd
 * of the directory holding the last component plus that component's name, on which callers
 * use *at() calls with AT_SYMLINK_NOFOLLOW / O_NOFOLLOW: no path string is ever resolved
 * twice against the host, so a concurrent rename or symlink swap cannot redirect an
 * operation outside the preopen.
 *
 * Errors match wasmtime (cap-std): an absolute path, ".." above the preopen, or a symlink
 * whose target is absolute or climbs out yield perm (63); more than MAX_SYMLINKS expansions
 * yield loop (32); an empty path noent.
 */
#include "platform/posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SYMLINKS 40

#if defined(O_PATH)
#define DIR_OPEN_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#elif defined(O_SEARCH)
#define DIR_OPEN_FLAGS (O_SEARCH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#else
#define DIR_OPEN_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#endif

typedef struct walk {
  int *fds; /* fds[0] is the starting directory (not owned) */
  int depth;
  int cap;
} walk;

static bool push(walk *w, int fd) {
  if (w->depth == w->cap) {
    int cap = w->cap ? w->cap * 2 : 8;
    int *f = realloc(w->fds, (size_t)cap * sizeof *f);
    if (!f) return false;
    w->fds = f;
    w->cap = cap;
  }
  w->fds[w->depth++] = fd;
  return true;
}

static void unwind(walk *w, int keep_top) {
  for (int i = w->depth - 1; i >= 1; i--)
    if (!(keep_top && i == w->depth - 1)) close(w->fds[i]);
  free(w->fds);
}

/* Reads the symlink `name` in `dirfd` into a fresh heap string; NULL with errno set when it
 * is not a symlink (EINVAL) or cannot be read. */
static char *read_link(int dirfd, const char *name) {
  size_t size = 256;
  for (;;) {
    char *buf = malloc(size);
    if (!buf) return NULL;
    ssize_t n = readlinkat(dirfd, name, buf, size);
    if (n < 0) {
      int e = errno;
      free(buf);
      errno = e;
      return NULL;
    }
    if ((size_t)n < size) {
      buf[n] = 0;
      return buf;
    }
    free(buf);
    if (size >= 65536) {
      errno = ENAMETOOLONG;
      return NULL;
    }
    size *= 4;
  }
}

void wasi_resolved_free(wasi_resolved *r) {
  if (r->owned && r->dirfd >= 0) close(r->dirfd);
  free(r->buf);
  memset(r, 0, sizeof *r);
  r->dirfd = -1;
}

uint32_t wasi_resolve(const wasi_fd *dir, const char *path, bool follow, wasi_resolved *out) {
  memset(out, 0, sizeof *out);
  out->dirfd = -1;
  if (path[0] == 0) return WASI_ENOENT;
  if (path[0] == '/') return WASI_EPERM;
  walk w = {0};
  if (!push(&w, dir->host)) return WASI_ENOMEM;
  char *rest = strdup(path); /* what remains to resolve */
  if (!rest) {
    unwind(&w, 0);
    return WASI_ENOMEM;
  }
  size_t at = 0;
  int links = 0;
  uint32_t err = WASI_ESUCCESS;
  for (;;) {
    while (rest[at] == '/') at++;
    if (rest[at] == 0) { /* only slashes left after a directory: the directory itself */
      out->name = NULL; /* named "." below */
      break;
    }
    size_t len = strcspn(rest + at, "/");
    char *comp = rest + at;
    size_t next = at + len;
    size_t after = next;
    while (rest[after] == '/') after++;
    bool last = rest[after] == 0;
    bool trailing = last && after > next;
    char saved = rest[next];
    rest[next] = 0;
    if (len == 1 && comp[0] == '.') {
      if (last) {
        out->name = comp;
        out->trailing_slash = trailing;
        break;
      }
      at = after;
      continue;
    }
    if (len == 2 && comp[0] == '.' && comp[1] == '.') {
      if (w.depth == 1) {
        err = WASI_EPERM;
        break;
      }
      close(w.fds[--w.depth]);
      if (last) {
        comp[1] = 0; /* "." */
        out->name = comp;
        out->trailing_slash = trailing;
        break;
      }
      at = after;
      continue;
    }
    int top = w.fds[w.depth - 1];
    char *target = NULL;
    if (!last) {
      int fd = openat(top, comp, DIR_OPEN_FLAGS);
      if (fd >= 0) {
        if (!push(&w, fd)) {
          close(fd);
          err = WASI_ENOMEM;
          break;
        }
        at = after;
        continue;
      }
      int e = errno;
      if (e != ELOOP && e != ENOTDIR && e != EMLINK) {
        err = wasi_errno(e);
        break;
      }
      target = read_link(top, comp);
      if (!target) {
        err = wasi_errno(e == EMLINK ? ELOOP : e);
        break;
      }
    } else if (follow || trailing) {
      target = read_link(top, comp);
      if (!target && errno != EINVAL && errno != ENOENT) {
        err = wasi_errno(errno);
        break;
      }
    }
    if (!target) { /* the last component, not a symlink to follow */
      out->name = comp;
      out->trailing_slash = trailing;
      break;
    }
    /* Expand the symlink: its target, then whatever followed the link. */
    if (++links > MAX_SYMLINKS) {
      free(target);
      err = WASI_ELOOP;
      break;
    }
    if (target[0] == '/') {
      free(target);
      err = WASI_EPERM;
      break;
    }
    if (target[0] == 0) {
      free(target);
      err = WASI_ENOENT;
      break;
    }
    rest[next] = saved;
    size_t tlen = strlen(target), rlen = strlen(rest + next);
    char *joined = malloc(tlen + rlen + 1);
    if (!joined) {
      free(target);
      err = WASI_ENOMEM;
      break;
    }
    memcpy(joined, target, tlen);
    memcpy(joined + tlen, rest + next, rlen + 1);
    free(target);
    free(rest);
    rest = joined;
    at = 0;
  }
  if (err == WASI_ESUCCESS && !out->name) {
    /* The path ended in slashes right after a directory component ("a/" handled above as a
     * trailing component, so this is e.g. a symlink target "dir/"): name the directory. */
    char *dot = realloc(rest, 2);
    if (!dot) {
      err = WASI_ENOMEM;
    } else {
      rest = dot;
      strcpy(rest, ".");
      out->name = rest;
      out->trailing_slash = true;
    }
  }
  if (err != WASI_ESUCCESS) {
    free(rest);
    unwind(&w, 0);
    out->name = NULL;
    return err;
  }
  out->buf = rest;
  out->dirfd = w.fds[w.depth - 1];
  out->owned = w.depth > 1;
  unwind(&w, 1);
  return WASI_ESUCCESS;
}

