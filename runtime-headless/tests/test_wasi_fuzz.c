/*
 * test_wasi_fuzz.c: calls every WASI host function with random arguments against a small fake
 * linear memory (fixed seed, hundreds of thousands of calls) and checks that the runtime never
 * crashes, never touches memory outside the guest's, and only returns valid WASI errnos.
 * Meant to run under -fsanitize=address,undefined too (tests/run.sh does both).
 *
 *   ./test_wasi_fuzz [calls] [seed]
 *
 * A preopen ("/sb") on a fresh temporary directory gives the path calls something to work on,
 * and so does a bundle ("/bu", the small blob below);
 * stdin is /dev/null and stdout/stderr are redirected to /dev/null while fuzzing.
 */
#include "w2e_abi.h"
#include "wasi/w2e_wasi.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MEM_SIZE 65536u
#define GUARD 4096u

static uint64_t rng_state;
static uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static const char *const names[] = {"f", "sub", "sub/../f", "..", ".", "a/b/c", "l", "sub/",
                                    "/etc/passwd", "../../x", "f/", "new", "l/x", "", "d", "sub/g"};

static uint8_t *mem;

/* A bundle (format: src/wasi_bundle.c): a/b/c, f, sub/g. */
#define U32(x) (x) & 255, ((x) >> 8) & 255, ((x) >> 16) & 255, ((x) >> 24) & 255
#define U64(x) U32(x), 0, 0, 0, 0
#define ENTRY(off, size, name, namelen, type)                                                  \
  U64(off), U64(size), U64(1000000000), U32(name), U32(namelen), type, 0, 0, 0, 0, 0, 0, 0
const unsigned char w2e_main_bundle[] = {
    'W', '2', 'E', 'B', U32(1), U32(1), U32(7), U64(371), U64(0),
    U32(0), U32(0), /* bundle 0: root entry 0 */
    ENTRY(1, 3, 320, 0, 3),   /* 0 root: a, f, sub */
    ENTRY(4, 1, 321, 1, 3),   /* 1 a: b */
    ENTRY(336, 5, 323, 1, 4), /* 2 f */
    ENTRY(5, 1, 325, 3, 3),   /* 3 sub: g */
    ENTRY(6, 1, 329, 1, 3),   /* 4 a/b: c */
    ENTRY(352, 4, 331, 1, 4), /* 5 sub/g */
    ENTRY(368, 3, 333, 1, 4), /* 6 a/b/c */
    0, 'a', 0, 'f', 0, 's', 'u', 'b', 0, 'b', 0, 'g', 0, 'c', 0, 0, /* names at 320 */
    'd', 'a', 't', 'a', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* 336 */
    'g', 'e', 'e', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,       /* 352 */
    's', 'e', 'a',                                                /* 368 */
};
_Static_assert(sizeof w2e_main_bundle == 371, "the bundle's layout");

/* A u32 argument: often small or a plausible pointer/length, sometimes anything. */
static uint64_t arg32(void) {
  switch (rnd() % 8) {
  case 0: return rnd() % 8;                       /* fds, flags, small lengths */
  case 1: return rnd() % MEM_SIZE;                /* pointers */
  case 2: return MEM_SIZE - rnd() % 16;           /* pointers at the end */
  case 3: return (uint32_t)rnd();                 /* anything */
  case 4: return 0xffffffffu - rnd() % 4;         /* near the top */
  case 5: return (rnd() % 16) * 256;              /* the planted strings and iovecs */
  case 6: return rnd() % 64;                      /* lengths */
  default: return rnd() % 4096;
  }
}

static uint64_t arg64(void) {
  switch (rnd() % 4) {
  case 0: return rnd() % 16;
  case 1: return rnd();
  case 2: return UINT64_MAX - rnd() % 4;
  default: return rnd() % 100000;
  }
}

/* Fills guest memory with a mix of random bytes, path strings and iovec arrays. */
static void scramble(void) {
  for (uint32_t i = 0; i < 16; i++) {
    uint8_t *p = mem + i * 256;
    switch (rnd() % 6) {
    case 0:
    case 4:
    case 5: {
      const char *n = names[rnd() % (sizeof names / sizeof names[0])];
      memcpy(p, n, strlen(n) + 1);
      break;
    }
    case 1: /* iovecs: {ptr, len} pairs */
      for (int k = 0; k < 4; k++) {
        uint32_t ptr = (uint32_t)(rnd() % MEM_SIZE), len = (uint32_t)(rnd() % 300);
        memcpy(p + 8 * k, &ptr, 4);
        memcpy(p + 8 * k + 4, &len, 4);
      }
      break;
    case 2:
      for (int k = 0; k < 256; k++) p[k] = (uint8_t)rnd();
      break;
    default:
      memset(p, 0, 256);
    }
  }
}

