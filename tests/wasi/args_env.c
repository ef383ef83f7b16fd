/*
 * args_env.c: args_sizes_get/args_get and environ_sizes_get/environ_get through the raw calls,
 * so the sizes each reports are printed exactly. Environment entries are sorted: their order
 * is the host's, not part of the contract.
 *
 * Scenarios: "args" prints the arguments; "env" prints the environment.
 */
#include "common.h"

static void show_args(void) {
  __wasi_size_t argc = 0, size = 0;
  SHOW("args_sizes_get", __wasi_args_sizes_get(&argc, &size));
  printf("argc=%u size=%u\n", (unsigned)argc, (unsigned)size);
  uint8_t **argv = calloc(argc + 1, sizeof *argv);
  uint8_t *buf = calloc(size + 1, 1);
  SHOW("args_get", __wasi_args_get(argv, buf));
  for (__wasi_size_t i = 0; i < argc; i++) printf("arg[%u]=[%s]\n", (unsigned)i, argv[i]);
  /* The strings are packed one after another, each NUL-terminated. */
  printf("packed=%d\n", argc == 0 || (size_t)(argv[argc - 1] - buf) +
                                              strlen((char *)argv[argc - 1]) + 1 == size);
}

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show_env(void) {
  __wasi_size_t count = 0, size = 0;
  SHOW("environ_sizes_get", __wasi_environ_sizes_get(&count, &size));
  printf("count=%u size=%u\n", (unsigned)count, (unsigned)size);
  char **env = calloc(count + 1, sizeof *env);
  char *buf = calloc(size + 1, 1);
  SHOW("environ_get", __wasi_environ_get((uint8_t **)env, (uint8_t *)buf));
  qsort(env, count, sizeof *env, compare_strings);
  for (__wasi_size_t i = 0; i < count; i++) printf("env=[%s]\n", env[i]);
  /* libc's view must agree with the raw one. */
  const char *granted = getenv("GRANTED");
  printf("getenv(GRANTED)=%s\n", granted ? granted : "(unset)");
}

int main(int argc, char **argv) {
  const char *which = scenario(argc, argv);
  if (IS("args"))
    show_args();
  else if (IS("env"))
    show_env();
  else
    return 2;
  return 0;
}
