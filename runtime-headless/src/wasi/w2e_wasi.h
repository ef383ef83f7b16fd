/*
 * w2e_wasi.h: the wasi_snapshot_preview1 host functions (wasi*.c), as main.c resolves them,
 * and the start-up configuration (config.c).
 */
#ifndef W2E_WASI_H
#define W2E_WASI_H

#include <stddef.h>

/* One host function. `sig` spells its wasm type as params ':' results, one letter per value:
 * i = i32, I = i64, f = f32, F = f64 (so fd_write is "iiii:i", proc_exit "i:"). The C function
 * takes (w2e_vmctx *vmctx, params...) with i32 as uint32_t and i64 as uint64_t. */
typedef struct w2e_wasi_func {
  const char *name;
  const char *sig;
  const void *code;
} w2e_wasi_func;

/* The host function named `name` (name_len bytes), or NULL. */
const w2e_wasi_func *w2e_wasi_lookup(const char *name, size_t name_len);

/* All host functions (for tests). */
const w2e_wasi_func *w2e_wasi_funcs(size_t *count);

/* The arguments the guest sees (argv as given, argv[0] included). */
void w2e_wasi_set_args(int argc, char **argv);

/* Sets up the fd table (stdio, preopens) and the environment from the capability records
 * (w2e_config.h; NULL: none). A directory that cannot be opened ends the process with a
 * one-line error and W2E_EXIT_RUNTIME_ERROR. */
void w2e_wasi_configure(const char *records);

/* The export the executable runs instead of _start (the "entry" record), or NULL. */
const char *w2e_config_entry(void);

#endif /* W2E_WASI_H */