/* Keeps poll_oneoff from sleeping long: clock timeouts become tiny. */
static void tame_poll(uint64_t in, uint64_t n) {
  for (uint64_t i = 0; i < n && in + 48 * (i + 1) <= MEM_SIZE; i++) {
    uint8_t *s = mem + in + 48 * i;
    if (s[8] == 0) {
      uint64_t t = rnd() % 100000;
      memcpy(s + 24, &t, 8);
    }
  }
}

typedef uint32_t (*f0)(w2e_vmctx *);
typedef uint32_t (*f1)(w2e_vmctx *, uint64_t);
#define A uint64_t
#define I uint32_t

static uint32_t call(const w2e_wasi_func *f, w2e_vmctx *vm, const uint64_t *a) {
  const char *s = f->sig;
  const void *c = f->code;
#define IS(x) (!strcmp(s, x))
  if (IS(":i")) return ((uint32_t(*)(w2e_vmctx *))c)(vm);
  if (IS("i:i")) return ((uint32_t(*)(w2e_vmctx *, I))c)(vm, (I)a[0]);
  if (IS("ii:i")) return ((uint32_t(*)(w2e_vmctx *, I, I))c)(vm, (I)a[0], (I)a[1]);
  if (IS("iii:i")) return ((uint32_t(*)(w2e_vmctx *, I, I, I))c)(vm, (I)a[0], (I)a[1], (I)a[2]);
  if (IS("iiii:i"))
    return ((uint32_t(*)(w2e_vmctx *, I, I, I, I))c)(vm, (I)a[0], (I)a[1], (I)a[2], (I)a[3]);
  if (IS("iiiii:i"))
    return ((uint32_t(*)(w2e_vmctx *, I, I, I, I, I))c)(vm, (I)a[0], (I)a[1], (I)a[2], (I)a[3],
                                                        (I)a[4]);
  if (IS("iiiiii:i"))
    return ((uint32_t(*)(w2e_vmctx *, I, I, I, I, I, I))c)(vm, (I)a[0], (I)a[1], (I)a[2],
                                                           (I)a[3], (I)a[4], (I)a[5]);
  if (IS("iiiiiii:i"))
    return ((uint32_t(*)(w2e_vmctx *, I, I, I, I, I, I, I))c)(vm, (I)a[0], (I)a[1], (I)a[2],
                                                              (I)a[3], (I)a[4], (I)a[5], (I)a[6]);
  if (IS("iIi:i")) return ((uint32_t(*)(w2e_vmctx *, I, A, I))c)(vm, (I)a[0], a[1], (I)a[2]);
  if (IS("iI:i")) return ((uint32_t(*)(w2e_vmctx *, I, A))c)(vm, (I)a[0], a[1]);
  if (IS("iII:i")) return ((uint32_t(*)(w2e_vmctx *, I, A, A))c)(vm, (I)a[0], a[1], a[2]);
  if (IS("iIIi:i"))
    return ((uint32_t(*)(w2e_vmctx *, I, A, A, I))c)(vm, (I)a[0], a[1], a[2], (I)a[3]);
  if (IS("iIii:i"))
    return ((uint32_t(*)(w2e_vmctx *, I, A, I, I))c)(vm, (I)a[0], a[1], (I)a[2], (I)a[3]);
  if (IS("iiiIi:i"))
    return ((uint32_t(*)(w2e_vmctx *, I, I, I, A, I))c)(vm, (I)a[0], (I)a[1], (I)a[2], a[3],
                                                        (I)a[4]);
  if (IS("iiiiIIi:i"))
    return ((uint32_t(*)(w2e_vmctx *, I, I, I, I, A, A, I))c)(vm, (I)a[0], (I)a[1], (I)a[2],
                                                              (I)a[3], a[4], a[5], (I)a[6]);
  if (IS("iiiiiIIii:i"))
    return ((uint32_t(*)(w2e_vmctx *, I, I, I, I, I, A, A, I, I))c)(
        vm, (I)a[0], (I)a[1], (I)a[2], (I)a[3], (I)a[4], a[5], a[6], (I)a[7], (I)a[8]);
  fprintf(stderr, "test_wasi_fuzz: no caller for signature %s (%s)\n", s, f->name);
  exit(1);
}

