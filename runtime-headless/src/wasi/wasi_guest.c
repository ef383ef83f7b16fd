/*
 * wasi_guest.c: the guest-memory helpers every WASI call uses: results stored at guest
 * addresses and guest strings copied out (checked for bounds, UTF-8 and NULs).
 */
#include "wasi/wasi_internal.h"

#include <stdlib.h>
#include <string.h>

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
