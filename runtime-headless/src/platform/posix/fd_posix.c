/*
 * platform/posix/fd_posix.c: guest fds over POSIX file descriptors (platform.h): standard
 * streams, grants, release, append mode.
 */
#include "platform/posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

w2e_handle w2e_os_stdio(int fd, bool *is_terminal) {
  *is_terminal = isatty(fd);
  return fd;
}

void w2e_os_release(w2e_handle h, wasi_fd_os *os, bool close_handle) {
  if (os->dir) closedir(os->dir); /* closes the descriptor it was opened on, not h */
  if (close_handle && h >= 0) close(h);
  memset(os, 0, sizeof *os);
}

const char *w2e_os_open_grant(const char *host, w2e_handle *h, wasi_fd_os *os) {
  int fd;
  do fd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) return strerror(errno);
  *h = fd;
  memset(os, 0, sizeof *os);
  return NULL;
}

uint32_t w2e_os_set_append(w2e_handle h, bool append) {
  int fl = fcntl(h, F_GETFL);
  if (fl < 0) return wasi_errno(errno);
  fl = append ? fl | O_APPEND : fl & ~O_APPEND;
  if (fcntl(h, F_SETFL, fl) < 0) return wasi_errno(errno);
  return WASI_ESUCCESS;
}

uint8_t wasi_filetype_of_mode(unsigned mode) {
  switch (mode & S_IFMT) {
  case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
  case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
  case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
  case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
  case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
  case S_IFSOCK: return WASI_FILETYPE_SOCKET_STREAM;
  default: return WASI_FILETYPE_UNKNOWN; /* fifos: preview1 has no code for them */
  }
}
