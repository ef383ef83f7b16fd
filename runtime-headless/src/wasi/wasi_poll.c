/*
 * wasi_poll.c: clocks (clock_time_get, clock_res_get), poll_oneoff (clock subscriptions,
 * relative or absolute, and fd readiness) and sched_yield, over the platform's clocks and
 * its wait on handles (platform.h).
 *
 * As wasmtime: no subscriptions is inval; a subscription to a missing fd, or one that cannot
 * be polled that way (a directory, reading stdout), fails the whole call with badf; regular
 * files are always ready (a read subscription at end of file reports hangup); only the
 * realtime and monotonic clocks can be waited on, and the process and thread CPU-time clocks
 * (ids 2 and 3) cannot even be read: badf.
 */
#include "wasi/wasi_internal.h"

#include <stdlib.h>
#include <string.h>

/* Whether WASI clock `id` can be read: success, or badf for the CPU-time clocks (wasmtime
 * has none to offer) and inval for ids preview1 does not define. */
static uint32_t check_clock(uint32_t id) {
  return id <= 1 ? WASI_ESUCCESS : id <= 3 ? WASI_EBADF : WASI_EINVAL;
}

static uint64_t now_ns(uint32_t id) {
  uint64_t ns = 0;
  w2e_os_now(id, &ns);
  return ns;
}

uint32_t w2e_wasi_clock_time_get(w2e_vmctx *vm, uint32_t id, uint64_t precision, uint32_t time_ptr) {
  uint32_t err = check_clock(id);
  if (err) return err;
  if (!wasi_guest(vm, time_ptr, 8)) return WASI_EFAULT;
  uint64_t ns;
  if ((err = w2e_os_now(id, &ns))) return err;
  return wasi_put64(vm, time_ptr, ns);
}

uint32_t w2e_wasi_clock_res_get(w2e_vmctx *vm, uint32_t id, uint32_t res_ptr) {
  uint32_t err = check_clock(id);
  if (err) return err;
  if (!wasi_guest(vm, res_ptr, 8)) return WASI_EFAULT;
  uint64_t ns;
  if ((err = w2e_os_resolution(id, &ns))) return err;
  return wasi_put64(vm, res_ptr, ns);
}

uint32_t w2e_wasi_sched_yield(w2e_vmctx *vm) {
  w2e_os_yield();
  return WASI_ESUCCESS;
}

#define CLOCK_MONOTONIC_ID 1
#define SUB_SIZE 48
#define EVENT_SIZE 32

typedef struct sub {
  uint64_t userdata;
  uint8_t tag;       /* 0 clock, 1 fd_read, 2 fd_write */
  uint64_t deadline; /* clock: monotonic deadline */
  wasi_fd *fd;
  int wait_index;    /* -1: always ready (a regular file) */
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

/* Reads subscription `s` into `u` (and, for an fd that must be waited on, the next entry of
 * `waits`). Returns success or the errno that fails the whole call. */
static uint32_t read_sub(const uint8_t *s, uint64_t start, sub *u, w2e_wait *waits, int *nwait) {
  u->userdata = wasi_load64(s);
  u->tag = s[8];
  u->wait_index = -1;
  if (u->tag == 0) {
    uint32_t id = wasi_load32(s + 16);
    uint64_t timeout = wasi_load64(s + 24);
    uint16_t flags = wasi_load16(s + 40);
    if (id > 1 || (flags & ~1u)) return WASI_EINVAL;
    if (flags & 1) { /* absolute: convert to a monotonic deadline */
      uint64_t now = now_ns(id);
      timeout = timeout > now ? timeout - now : 0;
    }
    u->deadline = start + timeout < start ? UINT64_MAX : start + timeout;
    return WASI_ESUCCESS;
  }
  if (u->tag != 1 && u->tag != 2) return WASI_EINVAL;
  uint32_t err;
  wasi_fd *f = u->fd = wasi_fd_get(wasi_load32(s + 16), 0, &err);
  if (!f) return err;
  bool writing = u->tag == 2;
  bool ok = f->kind == WASI_FD_FILE || f->kind == WASI_FD_SOCKET ||
            f->kind == WASI_FD_BUNDLE_FILE ||
            (f->kind == WASI_FD_STDIO && (f->base & (writing ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ)));
  if (!ok) return WASI_EBADF;
  if (!(f->base & WASI_RIGHT_POLL_FD_READWRITE)) return WASI_ENOTCAPABLE;
  if (f->kind == WASI_FD_BUNDLE_FILE) return WASI_ESUCCESS; /* always ready, as a file */
  if (w2e_os_always_ready(f->host, f->kind == WASI_FD_FILE)) return WASI_ESUCCESS;
  waits[*nwait].h = f->host;
  waits[*nwait].writing = writing;
  u->wait_index = (*nwait)++;
  return WASI_ESUCCESS;
}

/* The event of an fd subscription that is always ready: a read at the end of a file (or of
 * a bundle file) reports hangup. */
static uint16_t always_ready_flags(const sub *u) {
  if (u->tag != 1) return 0;
  if (u->fd->kind == WASI_FD_BUNDLE_FILE) return wasi_bundle_at_end(u->fd);
  return u->fd->kind == WASI_FD_FILE && w2e_os_at_end(u->fd->host);
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
    w2e_os_sleep(wasi_load64(sp + 24));
    put_event(ep, userdata, 0, 0, 1, 0);
    return wasi_put32(vm, nevents, 1);
  }

  sub *subs = calloc(nsubs, sizeof *subs);
  w2e_wait *waits = calloc(nsubs, sizeof *waits);
  uint32_t err = WASI_ESUCCESS;
  if (!subs || !waits) {
    err = WASI_ENOMEM;
    goto out;
  }
  int nwait = 0;
  uint64_t start = now_ns(CLOCK_MONOTONIC_ID);
  for (uint32_t i = 0; i < nsubs && !err; i++)
    err = read_sub(sp + (uint64_t)i * SUB_SIZE, start, &subs[i], waits, &nwait);
  if (err) goto out;

  uint32_t count = 0;
  for (;;) {
    uint64_t now = now_ns(CLOCK_MONOTONIC_ID), wait = UINT64_MAX;
    bool ready = false;
    for (uint32_t i = 0; i < nsubs; i++) {
      if (subs[i].tag == 0) {
        if (subs[i].deadline <= now) ready = true;
        else if (subs[i].deadline - now < wait) wait = subs[i].deadline - now;
      } else if (subs[i].wait_index < 0) {
        ready = true;
      }
    }
    if ((err = w2e_os_wait(waits, (uint32_t)nwait, ready ? 0 : wait))) goto out;
    now = now_ns(CLOCK_MONOTONIC_ID);
    for (uint32_t i = 0; i < nsubs; i++) {
      sub *u = &subs[i];
      uint8_t *e = ep + (uint64_t)count * EVENT_SIZE;
      if (u->tag == 0) {
        if (u->deadline <= now) put_event(e, u->userdata, 0, 0, 0, 0), count++;
      } else if (u->wait_index < 0) {
        put_event(e, u->userdata, 0, u->tag, 1, always_ready_flags(u));
        count++;
      } else if (waits[u->wait_index].ready) {
        const w2e_wait *w = &waits[u->wait_index];
        uint16_t flags = w->hangup && u->fd->kind == WASI_FD_SOCKET ? 1 : 0;
        put_event(e, u->userdata, w->invalid ? WASI_EBADF : 0, u->tag, 1, flags);
        count++;
      }
    }
    if (count) break;
  }
  err = wasi_put32(vm, nevents, count);
out:
  free(subs);
  free(waits);
  return err;
}
