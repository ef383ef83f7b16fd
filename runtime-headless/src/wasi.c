/*
 * wasi.c: a minimal wasi_snapshot_preview1: stdio, arguments, an empty environment, clocks,
 * randomness, exit. No files or preopens yet.
 *
 * Host functions take the calling instance's vmctx first, then the wasm parameters, and return
 * a WASI errno. Every guest pointer and length is checked against the current memory size in
 * 64-bit arithmetic before use; a bad one yields EFAULT. Linear memory is little-endian, so
 * multi-byte values go through the load/store helpers below.
 */
#include "w2e_internal.h"
#include "w2e_wasi.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

/* WASI errno values (wasi_snapshot_preview1). */
enum {
  WASI_ESUCCESS = 0,
  WASI_EAGAIN = 6,
  WASI_EBADF = 8,
  WASI_EFAULT = 21,
  WASI_EFBIG = 22,
  WASI_EINTR = 27,
  WASI_EINVAL = 28,
  WASI_EIO = 29,
  WASI_ENOSPC = 51,
  WASI_ENOSYS = 52,
  WASI_EPIPE = 64,
  WASI_ESPIPE = 70,
};

/* ---- Guest memory access ---- */

/* The host address of guest range [ptr, ptr+len), or NULL when it is out of bounds. */
static uint8_t *guest(w2e_vmctx *vm, uint64_t ptr, uint64_t len) {
  w2e_memory *mem = vm->memory;
  if (!mem || ptr > mem->size || len > mem->size - ptr) return NULL;
  return mem->base + ptr;
}

static uint32_t load32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void store64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Stores a u32 result at guest address `ptr`. */
static uint32_t put32(w2e_vmctx *vm, uint32_t ptr, uint32_t v) {
  uint8_t *p = guest(vm, ptr, 4);
  if (!p) return WASI_EFAULT;
  store32(p, v);
  return WASI_ESUCCESS;
}

static uint32_t host_errno(int e) {
  switch (e) {
  case EAGAIN: return WASI_EAGAIN;
  case EBADF: return WASI_EBADF;
  case EFAULT: return WASI_EFAULT;
  case EFBIG: return WASI_EFBIG;
  case EINTR: return WASI_EINTR;
  case EINVAL: return WASI_EINVAL;
  case ENOSPC: return WASI_ENOSPC;
  case EPIPE: return WASI_EPIPE;
  case ESPIPE: return WASI_ESPIPE;
  default: return WASI_EIO;
  }
}

/* ---- Standard streams ---- */

/* Guest fds 0..2 map to the host's; closing one only hides it from the guest. */
static bool stdio_closed[3];

static bool is_stdio(uint32_t fd) { return fd < 3 && !stdio_closed[fd]; }

/* Reads or writes the guest iovec array: each entry is {u32 buf, u32 len}. */
static uint32_t do_io(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t iovs_len, uint32_t nptr,
                      bool writing) {
  if (!is_stdio(fd) || (writing ? fd == 0 : fd != 0)) return WASI_EBADF;
  const uint8_t *vec = guest(vm, iovs, (uint64_t)iovs_len * 8);
  if (!vec || !guest(vm, nptr, 4)) return WASI_EFAULT;
  for (uint32_t i = 0; i < iovs_len; i++)
    if (!guest(vm, load32(vec + 8 * i), load32(vec + 8 * i + 4))) return WASI_EFAULT;
  uint64_t total = 0;
  for (uint32_t i = 0; i < iovs_len; i++) {
    uint8_t *buf = guest(vm, load32(vec + 8 * i), 0);
    uint32_t len = load32(vec + 8 * i + 4);
    while (len > 0) {
      ssize_t n = writing ? write((int)fd, buf, len) : read((int)fd, buf, len);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        if (total) goto done; /* report the partial transfer, the error comes next call */
        return host_errno(errno);
      }
      total += (uint64_t)n;
      if ((uint32_t)n < len) goto done; /* short transfer: stop, as readv/writev would */
      len = 0;
    }
  }
done:
  return put32(vm, nptr, (uint32_t)total);
}

