/*
 * test_main.c: a hand-made w2e_main_module for testing main.c and wasi.c. Its _start prints
 * its arguments with fd_write, then acts on argv[1]: "exit N" (proc_exit), "trap", "oob",
 * "fault" (fd_write with a bad pointer: prints the errno), "env", "clock", "random", "pipe"
 * (writes to stdout until a write fails, then prints that errno to stderr), or returns.
 * With -DBAD_IMPORT it imports an unknown WASI function; with -DNO_START it has no _start.
 */
#include "w2e_abi.h"

#include <string.h>

#define WASM __attribute__((noinline, used))

enum {
  NIMP = 7, NFUNCS = NIMP + 1,
  OFF_FUNC_REFS = 32,
  OFF_DEF_REFS = OFF_FUNC_REFS + 8 * NFUNCS,
  OFF_HOST_CODE = OFF_DEF_REFS + 24,
  VMCTX_SIZE = (OFF_HOST_CODE + 8 * NIMP + 15) / 16 * 16,
};
#define HOST(vm, i) (((const void **)((char *)(vm) + OFF_HOST_CODE))[i])

typedef uint32_t (*fn_ii)(w2e_vmctx *, uint32_t, uint32_t);
typedef uint32_t (*fn_iiii)(w2e_vmctx *, uint32_t, uint32_t, uint32_t, uint32_t);
typedef void (*fn_i_v)(w2e_vmctx *, uint32_t);
typedef uint32_t (*fn_iIi)(w2e_vmctx *, uint32_t, uint64_t, uint32_t);

/* Adapters (the compiler generates these). */
WASM uint32_t fd_write(w2e_vmctx *vm, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return ((fn_iiii)HOST(vm, 0))(vm, a, b, c, d);
}
WASM uint32_t args_sizes_get(w2e_vmctx *vm, uint32_t a, uint32_t b) { return ((fn_ii)HOST(vm, 1))(vm, a, b); }
WASM uint32_t args_get(w2e_vmctx *vm, uint32_t a, uint32_t b) { return ((fn_ii)HOST(vm, 2))(vm, a, b); }
WASM void proc_exit(w2e_vmctx *vm, uint32_t a) { ((fn_i_v)HOST(vm, 3))(vm, a); }
WASM uint32_t environ_sizes_get(w2e_vmctx *vm, uint32_t a, uint32_t b) { return ((fn_ii)HOST(vm, 4))(vm, a, b); }
WASM uint32_t clock_time_get(w2e_vmctx *vm, uint32_t a, uint64_t b, uint32_t c) {
  return ((fn_iIi)HOST(vm, 5))(vm, a, b, c);
}
WASM uint32_t random_get(w2e_vmctx *vm, uint32_t a, uint32_t b) { return ((fn_ii)HOST(vm, 6))(vm, a, b); }

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); } /* test runs little-endian */
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Writes `len` bytes at guest address `addr` to stdout; returns the errno. */
static uint32_t print_at(w2e_vmctx *vm, uint32_t addr, uint32_t len) {
  put32(vm->memory_base + 0, addr);
  put32(vm->memory_base + 4, len);
  return fd_write(vm, 1, 0, 1, 8);
}

/* Writes `len` bytes at guest address 4096 to guest fd `fd`; returns the errno. */
static uint32_t write_to(w2e_vmctx *vm, uint32_t fd, uint32_t len) {
  put32(vm->memory_base + 0, 4096);
  put32(vm->memory_base + 4, len);
  return fd_write(vm, fd, 0, 1, 8);
}

static uint32_t print(w2e_vmctx *vm, const char *s) {
  memcpy(vm->memory_base + 4096, s, strlen(s));
  return print_at(vm, 4096, (uint32_t)strlen(s));
}

static void print_num(w2e_vmctx *vm, uint64_t v) {
  char buf[24];
  int i = 23;
  buf[i] = 0;
  do buf[--i] = (char)('0' + v % 10); while (v /= 10);
  print(vm, buf + i);
}