int main(int argc, char **argv) {
  long calls = argc > 1 ? atol(argv[1]) : 300000;
  rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 12345;

  const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  char dir[256];
  snprintf(dir, sizeof dir, "%s/w2e-fuzz-XXXXXX", base);
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "mkdir -p %s/sub/a/b && echo data > %s/f && ln -s f %s/l && "
                            "ln -s ../.. %s/sub/up && ln -s l2 %s/l1 && ln -s l1 %s/l2",
           dir, dir, dir, dir, dir, dir);
  if (system(cmd) != 0) return 1;

  /* The configuration: one preopen, one variable. */
  char records[600];
  size_t n = 0;
  memcpy(records + n, "dir", 4), n += 4;
  memcpy(records + n, dir, strlen(dir) + 1), n += strlen(dir) + 1;
  memcpy(records + n, "/sb", 4), n += 4;
  memcpy(records + n, "bundle\0/bu\0" "0", 13), n += 13;
  memcpy(records + n, "env", 4), n += 4;
  memcpy(records + n, "A=1", 4), n += 4;
  records[n] = 0;
  char *args[] = {"fuzz", "x", NULL};
  w2e_wasi_set_args(2, args);

  int report = dup(2);
  int devnull = open("/dev/null", O_RDWR);
  dup2(devnull, 0);
  dup2(devnull, 1);
  dup2(devnull, 2);
  w2e_wasi_configure(records);

  /* Guest memory with guard bytes on both sides that must stay untouched. */
  uint8_t *block = malloc(MEM_SIZE + 2 * GUARD);
  memset(block, 0xA5, MEM_SIZE + 2 * GUARD);
  mem = block + GUARD;
  memset(mem, 0, MEM_SIZE);
  w2e_memory memory = {mem, MEM_SIZE, 1, MEM_SIZE};
  w2e_vmctx vm = {mem, &memory, 0, NULL};

  size_t nfuncs;
  const w2e_wasi_func *funcs = w2e_wasi_funcs(&nfuncs);
  long ok[64] = {0}, errs[77] = {0};
  for (long i = 0; i < calls; i++) {
    if (i % 64 == 0) scramble();
    const w2e_wasi_func *f = &funcs[rnd() % nfuncs];
    if (!strcmp(f->name, "proc_exit")) continue;
    /* Keep fds around: closing is rare, and the preopen comes back now and then. */
    if ((!strcmp(f->name, "fd_close") || !strcmp(f->name, "fd_renumber")) && rnd() % 20) continue;
    if (i % 2000 == 0) w2e_wasi_configure(records);
    uint64_t a[9];
    const char *p = f->sig;
    for (int k = 0; k < 9; k++, p += *p && *p != ':') a[k] = *p == 'I' ? arg64() : arg32();
    bool takes_fd = !strncmp(f->name, "fd_", 3) || !strncmp(f->name, "path_", 5) ||
                    !strncmp(f->name, "sock_", 5);
    if (takes_fd && rnd() % 10) a[0] = rnd() % 12;
    if (!strncmp(f->name, "path_", 5) && rnd() % 2) a[0] = 3 + rnd() % 2; /* /sb or /bu */
    if (!strcmp(f->name, "path_symlink") && rnd() % 10) a[2] = rnd() % 12;
    if ((!strcmp(f->name, "path_rename") || !strcmp(f->name, "path_link")) && rnd() % 10)
      a[f->name[5] == 'r' ? 3 : 4] = rnd() % 12;
    if (!strncmp(f->name, "path_", 5) && rnd() % 4) { /* a planted string */
      int at = !strcmp(f->name, "path_filestat_get") || !strcmp(f->name, "path_open") ||
               !strcmp(f->name, "path_filestat_set_times") || !strcmp(f->name, "path_link") ? 2 : 1;
      if (!strcmp(f->name, "path_symlink")) at = 0;
      a[at] = (rnd() % 16) * 256;
      a[at + 1] = strnlen((const char *)mem + a[at], 256);
    }
    if (!strcmp(f->name, "path_open") && rnd() % 4) { /* mostly valid flags */
      a[1] %= 2, a[4] %= 16, a[7] %= 32;
      if (rnd() % 2) a[5] = a[6] = 0x3fffffff;
      if (rnd() % 2) a[4] &= ~2u;
    }
    if (!strcmp(f->name, "fd_seek")) a[2] %= 4;
    if (!strcmp(f->name, "fd_filestat_set_times") || !strcmp(f->name, "fd_fdstat_set_flags"))
      a[f->name[4] == 'f' && f->name[9] == 's' && f->name[13] == 't' ? 3 : 1] %= 16;
    if (!strcmp(f->name, "poll_oneoff")) tame_poll(a[0], a[2]);
    if (!strcmp(f->name, "fd_allocate")) a[2] %= 1 << 20; /* no huge real allocations */
    uint32_t e = call(f, &vm, a);
    if (e > 76) {
      dprintf(report, "test_wasi_fuzz: %s returned %u\n", f->name, e);
      return 1;
    }
    errs[e]++;
    if (e == 0 && f - funcs < 64) ok[f - funcs]++;
  }
  for (uint32_t i = 0; i < GUARD; i++) {
    if (block[i] != 0xA5 || block[GUARD + MEM_SIZE + i] != 0xA5) {
      dprintf(report, "test_wasi_fuzz: memory outside the guest's was written\n");
      return 1;
    }
  }
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) return 1;
  if (getenv("FUZZ_VERBOSE")) {
    for (size_t i = 0; i < nfuncs && i < 64; i++) dprintf(report, "%s:%ld ", funcs[i].name, ok[i]);
    dprintf(report, "\nerrnos:");
    for (int i = 0; i < 77; i++) if (errs[i]) dprintf(report, " %d:%ld", i, errs[i]);
    dprintf(report, "\n");
  }
  dprintf(report, "test_wasi_fuzz: %ld calls to %zu functions, no crash\n", calls, nfuncs);
  return 0;
}
