/*
 * wasi_poll.c: clocks (clock_time_get, clock_res_get), poll_oneoff (clock subscriptions,
 * relative or absolute, and fd readiness through poll(2)) and sched_yield.
 *
 * As wasmtime: no subscriptions is inval; a subscription to a missing fd, or one that cannot
 * be polled that way (a directory, reading stdout), fails the whole call with badf; regular
 * files are always ready (a read subscription at end of file reports hangup); only the
 * realtime and monotonic clocks can be waited on, and the process and thread CPU-time clocks
 * (ids 2 and 3) cannot even be read: badf.
 */
#if !defined(_WIN32) /* whole file: POSIX only (Windows: *_win32.c) */
#include "wasi/wasi_internal.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The host clock of a readable WASI clock id: success, or badf for the CPU-time clocks
 * (wasmtime has none to offer) and inval for ids preview1 does not define. */
static uint32_t host_clock(uint32_t id, clockid_t *out) {
  switch (id) {
  case 0: *out = CLOCK_REALTIME; return WASI_ESUCCESS;
  case 1: *out = CLOCK_MONOTONIC; return WASI_ESUCCESS;
  case 2:
  case 3: return WASI_EBADF;
  default: return WASI_EINVAL;
  }
}

static uint64_t ts_nanos(const struct timespec *ts) {
  return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static uint64_t now_ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts_nanos(&ts);
}

uint32_t w2e_wasi_clock_time_get(w2e_vmctx *vm, uint32_t id, uint64_t precision, uint32_t time_ptr) {
  clockid_t c;
  struct timespec ts;
  uint32_t err = host_clock(id, &c);
  if (err) return err;
  if (!wasi_guest(vm, time_ptr, 8)) return WASI_EFAULT;
  if (clock_gettime(c, &ts) != 0) return wasi_errno(errno);
  return wasi_put64(vm, time_ptr, ts_nanos(&ts));
}

uint32_t w2e_wasi_clock_res_get(w2e_vmctx *vm, uint32_t id, uint32_t res_ptr) {
  clockid_t c;
  struct timespec ts;
  uint32_t err = host_clock(id, &c);
  if (err) return err;
  if (!wasi_guest(vm, res_ptr, 8)) return WASI_EFAULT;
  if (clock_getres(c, &ts) != 0) return wasi_errno(errno);
  return wasi_put64(vm, res_ptr, ts_nanos(&ts));
}

uint32_t w2e_wasi_sched_yield(w2e_vmctx *vm) {
  sched_yield();
  return WASI_ESUCCESS;
}

/* Sleeps `ns` nanoseconds of the monotonic clock (restarting after signals). */
static void sleep_ns(uint64_t ns) {
  uint64_t end = now_ns(CLOCK_MONOTONIC) + ns;
  if (end < ns) end = UINT64_MAX;
  for (;;) {
    uint64_t now = now_ns(CLOCK_MONOTONIC);
    if (now >= end) return;
    uint64_t left = end - now;
    struct timespec ts;
    ts.tv_sec = (time_t)(left / 1000000000u > (uint64_t)INT32_MAX ? INT32_MAX : left / 1000000000u);
    ts.tv_nsec = (long)(left % 1000000000u);
    nanosleep(&ts, NULL);
  }
}

#define SUB_SIZE 48
#define EVENT_SIZE 32

typedef struct sub {
  uint64_t userdata;
  uint8_t tag;       /* 0 clock, 1 fd_read, 2 fd_write */
  uint64_t deadline; /* clock: monotonic deadline */
  wasi_fd *fd;
  int poll_index;    /* -1: always ready (a regular file) */
} sub;

