/*
 * wasi_sock.c: sock_accept, sock_recv, sock_send, sock_shutdown on fds that are sockets (in
 * practice standard streams the process was started with, e.g. under inetd or systemd socket
 * activation, and the connections accepted from them). Other fds give notsock, as wasmtime
 * (which has no socket fds in preview1) answers for every fd; missing fds give badf. The
 * socket calls themselves are the platform's (platform.h); Windows has none, so there every
 * fd is notsock.
 */
#include "wasi/wasi_internal.h"

#include <string.h>

/* The entry of a socket fd, or NULL with badf / notsock. */
static wasi_fd *sock_fd(uint32_t fd, uint32_t *err) {
  wasi_fd *e = wasi_fd_get(fd, 0, err);
  if (!e) return NULL;
  if (e->kind == WASI_FD_DIR || e->host == W2E_NO_HANDLE || !w2e_os_is_socket(e->host)) {
    *err = WASI_ENOTSOCK;
    return NULL;
  }
  return e;
}

/* A guest iovec array as buffers (all checked). At most W2E_BUFS_MAX are used (the rest of a
 * longer array is ignored, as writev would refuse it), their total kept within what one host
 * call reports. */
static uint32_t guest_bufs(w2e_vmctx *vm, uint32_t iovs, uint32_t iovs_len, w2e_buf *out,
                           int *count) {
  const uint8_t *vec = wasi_guest(vm, iovs, (uint64_t)iovs_len * 8);
  if (!vec) return WASI_EFAULT;
  int n = 0;
  uint64_t total = 0;
  for (uint32_t i = 0; i < iovs_len; i++) {
    uint32_t ptr = wasi_load32(vec + 8 * i), len = wasi_load32(vec + 8 * i + 4);
    uint8_t *p = wasi_guest(vm, ptr, len);
    if (!p) return WASI_EFAULT;
    if (len == 0 || n == W2E_BUFS_MAX) continue;
    if (total + len > 0x7ffff000u) len = (uint32_t)(0x7ffff000u - total);
    if (len == 0) continue;
    out[n].p = p;
    out[n].len = len;
    total += len;
    n++;
  }
  *count = n;
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_sock_accept(w2e_vmctx *vm, uint32_t fd, uint32_t flags, uint32_t fd_out) {
  uint32_t err;
  wasi_fd *e = sock_fd(fd, &err);
  if (!e) return err;
  if (flags & ~(uint32_t)WASI_FDFLAG_NONBLOCK) return WASI_EINVAL;
  if (!wasi_guest(vm, fd_out, 4)) return WASI_EFAULT;
  wasi_fd ne;
  memset(&ne, 0, sizeof ne);
  if ((err = w2e_os_accept(e->host, flags & WASI_FDFLAG_NONBLOCK, &ne.host))) return err;
  ne.kind = WASI_FD_SOCKET;
  ne.filetype = WASI_FILETYPE_SOCKET_STREAM;
  ne.fdflags = (uint16_t)flags;
  ne.base = WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_POLL_FD_READWRITE |
            WASI_RIGHT_SOCK_SHUTDOWN | WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FDSTAT_SET_FLAGS;
  uint32_t nfd;
  if ((err = wasi_fd_insert(&ne, &nfd))) {
    wasi_fd_release(&ne);
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
  w2e_buf bufs[W2E_BUFS_MAX];
  int n;
  if ((err = guest_bufs(vm, iovs, iovs_len, bufs, &n))) return err;
  if (!wasi_guest(vm, ro_datalen, 4) || !wasi_guest(vm, ro_flags, 2)) return WASI_EFAULT;
  uint32_t got;
  bool truncated;
  if ((err = w2e_os_recv(e->host, bufs, n, ri_flags & 1, ri_flags & 2, &got, &truncated)))
    return err;
  wasi_store16(wasi_guest(vm, ro_flags, 2), truncated ? 1 : 0);
  return wasi_put32(vm, ro_datalen, got);
}

uint32_t w2e_wasi_sock_send(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                            uint32_t si_flags, uint32_t so_datalen) {
  uint32_t err;
  wasi_fd *e = sock_fd(fd, &err);
  if (!e) return err;
  if (si_flags != 0) return WASI_EINVAL;
  w2e_buf bufs[W2E_BUFS_MAX];
  int n;
  if ((err = guest_bufs(vm, iovs, iovs_len, bufs, &n))) return err;
  if (!wasi_guest(vm, so_datalen, 4)) return WASI_EFAULT;
  uint32_t sent;
  if ((err = w2e_os_send(e->host, bufs, n, &sent))) return err;
  return wasi_put32(vm, so_datalen, sent);
}

uint32_t w2e_wasi_sock_shutdown(w2e_vmctx *vm, uint32_t fd, uint32_t how) {
  uint32_t err;
  wasi_fd *e = sock_fd(fd, &err);
  if (!e) return err;
  if (how == 0 || how > 3) return WASI_EINVAL;
  return w2e_os_shutdown(e->host, how & 1, how & 2);
}