static uint32_t fd_write(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                         uint32_t nwritten) {
  return do_io(vm, fd, iovs, iovs_len, nwritten, true);
}

static uint32_t fd_read(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                        uint32_t nread) {
  return do_io(vm, fd, iovs, iovs_len, nread, false);
}

static uint32_t fd_close(w2e_vmctx *vm, uint32_t fd) {
  if (!is_stdio(fd)) return WASI_EBADF;
  stdio_closed[fd] = true;
  return WASI_ESUCCESS;
}

/* fdstat: u8 filetype, u16 flags at 2, u64 rights_base at 8, u64 rights_inheriting at 16. */
static uint32_t fd_fdstat_get(w2e_vmctx *vm, uint32_t fd, uint32_t stat) {
  if (!is_stdio(fd)) return WASI_EBADF;
  uint8_t *p = guest(vm, stat, 24);
  if (!p) return WASI_EFAULT;
  /* Rights: fd_read(1), fd_fdstat_set_flags(3), fd_write(6), poll_fd_readwrite(27). No seek
   * or tell, so wasi-libc treats the stream as a terminal (line-buffered stdout). */
  const uint64_t rights = (1u << 1) | (1u << 3) | (1u << 6) | (1u << 27);
  memset(p, 0, 24);
  p[0] = 2; /* character_device */
  store64(p + 8, rights);
  return WASI_ESUCCESS;
}

static uint32_t fd_seek(w2e_vmctx *vm, uint32_t fd, uint64_t offset, uint32_t whence,
                        uint32_t newoffset) {
  return is_stdio(fd) ? WASI_ESPIPE : WASI_EBADF;
}

/* No preopened directories yet: the guest's scan of fds 3, 4, ... ends at once. */
static uint32_t fd_prestat_get(w2e_vmctx *vm, uint32_t fd, uint32_t prestat) {
  return WASI_EBADF;
}

static uint32_t fd_prestat_dir_name(w2e_vmctx *vm, uint32_t fd, uint32_t path, uint32_t len) {
  return WASI_EBADF;
}

static void proc_exit(w2e_vmctx *vm, uint32_t code) {
  /* Nothing is buffered on the runtime side, so no flushing is needed. */
  _exit((int)code);
}

/* ---- Arguments and environment ---- */

static int guest_argc;
static char **guest_argv;

void w2e_wasi_set_args(int argc, char **argv) {
  guest_argc = argc;
  guest_argv = argv;
}

/* Writes `count` strings as an array of u32 pointers at `ptrs` and NUL-terminated bytes at
 * `buf`, the layout of args_get and environ_get. */
static uint32_t put_strings(w2e_vmctx *vm, char **strs, int count, uint32_t ptrs, uint32_t buf) {
  uint64_t size = 0;
  for (int i = 0; i < count; i++) size += strlen(strs[i]) + 1;
  uint8_t *p = guest(vm, ptrs, (uint64_t)count * 4);
  uint8_t *b = guest(vm, buf, size);
  if (!p || !b) return WASI_EFAULT;
  uint64_t at = 0;
  for (int i = 0; i < count; i++) {
    size_t len = strlen(strs[i]) + 1;
    store32(p + 4 * i, (uint32_t)(buf + at));
    memcpy(b + at, strs[i], len);
    at += len;
  }
  return WASI_ESUCCESS;
}

static uint32_t put_sizes(w2e_vmctx *vm, char **strs, int count, uint32_t count_ptr,
                          uint32_t size_ptr) {
  uint64_t size = 0;
  for (int i = 0; i < count; i++) size += strlen(strs[i]) + 1;
  if (size > UINT32_MAX) return WASI_EINVAL;
  if (!guest(vm, count_ptr, 4) || !guest(vm, size_ptr, 4)) return WASI_EFAULT;
  put32(vm, count_ptr, (uint32_t)count);
  put32(vm, size_ptr, (uint32_t)size);
  return WASI_ESUCCESS;
}

static uint32_t args_sizes_get(w2e_vmctx *vm, uint32_t argc_ptr, uint32_t size_ptr) {
  return put_sizes(vm, guest_argv, guest_argc, argc_ptr, size_ptr);
}

