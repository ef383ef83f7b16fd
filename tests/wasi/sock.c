/*
 * sock.c: sock_accept, sock_recv, sock_send and sock_shutdown on descriptors that are not
 * sockets (a file, the preopen, stdio, a bad fd). No socket can be granted, so the errno
 * values are the whole behaviour to pin.
 */
#include "common.h"

static void try_fd(const char *label, int fd) {
  __wasi_fd_t accepted = 0;
  printf("%s: accept errno=%u\n", label, (unsigned)__wasi_sock_accept(fd, 0, &accepted));
  char buf[8];
  __wasi_iovec_t riov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 0;
  __wasi_roflags_t roflags = 0;
  printf("%s: recv errno=%u\n", label,
         (unsigned)__wasi_sock_recv(fd, &riov, 1, 0, &n, &roflags));
  __wasi_ciovec_t siov = {(const uint8_t *)"x", 1};
  printf("%s: send errno=%u\n", label, (unsigned)__wasi_sock_send(fd, &siov, 1, 0, &n));
  printf("%s: shutdown errno=%u\n", label,
         (unsigned)__wasi_sock_shutdown(fd, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
}

int main(void) {
  int fd = open_raw("open hello.txt", 0, "hello.txt", 0,
                    __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0);
  try_fd("file", fd);
  try_fd("preopen", PREOPEN);
  try_fd("stdout", 1);
  try_fd("bad fd", 99);
  return 0;
}