WASM void start(w2e_vmctx *vm) {
  uint8_t *mem = vm->memory_base;
  if (args_sizes_get(vm, 16, 20)) proc_exit(vm, 90);
  uint32_t argc = get32(mem + 16);
  if (args_get(vm, 1024, 2048)) proc_exit(vm, 91);
  for (uint32_t i = 0; i < argc; i++) {
    uint32_t p = get32(mem + 1024 + 4 * i);
    print(vm, "[");
    print_at(vm, p, (uint32_t)strlen((const char *)mem + p));
    print(vm, "]");
  }
  print(vm, "\n");
  if (argc < 2) return;
  const char *cmd = (const char *)mem + get32(mem + 1028);
  if (!strcmp(cmd, "exit") && argc > 2) {
    const char *n = (const char *)mem + get32(mem + 1032);
    uint32_t v = 0;
    while (*n) v = v * 10 + (uint32_t)(*n++ - '0');
    proc_exit(vm, v);
  }
  if (!strcmp(cmd, "trap")) w2e_raise_trap(W2E_TRAP_UNREACHABLE);
  if (!strcmp(cmd, "oob")) print_num(vm, *(volatile uint8_t *)(mem + 0x80000000u));
  if (!strcmp(cmd, "fault")) {
    print_num(vm, print_at(vm, 65530, 7));
    print(vm, " ");
    print_num(vm, fd_write(vm, 1, 65535, 1, 8));
    print(vm, " ");
    print_num(vm, fd_write(vm, 7, 0, 0, 8));
    print(vm, " ");
    print_num(vm, args_get(vm, 65534, 0));
    print(vm, "\n");
  }
  if (!strcmp(cmd, "env")) {
    print_num(vm, environ_sizes_get(vm, 16, 20));
    print_num(vm, get32(mem + 16));
    print_num(vm, get32(mem + 20));
    print(vm, "\n");
  }
  if (!strcmp(cmd, "clock")) {
    print_num(vm, clock_time_get(vm, 1, 0, 32));
    uint64_t t;
    memcpy(&t, mem + 32, 8);
    print(vm, t > 0 ? " ok " : " zero ");
    print_num(vm, clock_time_get(vm, 9, 0, 32));
    print(vm, " ");
    print_num(vm, clock_time_get(vm, 2, 0, 32)); /* CPU time: badf, as wasmtime */
    print(vm, "\n");
  }
  if (!strcmp(cmd, "pipe")) { /* the reader goes away: errno pipe, not death by SIGPIPE */
    uint32_t err = 0;
    memset(mem + 4096, 'x', 4096);
    for (int i = 0; i < 100000 && !err; i++) err = write_to(vm, 1, 4096);
    char num[4] = {(char)('0' + err / 10 % 10), (char)('0' + err % 10), '\n'};
    memcpy(mem + 4096, num, 3);
    write_to(vm, 2, 3);
  }
  if (!strcmp(cmd, "random")) {
    memset(mem + 64, 0, 32);
    print_num(vm, random_get(vm, 64, 32));
    int nonzero = 0;
    for (int i = 0; i < 32; i++) nonzero += mem[64 + i] != 0;
    print(vm, nonzero > 8 ? " ok" : " bad");
    print_num(vm, random_get(vm, 65535, 2));
    print(vm, "\n");
  }
}

static void tramp_v(const void *code, w2e_vmctx *vm, w2e_value *a) {
  ((void (*)(w2e_vmctx *))code)(vm);
}
static void tramp_none(const void *code, w2e_vmctx *vm, w2e_value *a) {}

static const uint8_t k_iiii_i[] = {0, 0, 0, 0, 0}, k_ii_i[] = {0, 0, 0}, k_i[] = {0},
                     k_iIi_i[] = {0, 1, 0, 0};
static const w2e_functype types[] = {
    {1, 4, 1, k_iiii_i, tramp_none}, {2, 2, 1, k_ii_i, tramp_none},
    {3, 1, 0, k_i, tramp_none},      {4, 0, 0, k_i, tramp_v},
    {5, 3, 1, k_iIi_i, tramp_none},
};
#define W "wasi_snapshot_preview1"
#ifdef BAD_IMPORT
#define RANDOM_NAME "random_gett"
#else
#define RANDOM_NAME "random_get"
#endif
#define IMP(n, t) {W, n, sizeof W - 1, sizeof n - 1, W2E_EXTERN_FUNC, t}
static const w2e_import imports[NIMP] = {
    IMP("fd_write", 0), IMP("args_sizes_get", 1), IMP("args_get", 1), IMP("proc_exit", 2),
    IMP("environ_sizes_get", 1), IMP("clock_time_get", 4), IMP(RANDOM_NAME, 1),
};
#define F(fn, t, n) {(const void *)fn, t, 0, n, sizeof n - 1, 0}
static const w2e_func funcs[NFUNCS] = {
    F(fd_write, 0, "fd_write"), F(args_sizes_get, 1, "args_sizes_get"), F(args_get, 1, "args_get"),
    F(proc_exit, 2, "proc_exit"), F(environ_sizes_get, 1, "environ_sizes_get"),
    F(clock_time_get, 4, "clock_time_get"), F(random_get, 1, "random_get"),
    {(const void *)start, 3, 4096, "_start", 6, 0},
};
static const w2e_memory_type memories[] = {{1, 0, 0, 0}};
#ifdef NO_START
static const w2e_export exports[] = {{"_startx", 7, W2E_EXTERN_FUNC, NIMP, 0}};
#else
static const w2e_export exports[] = {{"_start", 6, W2E_EXTERN_FUNC, NIMP, 0}};
#endif

const w2e_module w2e_main_module = {
    .abi_version = W2E_ABI_VERSION,
    .vmctx_size = VMCTX_SIZE,
    .vmctx_func_refs = OFF_FUNC_REFS,
    .vmctx_defined_func_refs = OFF_DEF_REFS,
    .vmctx_tables = VMCTX_SIZE,
    .vmctx_imported_globals = VMCTX_SIZE,
    .vmctx_defined_globals = VMCTX_SIZE,
    .vmctx_tags = VMCTX_SIZE,
    .vmctx_host_code = OFF_HOST_CODE,
    .types = types,
    .num_types = 5,
    .imports = imports,
    .num_imports = NIMP,
    .funcs = funcs,
    .num_funcs = NFUNCS,
    .num_imported_funcs = NIMP,
    .memories = memories,
    .num_memories = 1,
    .exports = exports,
    .num_exports = 1,
    .start_func = UINT32_MAX,
    .name = "",
};
