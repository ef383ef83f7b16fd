/*
 * clocks_random.c: clock_res_get, clock_time_get, random_get and sched_yield. Values differ
 * from run to run, so only their sanity is printed: success, monotonicity, plausible ranges.
 */
#include "common.h"

static const char *clock_names[] = {"realtime", "monotonic", "process_cputime", "thread_cputime"};

static void clocks(void) {
  for (__wasi_clockid_t id = 0; id < 4; id++) {
    __wasi_timestamp_t res = 0, t = 0;
    __wasi_errno_t res_err = __wasi_clock_res_get(id, &res);
    __wasi_errno_t time_err = __wasi_clock_time_get(id, 1, &t);
    printf("%s: res errno=%u res_sane=%d time errno=%u time_nonzero=%d\n", clock_names[id],
           (unsigned)res_err, res_err == 0 && res > 0 && res <= 1000000000ull,
           (unsigned)time_err, time_err == 0 && t > 0);
  }
  /* An unknown clock id is not tested: wasmtime traps on it (an invalid enum value). */
  __wasi_timestamp_t now = 0;
  SHOW("clock_time_get(realtime)", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now));
  printf("realtime after 2020: %d\n", now > 1577836800ull * 1000000000ull);

  int monotonic = 1;
  __wasi_timestamp_t prev = 0;
  for (int i = 0; i < 1000; i++) {
    __wasi_timestamp_t cur = 0;
    if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &cur) != 0 || cur < prev)
      monotonic = 0;
    prev = cur;
  }
  printf("monotonic never goes back: %d\n", monotonic);
}

static void randomness(void) {
  uint8_t a[64], b[64];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  SHOW("random_get(64)", __wasi_random_get(a, sizeof a));
  SHOW("random_get(64) again", __wasi_random_get(b, sizeof b));
  printf("two draws differ: %d\n", memcmp(a, b, sizeof a) != 0);
  int nonzero = 0;
  for (size_t i = 0; i < sizeof a; i++) nonzero += a[i] != 0;
  printf("mostly nonzero bytes: %d\n", nonzero > 32);
  SHOW("random_get(0)", __wasi_random_get(a, 0));
  static uint8_t big[100000];
  SHOW("random_get(100000)", __wasi_random_get(big, sizeof big));
  printf("big tail filled: %d\n", (big[sizeof big - 1] | big[sizeof big - 2] |
                                   big[sizeof big - 3] | big[sizeof big - 4]) != 0);
}

int main(void) {
  clocks();
  randomness();
  SHOW("sched_yield", __wasi_sched_yield());
  return 0;
}
