/*
 * platform/posix/os_posix.c: clocks, waiting on descriptors (poll(2)), randomness, the
 * process's arguments, environment and exit, on POSIX (platform.h).
 */
#include "platform/posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__) || defined(__APPLE__)
#include <sys/random.h> /* getrandom (Linux), getentropy (macOS) */
#endif

/* ---- Clocks ---- */

static clockid_t host_clock(uint32_t id) { return id == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC; }

static uint64_t ts_nanos(const struct timespec *ts) {
  return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

uint32_t w2e_os_now(uint32_t id, uint64_t *ns) {
  struct timespec ts;
  if (clock_gettime(host_clock(id), &ts) != 0) return wasi_errno(errno);
  *ns = ts_nanos(&ts);
  return WASI_ESUCCESS;
}

uint32_t w2e_os_resolution(uint32_t id, uint64_t *ns) {
  struct timespec ts;
  if (clock_getres(host_clock(id), &ts) != 0) return wasi_errno(errno);
  *ns = ts_nanos(&ts);
  return WASI_ESUCCESS;
}

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts_nanos(&ts);
}

/* Restarts after signals until the whole time has passed. */
void w2e_os_sleep(uint64_t ns) {
  uint64_t end = monotonic_ns() + ns;
  if (end < ns) end = UINT64_MAX;
  for (;;) {
    uint64_t now = monotonic_ns();
    if (now >= end) return;
    uint64_t left = end - now;
    struct timespec ts;
    ts.tv_sec = (time_t)(left / 1000000000u > (uint64_t)INT32_MAX ? INT32_MAX : left / 1000000000u);
    ts.tv_nsec = (long)(left % 1000000000u);
    nanosleep(&ts, NULL);
  }
}

void w2e_os_yield(void) { sched_yield(); }

/* ---- Waiting on descriptors ---- */

bool w2e_os_always_ready(w2e_handle h, bool is_file) {
  struct stat st;
  return is_file && fstat(h, &st) == 0 && S_ISREG(st.st_mode);
}

bool w2e_os_at_end(w2e_handle h) {
  struct stat st;
  off_t pos = lseek(h, 0, SEEK_CUR);
  return fstat(h, &st) == 0 && pos >= 0 && st.st_size <= pos;
}

uint32_t w2e_os_wait(w2e_wait *waits, uint32_t n, uint64_t timeout_ns) {
  for (uint32_t i = 0; i < n; i++) waits[i].ready = waits[i].hangup = waits[i].invalid = false;
  if (n == 0) {
    w2e_os_sleep(timeout_ns);
    return WASI_ESUCCESS;
  }
  struct pollfd *pfds = calloc(n, sizeof *pfds);
  if (!pfds) return WASI_ENOMEM;
  for (uint32_t i = 0; i < n; i++) {
    pfds[i].fd = waits[i].h;
    pfds[i].events = waits[i].writing ? POLLOUT : POLLIN;
  }
  int timeout_ms = timeout_ns == UINT64_MAX                 ? -1
                   : timeout_ns / 1000000u >= INT32_MAX ? INT32_MAX
                                                        : (int)((timeout_ns + 999999u) / 1000000u);
  int r = poll(pfds, (nfds_t)n, timeout_ms);
  if (r < 0) {
    int e = errno;
    free(pfds);
    return e == EINTR ? WASI_ESUCCESS : wasi_errno(e); /* a signal: the caller waits again */
  }
  for (uint32_t i = 0; i < n && r > 0; i++) {
    short rev = pfds[i].revents;
    waits[i].ready = rev != 0;
    waits[i].hangup = rev & POLLHUP;
    waits[i].invalid = rev & POLLNVAL;
  }
  free(pfds);
  return WASI_ESUCCESS;
}

/* ---- Randomness, the process ---- */

/* getrandom (Linux) or getentropy (macOS), else /dev/urandom. */
bool w2e_os_random(uint8_t *buf, size_t len) {
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

void w2e_os_exit(uint32_t code) { _exit((int)code); }

void w2e_os_args(int *argc, char ***argv) {} /* main()'s are the process's own */

extern char **environ;

char **w2e_os_environ(void) { return environ; }

const char *w2e_os_getenv(const char *name) { return getenv(name); }
