/*
 * platform/posix/sock_posix.c: sockets on POSIX (platform.h): the calls behind sock_accept,
 * sock_recv, sock_send and sock_shutdown.
 */
#include "platform/posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

bool w2e_os_is_socket(w2e_handle h) {
  struct stat st;
  return fstat(h, &st) == 0 && S_ISSOCK(st.st_mode);
}

uint32_t w2e_os_accept(w2e_handle h, bool nonblock, w2e_handle *out) {
  int host;
  do host = accept(h, NULL, NULL);
  while (host < 0 && errno == EINTR);
  if (host < 0) return wasi_errno(errno);
  fcntl(host, F_SETFD, FD_CLOEXEC);
  if (nonblock) fcntl(host, F_SETFL, fcntl(host, F_GETFL) | O_NONBLOCK);
  *out = host;
  return WASI_ESUCCESS;
}

/* A message header over `bufs` (copied into `iov`). */
static struct msghdr message(const w2e_buf *bufs, int n, struct iovec *iov) {
  for (int i = 0; i < n; i++) {
    iov[i].iov_base = bufs[i].p;
    iov[i].iov_len = bufs[i].len;
  }
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = iov;
  msg.msg_iovlen = n;
  return msg;
}

uint32_t w2e_os_recv(w2e_handle h, const w2e_buf *bufs, int n, bool peek, bool waitall,
                     uint32_t *got, bool *truncated) {
  struct iovec iov[W2E_BUFS_MAX];
  struct msghdr msg = message(bufs, n, iov);
  int flags = (peek ? MSG_PEEK : 0) | (waitall ? MSG_WAITALL : 0);
  ssize_t r;
  do r = recvmsg(h, &msg, flags);
  while (r < 0 && errno == EINTR);
  if (r < 0) return wasi_errno(errno);
  *got = (uint32_t)r;
  *truncated = msg.msg_flags & MSG_TRUNC;
  return WASI_ESUCCESS;
}

uint32_t w2e_os_send(w2e_handle h, const w2e_buf *bufs, int n, uint32_t *sent) {
  struct iovec iov[W2E_BUFS_MAX];
  struct msghdr msg = message(bufs, n, iov);
#ifdef MSG_NOSIGNAL
  int flags = MSG_NOSIGNAL;
#else
  int flags = 0;
#endif
  ssize_t r;
  do r = sendmsg(h, &msg, flags);
  while (r < 0 && errno == EINTR);
  if (r < 0) return wasi_errno(errno);
  *sent = (uint32_t)r;
  return WASI_ESUCCESS;
}

uint32_t w2e_os_shutdown(w2e_handle h, bool reading, bool writing) {
  int how = reading && writing ? SHUT_RDWR : reading ? SHUT_RD : SHUT_WR;
  return shutdown(h, how) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}
