/*
 * test_config.c: configures WASI from capability records given as arguments (each argument
 * is one NUL-terminated field; "." ends a record list early is not needed: the list ends with
 * the arguments), then prints what the guest would see: the environment, and each preopen's
 * fd and guest name. Checked by test_config.sh.
 */
#include "w2e_abi.h"
#include "wasi/w2e_wasi.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  size_t size = 1;
  for (int i = 1; i < argc; i++) size += strlen(argv[i]) + 1;
  char *records = calloc(size, 1), *p = records;
  for (int i = 1; i < argc; i++) p = stpcpy(p, argv[i]) + 1;
  w2e_wasi_set_args(1, argv);
  w2e_wasi_configure(argc > 1 ? records : NULL);

  static uint8_t mem[65536];
  w2e_memory memory = {mem, sizeof mem, 1, sizeof mem};
  w2e_vmctx vm = {mem, &memory, 0, NULL};
  const w2e_wasi_func *sizes = w2e_wasi_lookup("environ_sizes_get", 17);
  const w2e_wasi_func *get = w2e_wasi_lookup("environ_get", 11);
  uint32_t count, bytes;
  ((uint32_t(*)(w2e_vmctx *, uint32_t, uint32_t))sizes->code)(&vm, 0, 4);
  memcpy(&count, mem, 4);
  memcpy(&bytes, mem + 4, 4);
  ((uint32_t(*)(w2e_vmctx *, uint32_t, uint32_t))get->code)(&vm, 16, 4096);
  printf("env %u:", count);
  for (uint32_t i = 0; i < count; i++) {
    uint32_t at;
    memcpy(&at, mem + 16 + 4 * i, 4);
    printf(" [%s]", (char *)mem + at);
  }
  printf("\n");
  const w2e_wasi_func *pget = w2e_wasi_lookup("fd_prestat_get", 14);
  const w2e_wasi_func *pname = w2e_wasi_lookup("fd_prestat_dir_name", 19);
  for (uint32_t fd = 3;; fd++) {
    if (((uint32_t(*)(w2e_vmctx *, uint32_t, uint32_t))pget->code)(&vm, fd, 0)) break;
    uint32_t len;
    memcpy(&len, mem + 4, 4);
    ((uint32_t(*)(w2e_vmctx *, uint32_t, uint32_t, uint32_t))pname->code)(&vm, fd, 100, len);
    printf("preopen %u %.*s\n", fd, (int)len, (char *)mem + 100);
  }
  return 0;
}
