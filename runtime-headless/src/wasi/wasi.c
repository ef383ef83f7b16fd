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
#include "wasi/wasi_internal.h"
#include "wasi/w2e_wasi.h"

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
