/*
 * wasi_win32.c: wasi_snapshot_preview1 over Win32, the counterpart of wasi.c and
 * wasi_poll.c: the import table main.c resolves imports from (same names and signatures as
 * wasi.c's), arguments, environment, clocks, poll_oneoff, randomness, proc_exit, and the
 * Win32 error mapping. Files and directories are in wasi_fd_win32.c and wasi_path_win32.c.
 *
 * Conventions are the POSIX side's (see wasi.c): every host function takes the vmctx and the
 * wasm parameters and returns a WASI errno; every guest pointer is checked against the
 * memory's current size (fault, never a trap).
 *
 * Arguments come from GetCommandLineW (parsed with the CRT's rules) and the environment from
 * GetEnvironmentStringsW, both converted to UTF-8, so the guest sees UTF-8 whatever the
 * process's ANSI code page is. Only kernel32 is linked: the random source is looked up at
 * run time (ProcessPrng, else RtlGenRandom, else BCryptGenRandom).
 */
#if defined(_WIN32)

#include "platform/win32/wasi_win32.h"
#include "wasi/w2e_wasi.h"

#include <stdlib.h>
#include <string.h>

/* ---- Win32 errors ---- */

uint32_t wasi_win32_errno(DWORD e) {
  switch (e) {
  case ERROR_SUCCESS: return WASI_ESUCCESS;
  case ERROR_FILE_NOT_FOUND:
  case ERROR_PATH_NOT_FOUND:
  case ERROR_INVALID_NAME:
  case ERROR_BAD_PATHNAME:
  case ERROR_BAD_NETPATH:
  case ERROR_BAD_NET_NAME:
  case ERROR_INVALID_DRIVE: return WASI_ENOENT;
  case ERROR_ACCESS_DENIED:
  case ERROR_SHARING_VIOLATION:
  case ERROR_LOCK_VIOLATION:
  case ERROR_PRIVILEGE_NOT_HELD: return WASI_EACCES;
  case ERROR_DELETE_PENDING: return WASI_ENOENT;
  case ERROR_FILE_EXISTS:
  case ERROR_ALREADY_EXISTS: return WASI_EEXIST;
  case ERROR_DIR_NOT_EMPTY: return WASI_ENOTEMPTY;
  case ERROR_DIRECTORY: return WASI_ENOTDIR;
  case ERROR_NOT_SAME_DEVICE: return WASI_EXDEV;
  case ERROR_DISK_FULL:
  case ERROR_HANDLE_DISK_FULL: return WASI_ENOSPC;
  case ERROR_BROKEN_PIPE:
  case ERROR_NO_DATA: return WASI_EPIPE;
  case ERROR_INVALID_HANDLE: return WASI_EBADF;
  case ERROR_NOT_ENOUGH_MEMORY:
  case ERROR_OUTOFMEMORY: return WASI_ENOMEM;
  case ERROR_FILENAME_EXCED_RANGE: return WASI_ENAMETOOLONG;
  case ERROR_NEGATIVE_SEEK:
  case ERROR_INVALID_PARAMETER: return WASI_EINVAL;
  case ERROR_NOT_SUPPORTED:
  case ERROR_CALL_NOT_IMPLEMENTED: return WASI_ENOTSUP;
  case ERROR_TOO_MANY_OPEN_FILES: return WASI_EMFILE;
  case ERROR_WRITE_PROTECT: return WASI_EROFS;
  case ERROR_CANT_RESOLVE_FILENAME: return WASI_ELOOP;
  case ERROR_BUSY:
  case ERROR_CURRENT_DIRECTORY: return WASI_EBUSY;
  case ERROR_NOT_READY: return WASI_EAGAIN;
  default: return WASI_EIO;
  }
}

/* ---- Arguments ---- */

int wasi_argc;
char **wasi_argv;

