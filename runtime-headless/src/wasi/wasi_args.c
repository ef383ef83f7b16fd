/*
 * wasi_args.c: args_* and environ_*, the same on every OS: they copy the strings the process
 * entry (w2e_wasi_set_args) and the capability records (config.c) prepared into guest memory.
 */
#include "wasi/wasi_internal.h"
#include "wasi/w2e_wasi.h"

#include <string.h>

/* Writes `count` strings as an array of u32 pointers at `ptrs` and NUL-terminated bytes at
 * `buf`, the layout of args_get and environ_get. */
static uint32_t put_strings(w2e_vmctx *vm, char **strs, int count, uint32_t ptrs, uint32_t buf) {
  uint64_t size = 0;
  for (int i = 0; i < count; i++) size += strlen(strs[i]) + 1;
  uint8_t *p = wasi_guest(vm, ptrs, (uint64_t)count * 4);
  uint8_t *b = wasi_guest(vm, buf, size);
  if (!p || !b) return WASI_EFAULT;
  uint64_t at = 0;
  for (int i = 0; i < count; i++) {
    size_t len = strlen(strs[i]) + 1;
    wasi_store32(p + 4 * i, (uint32_t)(buf + at));
    memcpy(b + at, strs[i], len);
    at += len;
  }
  return WASI_ESUCCESS;
}

static uint32_t put_sizes(w2e_vmctx *vm, char **strs, int count, uint32_t count_ptr,
                          uint32_t size_ptr) {
  uint64_t size = 0;
  for (int i = 0; i < count; i++) size += strlen(strs[i]) + 1;
  if (size > UINT32_MAX) return WASI_EOVERFLOW;
  if (!wasi_guest(vm, count_ptr, 4) || !wasi_guest(vm, size_ptr, 4)) return WASI_EFAULT;
  wasi_put32(vm, count_ptr, (uint32_t)count);
  wasi_put32(vm, size_ptr, (uint32_t)size);
  return WASI_ESUCCESS;
}

uint32_t w2e_wasi_args_sizes_get(w2e_vmctx *vm, uint32_t argc_ptr, uint32_t size_ptr) {
  return put_sizes(vm, wasi_argv, wasi_argc, argc_ptr, size_ptr);
}

uint32_t w2e_wasi_args_get(w2e_vmctx *vm, uint32_t argv_ptr, uint32_t buf_ptr) {
  return put_strings(vm, wasi_argv, wasi_argc, argv_ptr, buf_ptr);
}

uint32_t w2e_wasi_environ_sizes_get(w2e_vmctx *vm, uint32_t count_ptr, uint32_t size_ptr) {
  return put_sizes(vm, wasi_envv, wasi_envc, count_ptr, size_ptr);
}

uint32_t w2e_wasi_environ_get(w2e_vmctx *vm, uint32_t environ_ptr, uint32_t buf_ptr) {
  return put_strings(vm, wasi_envv, wasi_envc, environ_ptr, buf_ptr);
}