static uint32_t args_get(w2e_vmctx *vm, uint32_t argv_ptr, uint32_t buf_ptr) {
  return put_strings(vm, guest_argv, guest_argc, argv_ptr, buf_ptr);
}

/* The guest sees an empty environment until environment grants exist. */
static char *guest_env[1];
static const int guest_envc = 0;

static uint32_t environ_sizes_get(w2e_vmctx *vm, uint32_t count_ptr, uint32_t size_ptr) {
  return put_sizes(vm, guest_env, guest_envc, count_ptr, size_ptr);
}

static uint32_t environ_get(w2e_vmctx *vm, uint32_t environ_ptr, uint32_t buf_ptr) {
  return put_strings(vm, guest_env, guest_envc, environ_ptr, buf_ptr);
}

/* ---- Clocks, randomness, scheduling ---- */

static bool host_clock(uint32_t id, clockid_t *out) {
  switch (id) {
  case 0: *out = CLOCK_REALTIME; return true;
  case 1: *out = CLOCK_MONOTONIC; return true;
  case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
  case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
  default: return false;
  }
}

static uint32_t clock_time_get(w2e_vmctx *vm, uint32_t id, uint64_t precision, uint32_t time_ptr) {
  clockid_t c;
  struct timespec ts;
  if (!host_clock(id, &c)) return WASI_EINVAL;
  uint8_t *p = guest(vm, time_ptr, 8);
  if (!p) return WASI_EFAULT;
  if (clock_gettime(c, &ts) != 0) return host_errno(errno);
  store64(p, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
  return WASI_ESUCCESS;
}

static uint32_t clock_res_get(w2e_vmctx *vm, uint32_t id, uint32_t res_ptr) {
  clockid_t c;
  struct timespec ts;
  if (!host_clock(id, &c)) return WASI_EINVAL;
  uint8_t *p = guest(vm, res_ptr, 8);
  if (!p) return WASI_EFAULT;
  if (clock_getres(c, &ts) != 0) return host_errno(errno);
  store64(p, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
  return WASI_ESUCCESS;
}

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
  uint8_t *p = guest(vm, buf, len);
  if (!p) return WASI_EFAULT;
  return os_random(p, len) ? WASI_ESUCCESS : WASI_EIO;
}

static uint32_t sched_yield_(w2e_vmctx *vm) {
  sched_yield();
  return WASI_ESUCCESS;
}

/* ---- The table main.c resolves imports from ---- */

static const w2e_wasi_func wasi_funcs[] = {
    {"args_get", "ii:i", (const void *)args_get},
    {"args_sizes_get", "ii:i", (const void *)args_sizes_get},
    {"clock_res_get", "ii:i", (const void *)clock_res_get},
    {"clock_time_get", "iIi:i", (const void *)clock_time_get},
    {"environ_get", "ii:i", (const void *)environ_get},
    {"environ_sizes_get", "ii:i", (const void *)environ_sizes_get},
    {"fd_close", "i:i", (const void *)fd_close},
    {"fd_fdstat_get", "ii:i", (const void *)fd_fdstat_get},
    {"fd_prestat_dir_name", "iii:i", (const void *)fd_prestat_dir_name},
    {"fd_prestat_get", "ii:i", (const void *)fd_prestat_get},
    {"fd_read", "iiii:i", (const void *)fd_read},
    {"fd_seek", "iIii:i", (const void *)fd_seek},
    {"fd_write", "iiii:i", (const void *)fd_write},
    {"proc_exit", "i:", (const void *)proc_exit},
    {"random_get", "ii:i", (const void *)random_get},
    {"sched_yield", ":i", (const void *)sched_yield_},
};

const w2e_wasi_func *w2e_wasi_lookup(const char *name, size_t name_len) {
  for (size_t i = 0; i < sizeof wasi_funcs / sizeof wasi_funcs[0]; i++)
    if (strlen(wasi_funcs[i].name) == name_len && memcmp(wasi_funcs[i].name, name, name_len) == 0)
      return &wasi_funcs[i];
  return NULL;
}