/* Splits a command line as the Microsoft C runtime does: argv[0] up to the first space
 * outside quotes (no escapes); then arguments separated by spaces/tabs, where 2n backslashes
 * before a quote are n backslashes and the quote toggles quoting, 2n+1 are n backslashes and
 * a literal quote, other backslashes are literal, and "" inside quotes is a literal quote. */
static wchar_t **split_command_line(const wchar_t *cmd, int *count) {
  size_t cap = wcslen(cmd) + 1;
  wchar_t *buf = malloc(cap * 2 * sizeof *buf); /* every argument's characters, NUL-ended */
  wchar_t **args = malloc((cap / 2 + 2) * sizeof *args);
  if (!buf || !args) {
    free(buf);
    free(args);
    return NULL;
  }
  int n = 0;
  wchar_t *out = buf;
  const wchar_t *p = cmd;
  /* argv[0] */
  args[n++] = out;
  if (*p == L'"') {
    for (p++; *p && *p != L'"'; p++) *out++ = *p;
    if (*p == L'"') p++;
  } else {
    for (; *p && *p != L' ' && *p != L'\t'; p++) *out++ = *p;
  }
  *out++ = 0;
  for (;;) {
    while (*p == L' ' || *p == L'\t') p++;
    if (!*p) break;
    args[n++] = out;
    bool quoted = false;
    while (*p) {
      if (!quoted && (*p == L' ' || *p == L'\t')) break;
      if (*p == L'\\') {
        size_t slashes = 0;
        while (*p == L'\\') p++, slashes++;
        if (*p == L'"') {
          for (size_t i = 0; i < slashes / 2; i++) *out++ = L'\\';
          if (slashes % 2) *out++ = L'"', p++;
        } else {
          for (size_t i = 0; i < slashes; i++) *out++ = L'\\';
        }
      } else if (*p == L'"') {
        if (quoted && p[1] == L'"') {
          *out++ = L'"';
          p += 2;
        } else {
          quoted = !quoted;
          p++;
        }
      } else {
        *out++ = *p++;
      }
    }
    *out++ = 0;
  }
  args[n] = NULL;
  *count = n;
  return args;
}

/* The guest's arguments are the process's UTF-8 command line: main()'s argv (in the ANSI code
 * page) is used only when the command line cannot be read or converted. */
void w2e_wasi_set_args(int argc, char **argv) {
  wasi_argc = argc;
  wasi_argv = argv;
  int n;
  wchar_t **wargs = split_command_line(GetCommandLineW(), &n);
  if (!wargs) return;
  char **utf8 = calloc((size_t)n + 1, sizeof *utf8);
  if (!utf8) return;
  for (int i = 0; i < n; i++)
    if (!(utf8[i] = w2e_win32_narrow(wargs[i]))) return;
  free(wargs[0]);
  free(wargs);
  wasi_argc = n;
  wasi_argv = utf8;
}

/* ---- Environment ---- */

char **wasi_win32_environ(void) {
  static char **env;
  if (env) return env;
  wchar_t *block = GetEnvironmentStringsW();
  size_t count = 0;
  for (wchar_t *p = block; p && *p; p += wcslen(p) + 1) count++;
  env = calloc(count + 1, sizeof *env);
  if (!env) return NULL;
  size_t n = 0;
  for (wchar_t *p = block; p && *p; p += wcslen(p) + 1) {
    if (*p == L'=') continue; /* "=C:=C:\dir": cmd.exe's per-drive directories */
    char *s = w2e_win32_narrow(p);
    if (s) env[n++] = s;
  }
  if (block) FreeEnvironmentStringsW(block);
  return env;
}

const char *wasi_win32_getenv(const char *name) {
  wchar_t *wname = w2e_win32_widen(name);
  if (!wname) return NULL;
  DWORD n = GetEnvironmentVariableW(wname, NULL, 0);
  char *result = NULL;
  if (n > 0) {
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (w && GetEnvironmentVariableW(wname, w, n) < n) result = w2e_win32_narrow(w);
    free(w);
  }
  free(wname);
  return result; /* leaked on purpose: read once at start-up */
}

