/*
 * config.c: the capabilities the executable was built with (the `w2e_main_config` records,
 * see include/w2e_config.h) and, when the builder allowed it, run-time grants from
 * WASM2EXE_DIRS and WASM2EXE_ENV. Default deny: no records, no preopens, no environment.
 *
 * Preopens ("dir" and "bundle" records) take fds 3, 4, ... in record order (then run-time
 * grants in their order). The environment is the process's own when "inherit-env" is given,
 * then "env" records, then WASM2EXE_ENV entries; a later KEY=VALUE replaces an earlier one
 * with the same KEY (in place).
 * Start-up also ignores SIGPIPE, so a write to a closed pipe returns errno pipe (as wasmtime).
 */
#include "wasi/wasi_internal.h"
#include "wasi/w2e_wasi.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int wasi_envc;
char **wasi_envv;
static int env_cap;

/* Writes "wasm2exe: cannot start: " and the parts as one line, then exits. */
static void fail6(const char *a, const char *b, const char *c, const char *d, const char *e,
                  const char *f) __attribute__((noreturn));
static void fail6(const char *a, const char *b, const char *c, const char *d, const char *e,
                  const char *f) {
  const char *parts[] = {"wasm2exe: cannot start: ", a, b, c, d, e, f, "\n"};
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
    if (parts[i]) w2e_write_all(2, parts[i], strlen(parts[i]));
  _exit(W2E_EXIT_RUNTIME_ERROR);
}
#define fail(a, b, c, d, e) fail6(a, b, c, d, e, NULL)

/* Adds KEY=VALUE (copied); an entry with the same key is replaced in place. */
static void env_set(const char *entry, size_t len) {
  const char *eq = memchr(entry, '=', len);
  size_t keylen = eq ? (size_t)(eq - entry) : len;
  char *copy = malloc(len + 1);
  if (!copy) fail("out of memory", NULL, NULL, NULL, NULL);
  memcpy(copy, entry, len);
  copy[len] = 0;
  for (int i = 0; i < wasi_envc; i++) {
    if (strncmp(wasi_envv[i], entry, keylen) == 0 && wasi_envv[i][keylen] == '=') {
      free(wasi_envv[i]);
      wasi_envv[i] = copy;
      return;
    }
  }
  if (wasi_envc == env_cap) {
    int cap = env_cap ? env_cap * 2 : 16;
    char **v = realloc(wasi_envv, (size_t)cap * sizeof *v);
    if (!v) fail("out of memory", NULL, NULL, NULL, NULL);
    wasi_envv = v;
    env_cap = cap;
  }
  wasi_envv[wasi_envc++] = copy;
}

static void add_dir(const char *host, const char *guest) {
  const char *why = wasi_fd_add_preopen(host, guest);
  if (why) fail6("cannot open directory ", host, " granted as ", guest, ": ", why);
}

/* Calls `fn` on each non-empty line of `text`. */
static void each_line(const char *text, void (*fn)(const char *line, size_t len)) {
  while (text && *text) {
    size_t len = strcspn(text, "\n");
    size_t use = len;
    if (use && text[use - 1] == '\r') use--;
    if (use) fn(text, use);
    text += len;
    if (*text) text++;
  }
}

static void grant_dir(const char *line, size_t len) {
  char *spec = strndup(line, len);
  if (!spec) fail("out of memory", NULL, NULL, NULL, NULL);
  char *sep = strstr(spec, "::");
  const char *guest = spec;
  if (sep) {
    *sep = 0;
    guest = sep + 2;
  }
  if (!*spec || !*guest) fail("WASM2EXE_DIRS entry \"", line, "\" is not HOST[::GUEST]", NULL, NULL);
  add_dir(spec, guest);
  free(spec);
}

static void grant_env(const char *line, size_t len) {
  if (!memchr(line, '=', len) || line[0] == '=') {
    char *copy = strndup(line, len);
    fail("WASM2EXE_ENV entry \"", copy ? copy : "", "\" is not KEY=VALUE", NULL, NULL);
  }
  env_set(line, len);
}

