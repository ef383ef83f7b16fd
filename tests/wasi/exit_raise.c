/*
 * exit_raise.c: how a program ends. argv[1] is "exit N" (proc_exit(N) after buffered output,
 * which libc's exit flushes), "return N" (main returns N), "raw N" (the raw proc_exit, no
 * flush), or "raise" (proc_raise(SIGABRT), which wasi-libc does not expose).
 */
#include "common.h"

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) extern uint16_t
wasi_proc_raise(uint32_t signal);

int main(int argc, char **argv) {
  const char *which = scenario(argc, argv);
  int code = argc > 2 ? atoi(argv[2]) : 0;
  printf("before ending: %s %d\n", which, code);
  if (IS("exit")) exit(code);
  if (IS("return")) return code;
  if (IS("raw")) {
    fflush(stdout);
    __wasi_proc_exit((__wasi_exitcode_t)code);
  }
  if (IS("raise")) {
    fflush(stdout);
    uint16_t err = wasi_proc_raise(6);
    printf("proc_raise returned errno=%u\n", (unsigned)err);
    return 0;
  }
  return 2;
}