/* ---- Randomness, process ---- */

typedef BOOL(WINAPI *process_prng_fn)(PBYTE, SIZE_T);
typedef BOOLEAN(WINAPI *rtl_gen_random_fn)(PVOID, ULONG);
typedef LONG(WINAPI *bcrypt_gen_random_fn)(PVOID, PUCHAR, ULONG, ULONG);

static FARPROC find_proc(const wchar_t *dll, const char *name) {
  HMODULE m = LoadLibraryW(dll);
  return m ? GetProcAddress(m, name) : NULL;
}

static bool os_random(uint8_t *buf, size_t len) {
  static process_prng_fn process_prng;
  static rtl_gen_random_fn rtl_gen_random;
  static bcrypt_gen_random_fn bcrypt_gen_random;
  static bool looked_up;
  if (!looked_up) {
    looked_up = true;
    process_prng = (process_prng_fn)(void (*)(void))find_proc(L"bcryptprimitives.dll", "ProcessPrng");
    rtl_gen_random = (rtl_gen_random_fn)(void (*)(void))find_proc(L"advapi32.dll", "SystemFunction036");
    bcrypt_gen_random = (bcrypt_gen_random_fn)(void (*)(void))find_proc(L"bcrypt.dll", "BCryptGenRandom");
  }
  while (len > 0) {
    ULONG n = len > 0x10000000u ? 0x10000000u : (ULONG)len;
    bool ok = (process_prng && process_prng(buf, n)) ||
              (rtl_gen_random && rtl_gen_random(buf, n)) ||
              /* BCRYPT_USE_SYSTEM_PREFERRED_RNG = 2; STATUS_SUCCESS = 0 */
              (bcrypt_gen_random && bcrypt_gen_random(NULL, buf, n, 2) == 0);
    if (!ok) return false;
    buf += n;
    len -= n;
  }
  return true;
}

uint32_t w2e_wasi_random_get(w2e_vmctx *vm, uint32_t buf, uint32_t len) {
  uint8_t *p = wasi_guest(vm, buf, len);
  if (!p) return WASI_EFAULT;
  return os_random(p, len) ? WASI_ESUCCESS : WASI_EIO;
}

void w2e_wasi_proc_exit(w2e_vmctx *vm, uint32_t code) {
  (void)vm;
  /* Nothing is buffered on the runtime side. */
  ExitProcess(code);
}

uint32_t w2e_wasi_proc_raise(w2e_vmctx *vm, uint32_t sig) { return WASI_ENOTSUP; }

uint32_t w2e_wasi_sched_yield(w2e_vmctx *vm) {
  SwitchToThread();
  return WASI_ESUCCESS;
}

/* ---- Clocks ---- */

#define FILETIME_UNIX_EPOCH 116444736000000000ull /* 1970-01-01 in 100 ns units since 1601 */

