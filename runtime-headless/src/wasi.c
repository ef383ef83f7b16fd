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

static uint32_t args_sizes_get(w2e_vmctx *vm, uint32_t argc_ptr, uint32_t size_ptr) {
  return put_sizes(vm, wasi_argv, wasi_argc, argc_ptr, size_ptr);
}

static uint32_t args_get(w2e_vmctx *vm, uint32_t argv_ptr, uint32_t buf_ptr) {
  return put_strings(vm, wasi_argv, wasi_argc, argv_ptr, buf_ptr);
}

static uint32_t environ_sizes_get(w2e_vmctx *vm, uint32_t count_ptr, uint32_t size_ptr) {
  return put_sizes(vm, wasi_envv, wasi_envc, count_ptr, size_ptr);
}

static uint32_t environ_get(w2e_vmctx *vm, uint32_t environ_ptr, uint32_t buf_ptr) {
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

static uint32_t random_get(w2e_vmctx *vm, uint32_t buf, uint32_t len) {
  uint8_t *p = wasi_guest(vm, buf, len);
  if (!p) return WASI_EFAULT;
  return os_random(p, len) ? WASI_ESUCCESS : WASI_EIO;
}

static void proc_exit(w2e_vmctx *vm, uint32_t code) {
  /* Nothing is buffered on the runtime side, so no flushing is needed. */
  _exit((int)code);
}

/* As wasmtime: signals are not supported. */
static uint32_t proc_raise(w2e_vmctx *vm, uint32_t sig) { return WASI_ENOTSUP; }

/* ---- The table ---- */

#define H(name, sig) uint32_t w2e_wasi_##name();
#define LIST(X)                                                                                \
  X(clock_res_get, "ii:i") X(clock_time_get, "iIi:i") X(fd_advise, "iIIi:i")                   \
  X(fd_allocate, "iII:i") X(fd_close, "i:i") X(fd_datasync, "i:i") X(fd_fdstat_get, "ii:i")     \
  X(fd_fdstat_set_flags, "ii:i") X(fd_fdstat_set_rights, "iII:i") X(fd_filestat_get, "ii:i")    \
  X(fd_filestat_set_size, "iI:i") X(fd_filestat_set_times, "iIIi:i") X(fd_pread, "iiiIi:i")    \
  X(fd_prestat_dir_name, "iii:i") X(fd_prestat_get, "ii:i") X(fd_pwrite, "iiiIi:i")            \
  X(fd_read, "iiii:i") X(fd_readdir, "iiiIi:i") X(fd_renumber, "ii:i") X(fd_seek, "iIii:i")     \
  X(fd_sync, "i:i") X(fd_tell, "ii:i") X(fd_write, "iiii:i")                                    \
  X(path_create_directory, "iii:i") X(path_filestat_get, "iiiii:i")                             \
  X(path_filestat_set_times, "iiiiIIi:i") X(path_link, "iiiiiii:i")                             \
  X(path_open, "iiiiiIIii:i") X(path_readlink, "iiiiii:i") X(path_remove_directory, "iii:i")    \
  X(path_rename, "iiiiii:i") X(path_symlink, "iiiii:i") X(path_unlink_file, "iii:i")            \
  X(poll_oneoff, "iiii:i") X(sched_yield, ":i") X(sock_accept, "iii:i")                         \
  X(sock_recv, "iiiiii:i") X(sock_send, "iiiii:i") X(sock_shutdown, "ii:i")
LIST(H)
#undef H

#define ENTRY(name, sig) {#name, sig, (const void *)w2e_wasi_##name},
static const w2e_wasi_func wasi_funcs[] = {
    {"args_get", "ii:i", (const void *)args_get},
    {"args_sizes_get", "ii:i", (const void *)args_sizes_get},
    {"environ_get", "ii:i", (const void *)environ_get},
    {"environ_sizes_get", "ii:i", (const void *)environ_sizes_get},
    {"proc_exit", "i:", (const void *)proc_exit},
    {"proc_raise", "i:i", (const void *)proc_raise},
    {"random_get", "ii:i", (const void *)random_get},
    LIST(ENTRY)
};

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

#endif /* !_WIN32 */
