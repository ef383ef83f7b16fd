/*
 * w2e_wasi.h: the wasi_snapshot_preview1 host functions (wasi*.c), as main.c resolves them,
 * and the start-up configuration (config.c).
 */
#ifndef W2E_WASI_H
#define W2E_WASI_H

#include "w2e_abi.h"

#include <stddef.h>
#include <stdint.h>

/* One host function. `sig` spells its wasm type as params ':' results, one letter per value:
 * i = i32, I = i64, f = f32, F = f64 (so fd_write is "iiii:i", proc_exit "i:"). The C function
 * takes (w2e_vmctx *vmctx, params...) with i32 as uint32_t and i64 as uint64_t. */
typedef struct w2e_wasi_func {
  const char *name;
  const char *sig;
  const void *code;
} w2e_wasi_func;

/* Every wasi_snapshot_preview1 function, declared once: X(name, result, params...), each type
 * a letter: i = i32 (uint32_t), I = i64 (uint64_t), v = no result, and `vm` the calling
 * instance's w2e_vmctx * (always first). From this one list come both the prototypes below,
 * which every implementation must match to compile, and the `sig` strings of the import
 * table (wasi_table.c), which the runtime checks each module's import types against. */
#define W2E_WASI_FUNCS(X)                                                                      \
  X(args_get, i, vm, i, i) X(args_sizes_get, i, vm, i, i) X(environ_get, i, vm, i, i)         \
  X(environ_sizes_get, i, vm, i, i) X(proc_exit, v, vm, i) X(proc_raise, i, vm, i)             \
  X(random_get, i, vm, i, i) X(clock_res_get, i, vm, i, i) X(clock_time_get, i, vm, i, I, i)  \
  X(fd_advise, i, vm, i, I, I, i) X(fd_allocate, i, vm, i, I, I) X(fd_close, i, vm, i)         \
  X(fd_datasync, i, vm, i) X(fd_fdstat_get, i, vm, i, i) X(fd_fdstat_set_flags, i, vm, i, i)   \
  X(fd_fdstat_set_rights, i, vm, i, I, I) X(fd_filestat_get, i, vm, i, i)                      \
  X(fd_filestat_set_size, i, vm, i, I) X(fd_filestat_set_times, i, vm, i, I, I, i)             \
  X(fd_pread, i, vm, i, i, i, I, i) X(fd_prestat_dir_name, i, vm, i, i, i)                     \
  X(fd_prestat_get, i, vm, i, i) X(fd_pwrite, i, vm, i, i, i, I, i) X(fd_read, i, vm, i, i, i, i) \
  X(fd_readdir, i, vm, i, i, i, I, i) X(fd_renumber, i, vm, i, i) X(fd_seek, i, vm, i, I, i, i) \
  X(fd_sync, i, vm, i) X(fd_tell, i, vm, i, i) X(fd_write, i, vm, i, i, i, i)                   \
  X(path_create_directory, i, vm, i, i, i) X(path_filestat_get, i, vm, i, i, i, i, i)           \
  X(path_filestat_set_times, i, vm, i, i, i, i, I, I, i)                                       \
  X(path_link, i, vm, i, i, i, i, i, i, i) X(path_open, i, vm, i, i, i, i, i, I, I, i, i)       \
  X(path_readlink, i, vm, i, i, i, i, i, i) X(path_remove_directory, i, vm, i, i, i)            \
  X(path_rename, i, vm, i, i, i, i, i, i) X(path_symlink, i, vm, i, i, i, i, i)                 \
  X(path_unlink_file, i, vm, i, i, i) X(poll_oneoff, i, vm, i, i, i, i) X(sched_yield, i, vm)    \
  X(sock_accept, i, vm, i, i, i) X(sock_recv, i, vm, i, i, i, i, i, i)                          \
  X(sock_send, i, vm, i, i, i, i, i) X(sock_shutdown, i, vm, i, i)

