/*
 * wasi.c: the wasi_snapshot_preview1 import table main.c resolves imports from, plus the
 * small calls: arguments, environment, randomness, proc_exit, proc_raise.
 *
 * Conventions of every host function here and in wasi_*.c: it takes the calling instance's
 * vmctx, then the wasm parameters (i32 as uint32_t, i64 as uint64_t), and returns a WASI errno.
 * Bad pointers return fault, never trap: every guest pointer and length is checked against
 * the current memory size (vmctx->memory->size) in 64-bit arithmetic before use, and a bad
 * one yields errno fault (21) with no side effect (wasmtime traps instead). No argument value
 * can crash the runtime (tests/test_wasi_fuzz.c calls everything with random values).
 *
 * Files: wasi_fd.c (fd table, rights), wasi_files.c (fd_* on open files), wasi_readdir.c
 * (fd_readdir), wasi_paths.c (path_*), wasi_poll.c (clocks, poll_oneoff), wasi_guest.c
 * (guest memory helpers), wasi_bundle.c (embedded directories), wasi_table.c (the import
 * table), ../entry/config.c (capabilities). Everything they need from the OS goes through
 * ../platform/platform.h; the sandbox they keep is stated in sandbox.h. Behaviour follows wasmtime's preview1 where it is observable; the few
 * deviations are noted where they are made.
 */
#include "wasi/wasi_internal.h"
#include "wasi/w2e_wasi.h"

/* ---- Arguments and environment ---- */

int wasi_argc;
char **wasi_argv;

void w2e_wasi_set_args(int argc, char **argv) {
  w2e_os_args(&argc, &argv);
  wasi_argc = argc;
  wasi_argv = argv;
}

/* ---- Randomness, process ---- */

uint32_t w2e_wasi_random_get(w2e_vmctx *vm, uint32_t buf, uint32_t len) {
  uint8_t *p = wasi_guest(vm, buf, len);
  if (!p) return WASI_EFAULT;
  return w2e_os_random(p, len) ? WASI_ESUCCESS : WASI_EIO;
}

void w2e_wasi_proc_exit(w2e_vmctx *vm, uint32_t code) { w2e_os_exit(code); }

/* As wasmtime: signals are not supported. */
uint32_t w2e_wasi_proc_raise(w2e_vmctx *vm, uint32_t sig) { return WASI_ENOTSUP; }