static void put_event(uint8_t *p, uint64_t userdata, uint16_t error, uint8_t type,
                      uint64_t nbytes, uint16_t flags) {
  memset(p, 0, EVENT_SIZE);
  wasi_store64(p, userdata);
  wasi_store16(p + 8, error);
  p[10] = type;
  wasi_store64(p + 16, nbytes);
  wasi_store16(p + 24, flags);
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

  sub *subs = calloc(nsubs, sizeof *subs);
  struct pollfd *pfds = calloc(nsubs, sizeof *pfds);
  uint32_t err = WASI_ESUCCESS;
  if (!subs || !pfds) {
    err = WASI_ENOMEM;
    goto out;
  }
  int npoll = 0;
  uint64_t start = now_ns(CLOCK_MONOTONIC);
  for (uint32_t i = 0; i < nsubs && !err; i++) {
    const uint8_t *s = sp + (uint64_t)i * SUB_SIZE;
    sub *u = &subs[i];
    u->userdata = wasi_load64(s);
    u->tag = s[8];
    u->poll_index = -1;
    if (u->tag == 0) {
      uint32_t id = wasi_load32(s + 16);
      uint64_t timeout = wasi_load64(s + 24);
      uint16_t flags = wasi_load16(s + 40);
      if (id > 1 || (flags & ~1u)) {
        err = WASI_EINVAL;
        break;
      }
      if (flags & 1) { /* absolute: convert to a monotonic deadline */
        uint64_t now = now_ns(id == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC);
        timeout = timeout > now ? timeout - now : 0;
      }
      u->deadline = start + timeout < start ? UINT64_MAX : start + timeout;
    } else if (u->tag == 1 || u->tag == 2) {
      u->fd = wasi_fd_get(wasi_load32(s + 16), 0, &err);
      if (!u->fd) break;
      bool writing = u->tag == 2;
      wasi_fd *f = u->fd;
      bool ok = f->kind == WASI_FD_FILE || f->kind == WASI_FD_SOCKET ||
                f->kind == WASI_FD_BUNDLE_FILE ||
                (f->kind == WASI_FD_STDIO && (f->base & (writing ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ)));
      if (!ok) {
        err = WASI_EBADF;
        break;
      }
      if (!(f->base & WASI_RIGHT_POLL_FD_READWRITE)) {
        err = WASI_ENOTCAPABLE;
        break;
      }
      if (f->kind == WASI_FD_BUNDLE_FILE) continue; /* always ready, as a regular file */
      struct stat st;
      if (f->kind == WASI_FD_FILE && fstat(f->host, &st) == 0 && S_ISREG(st.st_mode)) continue;
      pfds[npoll].fd = f->host;
      pfds[npoll].events = writing ? POLLOUT : POLLIN;
      u->poll_index = npoll++;
    } else {
      err = WASI_EINVAL;
    }
  }
  if (err) goto out;

  uint32_t count = 0;
  for (;;) {
    uint64_t now = now_ns(CLOCK_MONOTONIC), wait = UINT64_MAX;
    bool ready = false;
    for (uint32_t i = 0; i < nsubs; i++) {
      if (subs[i].tag == 0) {
        if (subs[i].deadline <= now) ready = true;
        else if (subs[i].deadline - now < wait) wait = subs[i].deadline - now;
      } else if (subs[i].poll_index < 0) {
        ready = true;
      }
    }
    int timeout_ms = ready ? 0 : wait == UINT64_MAX ? -1
                         : wait / 1000000u >= INT32_MAX ? INT32_MAX
                                                         : (int)((wait + 999999u) / 1000000u);
    int n = 0;
    if (npoll) {
      n = poll(pfds, (nfds_t)npoll, timeout_ms);
      if (n < 0 && errno != EINTR) {
        err = wasi_errno(errno);
        goto out;
      }
    } else if (!ready) {
      sleep_ns(wait);
    }
    now = now_ns(CLOCK_MONOTONIC);
    for (uint32_t i = 0; i < nsubs; i++) {
      sub *u = &subs[i];
      uint8_t *e = ep + (uint64_t)count * EVENT_SIZE;
      if (u->tag == 0) {
        if (u->deadline <= now) put_event(e, u->userdata, 0, 0, 0, 0), count++;
      } else if (u->poll_index < 0) {
        uint16_t flags = 0;
        if (u->tag == 1 && u->fd->kind == WASI_FD_BUNDLE_FILE) {
          flags = wasi_bundle_at_end(u->fd);
        } else if (u->tag == 1) { /* a regular file: hangup at its end */
          struct stat st;
          off_t pos = lseek(u->fd->host, 0, SEEK_CUR);
          if (fstat(u->fd->host, &st) == 0 && pos >= 0 && st.st_size <= pos) flags = 1;
        }
        put_event(e, u->userdata, 0, u->tag, 1, flags);
        count++;
      } else if (n > 0 && pfds[u->poll_index].revents) {
        short rev = pfds[u->poll_index].revents;
        uint16_t error = (rev & POLLNVAL) ? WASI_EBADF : 0;
        uint16_t flags = (rev & POLLHUP) && u->fd->kind == WASI_FD_SOCKET ? 1 : 0;
        put_event(e, u->userdata, error, u->tag, 1, flags);
        count++;
      }
    }
    if (count) break;
  }
  err = wasi_put32(vm, nevents, count);
out:
  free(subs);
  free(pfds);
  return err;
}

#endif /* !_WIN32 */