/* The letters as C types and as `sig` characters. */
#define W2E_WASI_T_vm w2e_vmctx *
#define W2E_WASI_T_i uint32_t
#define W2E_WASI_T_I uint64_t
#define W2E_WASI_T_v void
#define W2E_WASI_S_vm ""
#define W2E_WASI_S_i "i"
#define W2E_WASI_S_I "I"
#define W2E_WASI_S_v ""

/* W2E_WASI_TYPES(vm, i, I) is `w2e_vmctx *, uint32_t, uint64_t`; W2E_WASI_SIG(vm, i, I) is
 * "iI" (up to 10 letters). */
#define W2E_WASI_NARGS(...) W2E_WASI_NARGS_(__VA_ARGS__, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define W2E_WASI_NARGS_(a, b, c, d, e, f, g, h, i, j, n, ...) n
#define W2E_WASI_CAT(a, b) W2E_WASI_CAT_(a, b)
#define W2E_WASI_CAT_(a, b) a##b
#define W2E_WASI_TYPES(...) W2E_WASI_CAT(W2E_WASI_T, W2E_WASI_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define W2E_WASI_T1(a) W2E_WASI_T_##a
#define W2E_WASI_T2(a, ...) W2E_WASI_T_##a, W2E_WASI_T1(__VA_ARGS__)
#define W2E_WASI_T3(a, ...) W2E_WASI_T_##a, W2E_WASI_T2(__VA_ARGS__)
#define W2E_WASI_T4(a, ...) W2E_WASI_T_##a, W2E_WASI_T3(__VA_ARGS__)
#define W2E_WASI_T5(a, ...) W2E_WASI_T_##a, W2E_WASI_T4(__VA_ARGS__)
#define W2E_WASI_T6(a, ...) W2E_WASI_T_##a, W2E_WASI_T5(__VA_ARGS__)
#define W2E_WASI_T7(a, ...) W2E_WASI_T_##a, W2E_WASI_T6(__VA_ARGS__)
#define W2E_WASI_T8(a, ...) W2E_WASI_T_##a, W2E_WASI_T7(__VA_ARGS__)
#define W2E_WASI_T9(a, ...) W2E_WASI_T_##a, W2E_WASI_T8(__VA_ARGS__)
#define W2E_WASI_T10(a, ...) W2E_WASI_T_##a, W2E_WASI_T9(__VA_ARGS__)
#define W2E_WASI_SIG(...) W2E_WASI_CAT(W2E_WASI_S, W2E_WASI_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define W2E_WASI_S1(a) W2E_WASI_S_##a
#define W2E_WASI_S2(a, ...) W2E_WASI_S_##a W2E_WASI_S1(__VA_ARGS__)
#define W2E_WASI_S3(a, ...) W2E_WASI_S_##a W2E_WASI_S2(__VA_ARGS__)
#define W2E_WASI_S4(a, ...) W2E_WASI_S_##a W2E_WASI_S3(__VA_ARGS__)
#define W2E_WASI_S5(a, ...) W2E_WASI_S_##a W2E_WASI_S4(__VA_ARGS__)
#define W2E_WASI_S6(a, ...) W2E_WASI_S_##a W2E_WASI_S5(__VA_ARGS__)
#define W2E_WASI_S7(a, ...) W2E_WASI_S_##a W2E_WASI_S6(__VA_ARGS__)
#define W2E_WASI_S8(a, ...) W2E_WASI_S_##a W2E_WASI_S7(__VA_ARGS__)
#define W2E_WASI_S9(a, ...) W2E_WASI_S_##a W2E_WASI_S8(__VA_ARGS__)
#define W2E_WASI_S10(a, ...) W2E_WASI_S_##a W2E_WASI_S9(__VA_ARGS__)

/* The prototypes: an implementation with another parameter list does not compile. */
#define W2E_WASI_DECLARE(name, result, ...) \
  W2E_WASI_T_##result w2e_wasi_##name(W2E_WASI_TYPES(__VA_ARGS__));
W2E_WASI_FUNCS(W2E_WASI_DECLARE)
#undef W2E_WASI_DECLARE

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