/* The "entry" record's export name, or NULL for _start. */
static const char *entry_name;

const char *w2e_config_entry(void) { return entry_name; }

void w2e_wasi_configure(const char *records) {
  /* As wasmtime: writing to a closed pipe or socket fails with errno pipe, for the guest to
   * handle, instead of killing the process. */
#if defined(SIGPIPE) /* none on Windows */
  signal(SIGPIPE, SIG_IGN);
#endif
  wasi_fd_init_stdio();
  const char *missing = w2e_cpu_missing_baseline();
  if (missing)
    fail("this CPU lacks ", missing, ", which every executable for its architecture uses "
         "(x86_64: x86-64-v2, 2009 on; i686: SSE2); there is no build for older CPUs, run it "
         "on a newer one", NULL, NULL);
  bool inherit = false, runtime = false;
  /* First pass: flags, so the inherited environment comes before "env" records. */
  for (const char *p = records; p && *p;) {
    const char *key = p;
    p += strlen(p) + 1;
    int fields = !strcmp(key, "dir") || !strcmp(key, "bundle")                           ? 2
                 : !strcmp(key, "env") || !strcmp(key, "entry") || !strcmp(key, "cpu") ||
                         !strcmp(key, "max-memory") || !strcmp(key, "stack-size")
                     ? 1
                     : 0;
    if (!strcmp(key, "entry")) entry_name = p;
    if (!strcmp(key, "cpu") && !strcmp(p, "v") && !w2e_cpu_has(p))
      fail("the program's SIMD code needs the RISC-V vector extension (V), which this CPU lacks; "
           "run it on a CPU with V (RVA23; qemu-riscv64 -cpu rv64,v=true)", NULL, NULL, NULL, NULL);
    if (!strcmp(key, "cpu") && !w2e_cpu_has(p))
      fail("the program was built for newer CPUs (wasm2exe --cpu) and uses ", p,
           ", which this CPU lacks; rebuild it with --cpu baseline", NULL, NULL);
    /* Sizes in bytes, written by the CLI (--max-memory, --stack-size). */
    if (!strcmp(key, "max-memory")) w2e_max_memory_pages = strtoull(p, NULL, 10) / 65536;
    if (!strcmp(key, "stack-size")) {
      const char *why = w2e_set_stack_size(strtoull(p, NULL, 10));
      if (why) fail("cannot give wasm the stack of ", p, " bytes it was built with (--stack-size): ", why, NULL);
    }
    if (!strcmp(key, "inherit-env")) inherit = true;
    else if (!strcmp(key, "runtime-grants")) runtime = true;
    else if (!fields) fail("unknown capability record \"", key, "\"", NULL, NULL);
    for (int i = 0; i < fields; i++) p += strlen(p) + 1;
  }
  if (inherit)
    for (char **e = w2e_os_environ(); e && *e; e++) env_set(*e, strlen(*e));
  for (const char *p = records; p && *p;) {
    const char *key = p;
    p += strlen(p) + 1;
    if (!strcmp(key, "dir")) {
      const char *host = p;
      p += strlen(p) + 1;
      const char *guest = p;
      p += strlen(p) + 1;
      add_dir(host, guest);
    } else if (!strcmp(key, "env")) {
      env_set(p, strlen(p));
      p += strlen(p) + 1;
    } else if (!strcmp(key, "bundle")) { /* an embedded directory (wasi_bundle.c) */
      const char *guest = p;
      p += strlen(p) + 1;
      const char *index = p;
      p += strlen(p) + 1;
      const char *why = wasi_bundle_add_preopen(guest, index);
      if (why) fail6("cannot serve bundle ", index, " as ", guest, ": ", why);
    }
  }
  if (runtime) {
    each_line(w2e_os_getenv("WASM2EXE_DIRS"), grant_dir);
    each_line(w2e_os_getenv("WASM2EXE_ENV"), grant_env);
  }
}
