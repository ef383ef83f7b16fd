/*
 * platform/win32/os_win32.c: the process and time on Win32 (platform.h): the Win32 error mapping,
 * arguments, environment, clocks, waiting, randomness and exit. Files are in files_win32.c,
 * paths in path_win32.c and dirs_win32.c, listings in readdir_win32.c.
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
void w2e_os_args(int *argc, char ***argv) {
  int n;
  wchar_t **wargs = split_command_line(GetCommandLineW(), &n);
  if (!wargs) return;
  char **utf8 = calloc((size_t)n + 1, sizeof *utf8);
  if (!utf8) return;
  for (int i = 0; i < n; i++)
    if (!(utf8[i] = w2e_win32_narrow(wargs[i]))) return;
  free(wargs[0]);
  free(wargs);
  *argc = n;
  *argv = utf8;
}

/* ---- Environment ---- */

char **w2e_os_environ(void) {
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

const char *w2e_os_getenv(const char *name) {
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

bool w2e_os_random(uint8_t *buf, size_t len) {
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

void w2e_os_exit(uint32_t code) { ExitProcess(code); }

void w2e_os_yield(void) { SwitchToThread(); }

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

uint32_t w2e_os_now(uint32_t id, uint64_t *ns) {
  *ns = id == 0 ? realtime_ns() : monotonic_ns();
  return WASI_ESUCCESS;
}

uint32_t w2e_os_resolution(uint32_t id, uint64_t *ns) {
  uint64_t res = id == 0 ? 100u : 1000000000u / qpc_frequency();
  *ns = res ? res : 1;
  return WASI_ESUCCESS;
}

void w2e_os_sleep(uint64_t ns) {
  uint64_t ms = (ns + 999999u) / 1000000u;
  while (ms > 0) {
    DWORD chunk = ms > 0x7fffffffu ? 0x7fffffffu : (DWORD)ms;
    Sleep(chunk);
    ms -= chunk;
  }
}

/* ---- Waiting: Win32 has no readiness wait that covers files, pipes and consoles alike, so
 * every handle counts as ready at once and a wait is a sleep. ---- */

bool w2e_os_always_ready(w2e_handle h, bool is_file) { return true; }

bool w2e_os_at_end(w2e_handle h) {
  LARGE_INTEGER size, zero, pos;
  zero.QuadPart = 0;
  return GetFileSizeEx(h, &size) && SetFilePointerEx(h, zero, &pos, FILE_CURRENT) &&
         size.QuadPart <= pos.QuadPart;
}

uint32_t w2e_os_wait(w2e_wait *waits, uint32_t n, uint64_t timeout_ns) {
  for (uint32_t i = 0; i < n; i++) {
    waits[i].ready = true;
    waits[i].hangup = waits[i].invalid = false;
  }
  if (n == 0) w2e_os_sleep(timeout_ns);
  return WASI_ESUCCESS;
}

/* ---- Sockets: none on Windows yet (no fd is a socket, so every call is notsock or badf
 * before it could reach these) ---- */

bool w2e_os_is_socket(w2e_handle h) { return false; }
uint32_t w2e_os_accept(w2e_handle h, bool nonblock, w2e_handle *out) { return WASI_ENOTSUP; }
uint32_t w2e_os_recv(w2e_handle h, const w2e_buf *bufs, int n, bool peek, bool waitall,
                     uint32_t *got, bool *truncated) {
  return WASI_ENOTSUP;
}
uint32_t w2e_os_send(w2e_handle h, const w2e_buf *bufs, int n, uint32_t *sent) {
  return WASI_ENOTSUP;
}
uint32_t w2e_os_shutdown(w2e_handle h, bool reading, bool writing) { return WASI_ENOTSUP; }

#endif /* _WIN32 */
