/*
 * platform/posix/path_posix.c: the steps of a path walk on POSIX (platform.h): a directory
 * reference is a directory fd, a component is entered with openat(O_NOFOLLOW | O_DIRECTORY)
 * and a link is read with readlinkat. The walk itself, and with it every rule of the sandbox
 * about paths, is portable: wasi/wasi_resolve.c.
 */
#include "platform/posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(O_PATH)
#define DIR_OPEN_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#elif defined(O_SEARCH)
#define DIR_OPEN_FLAGS (O_SEARCH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#else
#define DIR_OPEN_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#endif

void w2e_os_dir_of(const wasi_fd *dir, w2e_dirref *out) {
  out->fd = dir->host;
  out->owned = false;
}

uint32_t w2e_os_dir_enter(const w2e_dirref *parent, const char *name, w2e_dirref *child) {
  int fd = openat(parent->fd, name, DIR_OPEN_FLAGS);
  if (fd < 0) return wasi_errno(errno == EMLINK ? ELOOP : errno); /* FreeBSD: EMLINK for a link */
  child->fd = fd;
  child->owned = true;
  return WASI_ESUCCESS;
}

void w2e_os_dir_leave(w2e_dirref *d) {
  if (d->owned && d->fd >= 0) close(d->fd);
  d->fd = -1;
  d->owned = false;
}

uint32_t w2e_os_readlink_at(const w2e_dirref *d, const char *name, char **target) {
  for (size_t size = 256;; size *= 4) {
    char *buf = malloc(size);
    if (!buf) return WASI_ENOMEM;
    ssize_t n = readlinkat(d->fd, name, buf, size);
    if (n < 0) {
      int e = errno;
      free(buf);
      return wasi_errno(e);
    }
    if ((size_t)n < size) {
      buf[n] = 0;
      *target = buf;
      return WASI_ESUCCESS;
    }
    free(buf);
    if (size >= 65536) return WASI_ENAMETOOLONG;
  }
}
