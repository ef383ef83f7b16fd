/*
 * platform/posix/sock_posix.c: sock_accept, sock_recv, sock_send, sock_shutdown on fds that are sockets (in
 * practice standard streams the process was started with, e.g. under inetd or systemd socket
 * activation, and the connections accepted from them). Other fds give notsock, as wasmtime
 * (which has no socket fds in preview1) answers for every fd; missing fds give badf.
 */
#include "wasi/wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* An iovec array copied out of guest memory as host iovecs (all buffers checked). At most
 * WASI_IOV_MAX entries are used (the rest of a longer array is ignored, as writev would refuse
 * it). Returns success, fault or inval. */
#define WASI_IOV_MAX 64
static uint32_t wasi_iovecs(w2e_vmctx *vm, uint32_t iovs, uint32_t iovs_len, struct iovec *out,
                            int *count) {
  const uint8_t *vec = wasi_guest(vm, iovs, (uint64_t)iovs_len * 8);
  if (!vec) return WASI_EFAULT;
  int n = 0;
  uint64_t total = 0;
  for (uint32_t i = 0; i < iovs_len; i++) {
    uint32_t ptr = wasi_load32(vec + 8 * i), len = wasi_load32(vec + 8 * i + 4);
    uint8_t *p = wasi_guest(vm, ptr, len);
    if (!p) return WASI_EFAULT;
    if (len == 0 || n == WASI_IOV_MAX) continue;
    /* Keep the total within what one host call reports (and a u32 result). */
    if (total + len > 0x7ffff000u) len = (uint32_t)(0x7ffff000u - total);
    if (len == 0) continue;
    out[n].iov_base = p;
    out[n].iov_len = len;
    total += len;
    n++;
  }
  *count = n;
  return WASI_ESUCCESS;
}

/* The entry of a socket fd, or NULL with badf / notsock. */
static wasi_fd *sock_fd(uint32_t fd, uint32_t *err) {
  wasi_fd *e = wasi_fd_get(fd, 0, err);
  if (!e) return NULL;
  struct stat st;
  if (e->kind == WASI_FD_DIR || fstat(e->host, &st) != 0 || !S_ISSOCK(st.st_mode)) {
    *err = WASI_ENOTSOCK;
    return NULL;
  }
  return e;
}

uint32_t w2e_wasi_sock_accept(w2e_vmctx *vm, uint32_t fd, uint32_t flags, uint32_t fd_out) {
  uint32_t err;
  wasi_fd *e = sock_fd(fd, &err);
  if (!e) return err;
  if (flags & ~(uint32_t)WASI_FDFLAG_NONBLOCK) return WASI_EINVAL;
  if (!wasi_guest(vm, fd_out, 4)) return WASI_EFAULT;
  int host;
  do host = accept(e->host, NULL, NULL);
  while (host < 0 && errno == EINTR);
  if (host < 0) return wasi_errno(errno);
  fcntl(host, F_SETFD, FD_CLOEXEC);
  if (flags & WASI_FDFLAG_NONBLOCK) fcntl(host, F_SETFL, fcntl(host, F_GETFL) | O_NONBLOCK);
  wasi_fd ne;
  memset(&ne, 0, sizeof ne);
  ne.kind = WASI_FD_SOCKET;
  ne.filetype = WASI_FILETYPE_SOCKET_STREAM;
  ne.host = host;
  ne.fdflags = (uint16_t)flags;
  ne.base = WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_POLL_FD_READWRITE |
            WASI_RIGHT_SOCK_SHUTDOWN | WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FDSTAT_SET_FLAGS;
  uint32_t nfd;
  if ((err = wasi_fd_insert(&ne, &nfd))) {
    close(host);
    return err;
  }
  return wasi_put32(vm, fd_out, nfd);
}

uint32_t w2e_wasi_sock_recv(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                            uint32_t ri_flags, uint32_t ro_datalen, uint32_t ro_flags) {
  uint32_t err;
  wasi_fd *e = sock_fd(fd, &err);
  if (!e) return err;
  if (ri_flags & ~3u) return WASI_EINVAL;
  struct iovec iov[WASI_IOV_MAX];
  int n;
  if ((err = wasi_iovecs(vm, iovs, iovs_len, iov, &n))) return err;
  if (!wasi_guest(vm, ro_datalen, 4) || !wasi_guest(vm, ro_flags, 2)) return WASI_EFAULT;
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = iov;
  msg.msg_iovlen = n;
  int flags = (ri_flags & 1 ? MSG_PEEK : 0) | (ri_flags & 2 ? MSG_WAITALL : 0);
  ssize_t got;
  do got = recvmsg(e->host, &msg, flags);
  while (got < 0 && errno == EINTR);
  if (got < 0) return wasi_errno(errno);
  wasi_store16(wasi_guest(vm, ro_flags, 2), (msg.msg_flags & MSG_TRUNC) ? 1 : 0);
  return wasi_put32(vm, ro_datalen, (uint32_t)got);
}

uint32_t w2e_wasi_sock_send(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                            uint32_t si_flags, uint32_t so_datalen) {
  uint32_t err;
  wasi_fd *e = sock_fd(fd, &err);
  if (!e) return err;
  if (si_flags != 0) return WASI_EINVAL;
  struct iovec iov[WASI_IOV_MAX];
  int n;
  if ((err = wasi_iovecs(vm, iovs, iovs_len, iov, &n))) return err;
  if (!wasi_guest(vm, so_datalen, 4)) return WASI_EFAULT;
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = iov;
  msg.msg_iovlen = n;
#ifdef MSG_NOSIGNAL
  int flags = MSG_NOSIGNAL;
#else
  int flags = 0;
#endif
  ssize_t sent;
  do sent = sendmsg(e->host, &msg, flags);
  while (sent < 0 && errno == EINTR);
  if (sent < 0) return wasi_errno(errno);
  return wasi_put32(vm, so_datalen, (uint32_t)sent);
}

uint32_t w2e_wasi_sock_shutdown(w2e_vmctx *vm, uint32_t fd, uint32_t how) {
  uint32_t err;
  wasi_fd *e = sock_fd(fd, &err);
  if (!e) return err;
  if (how == 0 || how > 3) return WASI_EINVAL;
  int h = how == 1 ? SHUT_RD : how == 2 ? SHUT_WR : SHUT_RDWR;
  return shutdown(e->host, h) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

