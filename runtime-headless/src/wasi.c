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
 * Files: wasi_fd.c (fd table, rights), wasi_path.c (sandboxed resolution), wasi_files.c
 * (fd_* on open files), wasi_dirs.c (readdir, path_*), wasi_poll.c (clocks, poll_oneoff),
 * wasi_sock.c (sockets), wasi_errno.c (errno mapping, guest memory helpers), config.c
 * (capabilities). Behaviour follows wasmtime's preview1 where it is observable; the few
 * deviations are noted where they are made.
 */
#if !defined(_WIN32) /* whole file: POSIX only (Windows: *_win32.c) */
#include "wasi_internal.h"
#include "w2e_wasi.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__) || defined(__APPLE__)
#include <sys/random.h> /* getrandom (Linux), getentropy (macOS) */
#endif

/* ---- Arguments and environment ---- */

int wasi_argc;
char **wasi_argv;

void w2e_wasi_set_args(int argc, char **argv) {
  wasi_argc = argc;
  wasi_argv = argv;
}

/* Writes `count` strings as an array of u32 pointers at `ptrs` and NUL-terminated bytes at
 * `buf`, the layout of args_get and environ_get. */
static uint32_t put_strings(w2e_vmctx *vm, char **strs, int count, uint32_t ptrs, uint32_t buf) {
  uint64_t size = 0;
  for (int i = 0; i < count; i++) size += strlen(strs[i]) + 1;
  uint8_t *p = wasi_guest(vm, ptrs, (uint64_t)count * 4);
  uint8_t *b = wasi_guest(vm, buf, size);
  if (!p || !b) return WASI_EFAULT;
  uint64_t at = 0;
  for (int i = 0; i < count; i++) {
    size_t len = strlen(strs[i]) + 1;
    wasi_store32(p + 4 * i, (uint32_t)(buf + at));
    memcpy(b + at, strs[i], len);
    at += len;
  }
  return WASI_ESUCCESS;
}

static uint32_t put_sizes(w2e_vmctx *vm, char **strs, int count, uint32_t count_ptr,
                          uint32_t size_ptr) {
  uint64_t size = 0;
  for (int i = 0; i < count; i++) size += strlen(strs[i]) + 1;
  if (size > UINT32_MAX) return WASI_EOVERFLOW;
  if (!wasi_guest(vm, count_ptr, 4) || !wasi_guest(vm, size_ptr, 4)) return WASI_EFAULT;
  wasi_put32(vm, count_ptr, (uint32_t)count);
  wasi_put32(vm, size_ptr, (uint32_t)size);
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_args_sizes_get(w2e_vmctx *vm, uint32_t argc_ptr, uint32_t size_ptr) {
  return put_sizes(vm, wasi_argv, wasi_argc, argc_ptr, size_ptr);
}

uint32_t w2e_wasi_args_get(w2e_vmctx *vm, uint32_t argv_ptr, uint32_t buf_ptr) {
  return put_strings(vm, wasi_argv, wasi_argc, argv_ptr, buf_ptr);
}

uint32_t w2e_wasi_environ_sizes_get(w2e_vmctx *vm, uint32_t count_ptr, uint32_t size_ptr) {
  return put_sizes(vm, wasi_envv, wasi_envc, count_ptr, size_ptr);
}

uint32_t w2e_wasi_environ_get(w2e_vmctx *vm, uint32_t environ_ptr, uint32_t buf_ptr) {
  return put_strings(vm, wasi_envv, wasi_envc, environ_ptr, buf_ptr);
}

/* ---- Randomness, process ---- */

/* Fills `buf` from the OS's random source; false when none works. */
static bool os_random(uint8_t *buf, size_t len) {
#if defined(__linux__)
  while (len > 0) {
    ssize_t n = getrandom(buf, len, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* e.g. ENOSYS on old kernels: fall back to the device */
    buf += n;
    len -= (size_t)n;
  }
  if (len == 0) return true;
#elif defined(__APPLE__)
  while (len > 0) {
    size_t n = len > 256 ? 256 : len;
    if (getentropy(buf, n) != 0) break;
    buf += n;
    len -= n;
  }
  if (len == 0) return true;
#endif
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  while (len > 0) {
    ssize_t n = read(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf += n;
    len -= (size_t)n;
  }
  close(fd);
  return len == 0;
}

uint32_t w2e_wasi_random_get(w2e_vmctx *vm, uint32_t buf, uint32_t len) {
  uint8_t *p = wasi_guest(vm, buf, len);
  if (!p) return WASI_EFAULT;
  return os_random(p, len) ? WASI_ESUCCESS : WASI_EIO;
}

void w2e_wasi_proc_exit(w2e_vmctx *vm, uint32_t code) {
  /* Nothing is buffered on the runtime side, so no flushing is needed. */
  _exit((int)code);
}

/* As wasmtime: signals are not supported. */
uint32_t w2e_wasi_proc_raise(w2e_vmctx *vm, uint32_t sig) { return WASI_ENOTSUP; }

#endif /* !_WIN32 */