uint64_t wasi_win32_ft_to_ns(FILETIME ft) {
  uint64_t t = (uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
  return t < FILETIME_UNIX_EPOCH ? 0 : (t - FILETIME_UNIX_EPOCH) * 100u;
}

FILETIME wasi_win32_ns_to_ft(uint64_t ns) {
  uint64_t t = ns / 100u + FILETIME_UNIX_EPOCH;
  FILETIME ft = {(DWORD)t, (DWORD)(t >> 32)};
  return ft;
}

static uint64_t realtime_ns(void) {
  FILETIME ft;
  GetSystemTimePreciseAsFileTime(&ft);
  return wasi_win32_ft_to_ns(ft);
}

static uint64_t qpc_frequency(void) {
  static uint64_t freq;
  if (!freq) {
    LARGE_INTEGER f;
    freq = QueryPerformanceFrequency(&f) && f.QuadPart > 0 ? (uint64_t)f.QuadPart : 1000u;
  }
  return freq;
}

static uint64_t monotonic_ns(void) {
  LARGE_INTEGER c;
  QueryPerformanceCounter(&c);
  uint64_t t = (uint64_t)c.QuadPart, f = qpc_frequency();
  return t / f * 1000000000u + t % f * 1000000000u / f;
}

/* Readable clocks: realtime and monotonic; badf for the CPU-time clocks (as wasmtime and the
 * POSIX side), inval for ids preview1 does not define. */
static uint32_t check_clock(uint32_t id) {
  return id <= 1 ? WASI_ESUCCESS : id <= 3 ? WASI_EBADF : WASI_EINVAL;
}

static uint64_t clock_now(uint32_t id) { return id == 0 ? realtime_ns() : monotonic_ns(); }

uint32_t w2e_wasi_clock_time_get(w2e_vmctx *vm, uint32_t id, uint64_t precision,
                                 uint32_t time_ptr) {
  uint32_t err = check_clock(id);
  if (err) return err;
  return wasi_put64(vm, time_ptr, clock_now(id));
}

uint32_t w2e_wasi_clock_res_get(w2e_vmctx *vm, uint32_t id, uint32_t res_ptr) {
  uint32_t err = check_clock(id);
  if (err) return err;
  uint64_t res = id == 0 ? 100u : 1000000000u / qpc_frequency();
  return wasi_put64(vm, res_ptr, res ? res : 1);
}

/* ---- poll_oneoff: clocks sleep; file and stdio subscriptions are reported ready at once
 * (Win32 has no readiness wait that covers files, pipes and consoles alike). ---- */

#define SUB_SIZE 48u
#define EVENT_SIZE 32u

static void put_event(uint8_t *p, uint64_t userdata, uint16_t error, uint8_t type,
                      uint64_t nbytes, uint16_t flags) {
  memset(p, 0, EVENT_SIZE);
  wasi_store64(p, userdata);
  wasi_store16(p + 8, error);
  p[10] = type;
  wasi_store64(p + 16, nbytes);
  wasi_store16(p + 24, flags);
}

static void sleep_ns(uint64_t ns) {
  uint64_t ms = (ns + 999999u) / 1000000u;
  while (ms > 0) {
    DWORD chunk = ms > 0x7fffffffu ? 0x7fffffffu : (DWORD)ms;
    Sleep(chunk);
    ms -= chunk;
  }
}

uint32_t w2e_wasi_poll_oneoff(w2e_vmctx *vm, uint32_t in, uint32_t out, uint32_t nsubs,
                              uint32_t nevents) {
  if (nsubs == 0) return WASI_EINVAL;
  const uint8_t *sp = wasi_guest(vm, in, (uint64_t)nsubs * SUB_SIZE);
  uint8_t *ep = wasi_guest(vm, out, (uint64_t)nsubs * EVENT_SIZE);
  if (!sp || !ep || !wasi_guest(vm, nevents, 4)) return WASI_EFAULT;

  /* One relative clock: a plain sleep (wasmtime reports nbytes 1 for it). */
  if (nsubs == 1 && sp[8] == 0 && !(wasi_load16(sp + 40) & 1)) {
    uint32_t id = wasi_load32(sp + 16);
    if (id > 1) return WASI_EINVAL;
    uint64_t userdata = wasi_load64(sp);
    sleep_ns(wasi_load64(sp + 24));
    put_event(ep, userdata, 0, 0, 1, 0);
    return wasi_put32(vm, nevents, 1);
  }

  uint64_t *deadlines = calloc(nsubs, sizeof *deadlines);
  if (!deadlines) return WASI_ENOMEM;
  uint64_t start = monotonic_ns(), first_deadline = UINT64_MAX;
  uint32_t count = 0, err = WASI_ESUCCESS;
  /* First pass: validate, find the nearest deadline (absolute times made relative to now). */
  for (uint32_t i = 0; i < nsubs && !err; i++) {
    const uint8_t *s = sp + (uint64_t)i * SUB_SIZE;
    uint8_t tag = s[8];
    if (tag == 0) {
      uint32_t id = wasi_load32(s + 16);
      uint64_t timeout = wasi_load64(s + 24);
      uint16_t flags = wasi_load16(s + 40);
      if (id > 1 || (flags & ~1u)) {
        err = WASI_EINVAL;
        break;
      }
      if (flags & 1) {
        uint64_t now = clock_now(id);
        timeout = timeout > now ? timeout - now : 0;
      }
      deadlines[i] = start + timeout < start ? UINT64_MAX : start + timeout;
      if (deadlines[i] < first_deadline) first_deadline = deadlines[i];
    } else if (tag == 1 || tag == 2) {
      w32_fd *f = w32_fd_get(wasi_load32(s + 16), 0, &err);
      if (!f) break;
      bool writing = tag == 2;
      bool ok = f->kind == WASI_FD_FILE || f->kind == WASI_FD_BUNDLE_FILE ||
                (f->kind == WASI_FD_STDIO &&
                 (f->base & (writing ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ)));
      if (!ok) err = WASI_EBADF;
      else if (!(f->base & WASI_RIGHT_POLL_FD_READWRITE)) err = WASI_ENOTCAPABLE;
    } else {
      err = WASI_EINVAL;
    }
  }
  if (err) {
    free(deadlines);
    return err;
  }
  /* fd subscriptions are ready now; without any, sleep until the nearest deadline. */
  for (uint32_t i = 0; i < nsubs; i++) {
    const uint8_t *s = sp + (uint64_t)i * SUB_SIZE;
    if (s[8] == 0) continue;
    /* A bundle file at its end reads nothing more: hangup, as on POSIX. */
    uint32_t ignored;
    w32_fd *f = w32_fd_get(wasi_load32(s + 16), 0, &ignored);
    uint16_t flags = s[8] == 1 && f && wasi_bundle_at_end(f) ? 1 : 0;
    put_event(ep + (uint64_t)count++ * EVENT_SIZE, wasi_load64(s), 0, s[8], 1, flags);
  }
  if (count == 0) {
    uint64_t now = monotonic_ns();
    if (first_deadline > now) sleep_ns(first_deadline - now);
    now = monotonic_ns();
    for (uint32_t i = 0; i < nsubs; i++) {
      const uint8_t *s = sp + (uint64_t)i * SUB_SIZE;
      if (deadlines[i] <= now || deadlines[i] == first_deadline)
        put_event(ep + (uint64_t)count++ * EVENT_SIZE, wasi_load64(s), 0, 0, 0, 0);
    }
  }
  free(deadlines);
  return wasi_put32(vm, nevents, count);
}

/* ---- Sockets: none on Windows yet (no socket fds exist, so every fd is badf or notsock) ---- */

static uint32_t no_socket(uint32_t fd) {
  uint32_t err;
  return w32_fd_get(fd, 0, &err) ? WASI_ENOTSOCK : err;
}
uint32_t w2e_wasi_sock_accept(w2e_vmctx *vm, uint32_t fd, uint32_t flags, uint32_t out) {
  return no_socket(fd);
}
uint32_t w2e_wasi_sock_recv(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t n,
                            uint32_t flags, uint32_t nread, uint32_t oflags) {
  return no_socket(fd);
}
uint32_t w2e_wasi_sock_send(w2e_vmctx *vm, uint32_t fd, uint32_t iovs, uint32_t n,
                            uint32_t flags, uint32_t nwritten) {
  return no_socket(fd);
}
uint32_t w2e_wasi_sock_shutdown(w2e_vmctx *vm, uint32_t fd, uint32_t how) {
  return no_socket(fd);
}

#endif /* _WIN32 */
