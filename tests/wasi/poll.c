/*
 * poll.c: poll_oneoff with clock subscriptions (relative timeouts) and fd readiness of
 * regular files, which are always ready.
 */
#include "common.h"

static __wasi_timestamp_t now(void) {
  __wasi_timestamp_t t = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
  return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t userdata, __wasi_timestamp_t timeout) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = userdata;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  s.u.u.clock.timeout = timeout;
  return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t userdata, __wasi_eventtype_t type, int fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = userdata;
  s.u.tag = type;
  s.u.u.fd_read.file_descriptor = (__wasi_fd_t)fd;
  return s;
}

static int by_userdata(const void *a, const void *b) {
  __wasi_userdata_t x = ((const __wasi_event_t *)a)->userdata;
  __wasi_userdata_t y = ((const __wasi_event_t *)b)->userdata;
  return x < y ? -1 : x > y;
}

/* Polls, then prints the events sorted by userdata (their order is not specified). */
static void poll_show(const char *label, const __wasi_subscription_t *subs, size_t n) {
  __wasi_event_t events[8];
  memset(events, 0, sizeof events);
  __wasi_size_t count = 0;
  __wasi_errno_t err = __wasi_poll_oneoff(subs, events, n, &count);
  printf("%s: errno=%u events=%u\n", label, (unsigned)err, (unsigned)count);
  qsort(events, count, sizeof *events, by_userdata);
  for (__wasi_size_t i = 0; i < count; i++)
    printf("  userdata=%llu type=%u error=%u\n", (unsigned long long)events[i].userdata,
           (unsigned)events[i].type, (unsigned)events[i].error);
}

int main(void) {
  const __wasi_timestamp_t ms = 1000000;
  __wasi_subscription_t one[1] = {clock_sub(42, 20 * ms)};
  __wasi_timestamp_t start = now();
  poll_show("clock 20ms", one, 1);
  __wasi_timestamp_t waited = now() - start;
  printf("waited at least 20ms: %d, less than 5s: %d\n", waited >= 20 * ms, waited < 5000 * ms);

  /* Of two timers the earlier fires alone. */
  __wasi_subscription_t two[2] = {clock_sub(1, 3000 * ms), clock_sub(2, 10 * ms)};
  start = now();
  poll_show("clocks 3s and 10ms", two, 2);
  printf("returned before the long timer: %d\n", now() - start < 2000 * ms);

  __wasi_subscription_t zero[1] = {clock_sub(7, 0)};
  poll_show("clock 0", zero, 1);

  int fd = open_raw("open hello.txt", 0, "hello.txt", 0,
                    __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_POLL_FD_READWRITE,
                    0);
  /* A regular file is ready at once for reading and for writing: the timer never fires.
   * Each kind is polled alone, since which of several ready events a runtime reports first
   * is its choice. */
  __wasi_subscription_t reading[2] = {fd_sub(10, __WASI_EVENTTYPE_FD_READ, fd),
                                      clock_sub(12, 3000 * ms)};
  start = now();
  poll_show("file read with 3s timer", reading, 2);
  printf("file read readiness did not wait: %d\n", now() - start < 2000 * ms);
  __wasi_subscription_t writing[2] = {fd_sub(11, __WASI_EVENTTYPE_FD_WRITE, fd),
                                      clock_sub(12, 3000 * ms)};
  start = now();
  poll_show("file write with 3s timer", writing, 2);
  printf("file write readiness did not wait: %d\n", now() - start < 2000 * ms);

  __wasi_subscription_t bad[2] = {fd_sub(20, __WASI_EVENTTYPE_FD_READ, 99), clock_sub(21, 10 * ms)};
  poll_show("bad fd", bad, 2);

  __wasi_event_t ev[1];
  __wasi_size_t count = 0;
  SHOW("no subscriptions", __wasi_poll_oneoff(one, ev, 0, &count));
  return 0;
}
