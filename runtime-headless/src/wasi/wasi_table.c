/*
 * wasi_table.c: the wasi_snapshot_preview1 import table: each function's name, its signature
 * (params:results; i = i32, I = i64), checked against the module's import type, and the C
 * function implementing it, w2e_wasi_NAME, from the POSIX files (wasi*.c) or the Windows ones
 * (*_win32.c). Names, signatures and prototypes all come from W2E_WASI_FUNCS (w2e_wasi.h).
 * Portable: the same table for every OS.
 */

#include "wasi/w2e_wasi.h"

#include <stdint.h>
#include <string.h>

#define ENTRY(name, result, ...) \
  {#name, W2E_WASI_SIG(__VA_ARGS__) ":" W2E_WASI_S_##result, (const void *)w2e_wasi_##name},
static const w2e_wasi_func wasi_funcs[] = {W2E_WASI_FUNCS(ENTRY)};
#undef ENTRY

const w2e_wasi_func *w2e_wasi_lookup(const char *name, size_t name_len) {
  for (size_t i = 0; i < sizeof wasi_funcs / sizeof wasi_funcs[0]; i++)
    if (strlen(wasi_funcs[i].name) == name_len && memcmp(wasi_funcs[i].name, name, name_len) == 0)
      return &wasi_funcs[i];
  return NULL;
}

const w2e_wasi_func *w2e_wasi_funcs(size_t *count) {
  *count = sizeof wasi_funcs / sizeof wasi_funcs[0];
  return wasi_funcs;
}

