/*
 * wasi_errno.c: host errno values -> WASI errno values, and the guest memory helpers the WASI
 * files share (results, iovec arrays, path strings).
 */
#include "wasi/wasi_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* POSIX errno mapping and iovecs: Windows maps Win32 errors itself (wasi_win32.c); the
 * guest-memory helpers below are shared. */
#if !defined(_WIN32)
#include <sys/uio.h>

uint32_t wasi_errno(int e) {
  switch (e) {
  case 0: return WASI_ESUCCESS;
  case E2BIG: return WASI_E2BIG;
  case EACCES: return WASI_EACCES;
  case EADDRINUSE: return WASI_EADDRINUSE;
  case EADDRNOTAVAIL: return WASI_EADDRNOTAVAIL;
  case EAFNOSUPPORT: return WASI_EAFNOSUPPORT;
  case EAGAIN: return WASI_EAGAIN;
#if EWOULDBLOCK != EAGAIN
  case EWOULDBLOCK: return WASI_EAGAIN;
#endif
  case EALREADY: return WASI_EALREADY;
  case EBADF: return WASI_EBADF;
  case EBADMSG: return WASI_EBADMSG;
  case EBUSY: return WASI_EBUSY;
  case ECANCELED: return WASI_ECANCELED;
  case ECHILD: return WASI_ECHILD;
  case ECONNABORTED: return WASI_ECONNABORTED;
  case ECONNREFUSED: return WASI_ECONNREFUSED;
  case ECONNRESET: return WASI_ECONNRESET;
  case EDEADLK: return WASI_EDEADLK;
  case EDESTADDRREQ: return WASI_EDESTADDRREQ;
  case EDOM: return WASI_EDOM;
  case EDQUOT: return WASI_EDQUOT;
  case EEXIST: return WASI_EEXIST;
  case EFAULT: return WASI_EFAULT;
  case EFBIG: return WASI_EFBIG;
  case EHOSTUNREACH: return WASI_EHOSTUNREACH;
  case EIDRM: return WASI_EIDRM;
  case EILSEQ: return WASI_EILSEQ;
  case EINPROGRESS: return WASI_EINPROGRESS;
  case EINTR: return WASI_EINTR;
  case EINVAL: return WASI_EINVAL;
  case EIO: return WASI_EIO;
  case EISCONN: return WASI_EISCONN;
  case EISDIR: return WASI_EISDIR;
  case ELOOP: return WASI_ELOOP;
  case EMFILE: return WASI_EMFILE;
  case EMLINK: return WASI_EMLINK;
  case EMSGSIZE: return WASI_EMSGSIZE;
#ifdef EMULTIHOP
  case EMULTIHOP: return WASI_EMULTIHOP;
#endif
  case ENAMETOOLONG: return WASI_ENAMETOOLONG;
  case ENETDOWN: return WASI_ENETDOWN;
  case ENETRESET: return WASI_ENETRESET;
  case ENETUNREACH: return WASI_ENETUNREACH;
  case ENFILE: return WASI_ENFILE;
  case ENOBUFS: return WASI_ENOBUFS;
  case ENODEV: return WASI_ENODEV;
  case ENOENT: return WASI_ENOENT;
  case ENOEXEC: return WASI_ENOEXEC;
  case ENOLCK: return WASI_ENOLCK;
#ifdef ENOLINK
  case ENOLINK: return WASI_ENOLINK;
#endif
  case ENOMEM: return WASI_ENOMEM;
  case ENOMSG: return WASI_ENOMSG;
  case ENOPROTOOPT: return WASI_ENOPROTOOPT;
  case ENOSPC: return WASI_ENOSPC;
  case ENOSYS: return WASI_ENOSYS;
  case ENOTCONN: return WASI_ENOTCONN;
  case ENOTDIR: return WASI_ENOTDIR;
  case ENOTEMPTY: return WASI_ENOTEMPTY;
#ifdef ENOTRECOVERABLE
  case ENOTRECOVERABLE: return WASI_ENOTRECOVERABLE;
#endif
  case ENOTSOCK: return WASI_ENOTSOCK;
  case ENOTSUP: return WASI_ENOTSUP;
#if defined(EOPNOTSUPP) && EOPNOTSUPP != ENOTSUP
  case EOPNOTSUPP: return WASI_ENOTSUP;
#endif
  case ENOTTY: return WASI_ENOTTY;
  case ENXIO: return WASI_ENXIO;
  case EOVERFLOW: return WASI_EOVERFLOW;
#ifdef EOWNERDEAD
  case EOWNERDEAD: return WASI_EOWNERDEAD;
#endif
  case EPERM: return WASI_EPERM;
  case EPIPE: return WASI_EPIPE;
  case EPROTO: return WASI_EPROTO;
  case EPROTONOSUPPORT: return WASI_EPROTONOSUPPORT;
  case EPROTOTYPE: return WASI_EPROTOTYPE;
  case ERANGE: return WASI_ERANGE;
  case EROFS: return WASI_EROFS;
  case ESPIPE: return WASI_ESPIPE;
  case ESRCH: return WASI_ESRCH;
  case ESTALE: return WASI_ESTALE;
  case ETIMEDOUT: return WASI_ETIMEDOUT;
  case ETXTBSY: return WASI_ETXTBSY;
  case EXDEV: return WASI_EXDEV;
  default: return WASI_EIO;
  }
}
#endif /* !_WIN32 */

uint32_t wasi_put32(w2e_vmctx *vm, uint32_t ptr, uint32_t v) {
  uint8_t *p = wasi_guest(vm, ptr, 4);
  if (!p) return WASI_EFAULT;
  wasi_store32(p, v);
  return WASI_ESUCCESS;
}

uint32_t wasi_put64(w2e_vmctx *vm, uint32_t ptr, uint64_t v) {
  uint8_t *p = wasi_guest(vm, ptr, 8);
  if (!p) return WASI_EFAULT;
  wasi_store64(p, v);
  return WASI_ESUCCESS;
}

#if !defined(_WIN32)
uint32_t wasi_iovecs(w2e_vmctx *vm, uint32_t iovs, uint32_t iovs_len, struct iovec *out,
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
#endif /* !_WIN32 */

/* True when the bytes are valid UTF-8 (Rust's definition: no surrogates, no overlongs). */
static bool valid_utf8(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint8_t c = s[i];
    if (c < 0x80) { i++; continue; }
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; cp = c & 0x07; }
    else return false;
    if (len - i <= n) return false;
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

uint32_t wasi_guest_string(w2e_vmctx *vm, uint32_t ptr, uint32_t len, char **out) {
  const uint8_t *p = wasi_guest(vm, ptr, len);
  if (!p) return WASI_EFAULT;
  if (!valid_utf8(p, len)) return WASI_EILSEQ;
  if (memchr(p, 0, len)) return WASI_EINVAL;
  char *s = malloc((size_t)len + 1);
  if (!s) return WASI_ENOMEM;
  memcpy(s, p, len);
  s[len] = 0;
  *out = s;
  return WASI_ESUCCESS;
}
