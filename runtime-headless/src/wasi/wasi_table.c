/*
 * wasi_table.c: the wasi_snapshot_preview1 import table: each function's name, its signature
 * (params:results; i = i32, I = i64), checked against the module's import type, and the C
 * function implementing it, w2e_wasi_NAME, from the POSIX files (wasi*.c) or the Windows ones
 * (*_win32.c). Portable: the same table for every OS.
 */

#include "wasi/w2e_wasi.h"

#include <stdint.h>
#include <string.h>

#define H(name, sig) uint32_t w2e_wasi_##name();
H(args_get, "") H(args_sizes_get, "") H(environ_get, "") H(environ_sizes_get, "")
H(proc_raise, "") H(random_get, "")
void w2e_wasi_proc_exit();
#define LIST(X)                                                                                \
  X(clock_res_get, "ii:i") X(clock_time_get, "iIi:i") X(fd_advise, "iIIi:i")                   \
  X(fd_allocate, "iII:i") X(fd_close, "i:i") X(fd_datasync, "i:i") X(fd_fdstat_get, "ii:i")     \
  X(fd_fdstat_set_flags, "ii:i") X(fd_fdstat_set_rights, "iII:i") X(fd_filestat_get, "ii:i")    \
  X(fd_filestat_set_size, "iI:i") X(fd_filestat_set_times, "iIIi:i") X(fd_pread, "iiiIi:i")    \
  X(fd_prestat_dir_name, "iii:i") X(fd_prestat_get, "ii:i") X(fd_pwrite, "iiiIi:i")            \
  X(fd_read, "iiii:i") X(fd_readdir, "iiiIi:i") X(fd_renumber, "ii:i") X(fd_seek, "iIii:i")     \
  X(fd_sync, "i:i") X(fd_tell, "ii:i") X(fd_write, "iiii:i")                                    \
  X(path_create_directory, "iii:i") X(path_filestat_get, "iiiii:i")                             \
  X(path_filestat_set_times, "iiiiIIi:i") X(path_link, "iiiiiii:i")                             \
  X(path_open, "iiiiiIIii:i") X(path_readlink, "iiiiii:i") X(path_remove_directory, "iii:i")    \
  X(path_rename, "iiiiii:i") X(path_symlink, "iiiii:i") X(path_unlink_file, "iii:i")            \
  X(poll_oneoff, "iiii:i") X(sched_yield, ":i") X(sock_accept, "iii:i")                         \
  X(sock_recv, "iiiiii:i") X(sock_send, "iiiii:i") X(sock_shutdown, "ii:i")
LIST(H)
#undef H

#define ENTRY(name, sig) {#name, sig, (const void *)w2e_wasi_##name},
static const w2e_wasi_func wasi_funcs[] = {
    {"args_get", "ii:i", (const void *)w2e_wasi_args_get},
    {"args_sizes_get", "ii:i", (const void *)w2e_wasi_args_sizes_get},
    {"environ_get", "ii:i", (const void *)w2e_wasi_environ_get},
    {"environ_sizes_get", "ii:i", (const void *)w2e_wasi_environ_sizes_get},
    {"proc_exit", "i:", (const void *)w2e_wasi_proc_exit},
    {"proc_raise", "i:i", (const void *)w2e_wasi_proc_raise},
    {"random_get", "ii:i", (const void *)w2e_wasi_random_get},
    LIST(ENTRY)
};

const w2e_wasi_func *w2e_wasi_lookup(const char *name, size_t name_len) {
  for (size_t i = 0; i < sizeof wasi_funcs / sizeof wasi_funcs[0]; i++)
    if (strlen(wasi_funcs[i].name) == name_len && memcmp(wasi_funcs[i].name, name, name_len) == 0)
      return &wasi_funcs[i];
  return NULL;
}

const w2e_wasi_func *w2e_wasi_funcs(size_t *count) {
  *count = sizeof wasi_funcs / sizeof wasi_funcs[0];
  return wasi_funcs;
}

