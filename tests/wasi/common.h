/*
 * common.h: shared helpers of the WASI test programs.
 *
 * Each program runs under wasmtime and as a wasm2exe executable, and the test compares the two
 * stdouts byte for byte. So programs print every result that should agree (errno numbers,
 * sizes, file types, contents) and never anything that may legitimately differ (times, inode
 * numbers, absolute host paths, directory order).
 *
 * A program picks its scenario from argv[1], so one build serves several tests.
 */
#ifndef WASI_TEST_COMMON_H
#define WASI_TEST_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* The first preopened directory (`--dir`): WASI numbers preopens from 3. */
#define PREOPEN 3

/* Prints a raw WASI call's errno: `label: errno=N`. */
#define SHOW(label, call)                                                                   \
  do {                                                                                      \
    __wasi_errno_t show_err_ = (call);                                                      \
    printf("%s: errno=%u\n", (label), (unsigned)show_err_);                               \
  } while (0)

/* Prints a libc call's result and, when it failed, errno (wasi-libc errno values are WASI's). */
static inline void show_libc(const char *label, long result) {
  if (result < 0)
    printf("%s: -1 errno=%d\n", label, errno);
  else
    printf("%s: ok\n", label);
}

/* The rights that decide what a descriptor can do, printed by name rather than as a raw mask.
 * The directory rights are printed for directories only: wasmtime reports them on files too,
 * where they mean nothing. */
static inline void show_rights(const char *label, __wasi_rights_t r, int is_dir) {
  printf("%s: read=%d write=%d seek=%d tell=%d", label, !!(r & __WASI_RIGHTS_FD_READ),
         !!(r & __WASI_RIGHTS_FD_WRITE), !!(r & __WASI_RIGHTS_FD_SEEK),
         !!(r & __WASI_RIGHTS_FD_TELL));
  if (is_dir)
    printf(" readdir=%d path_open=%d", !!(r & __WASI_RIGHTS_FD_READDIR),
           !!(r & __WASI_RIGHTS_PATH_OPEN));
  printf("\n");
}

/* Every right: what a program asks for when it wants whatever the runtime allows. */
#define ALL_RIGHTS ((__wasi_rights_t)0x1FFFFFFF)

/* Every right but writing: for opening directories (asking to write one is EISDIR). */
#define DIR_RIGHTS (ALL_RIGHTS & ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE)

/* Opens `path` under the preopen with raw path_open; prints the errno; returns the fd or -1. */
static inline int open_raw(const char *label, __wasi_lookupflags_t lookup, const char *path,
                           __wasi_oflags_t oflags, __wasi_rights_t rights,
                           __wasi_fdflags_t fdflags) {
  __wasi_fd_t fd = 0;
  __wasi_errno_t err =
      __wasi_path_open(PREOPEN, lookup, path, oflags, rights, rights, fdflags, &fd);
  printf("%s: errno=%u\n", label, (unsigned)err);
  return err == 0 ? (int)fd : -1;
}

/* Reads what is left of `fd` (at most 255 bytes) and prints it as `label: "..."`. */
static inline void show_contents(const char *label, int fd) {
  char buf[256];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  __wasi_errno_t err = __wasi_fd_read((__wasi_fd_t)fd, &iov, 1, &n);
  buf[err == 0 ? n : 0] = '\0';
  printf("%s: errno=%u \"%s\"\n", label, (unsigned)err, buf);
}

/* Writes `text` to `fd` with raw fd_write; prints the errno and the count. */
static inline void write_raw(const char *label, int fd, const char *text) {
  __wasi_ciovec_t iov = {(const uint8_t *)text, strlen(text)};
  __wasi_size_t n = 0;
  __wasi_errno_t err = __wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &n);
  printf("%s: errno=%u n=%u\n", label, (unsigned)err, (unsigned)n);
}

/* Prints path_filestat_get's type, and the size of files and symlinks (following symlinks
 * when `follow`). Directory sizes depend on the file system, so they are not printed. */
static inline void show_stat(const char *label, int follow, const char *path) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  __wasi_errno_t err = __wasi_path_filestat_get(
      PREOPEN, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, &st);
  if (err)
    printf("%s: errno=%u\n", label, (unsigned)err);
  else if (st.filetype == __WASI_FILETYPE_DIRECTORY)
    printf("%s: errno=0 type=%u\n", label, (unsigned)st.filetype);
  else
    printf("%s: errno=0 type=%u size=%llu\n", label, (unsigned)st.filetype,
           (unsigned long long)st.size);
}

/* The scenario argument, or the program's usage error. */
static inline const char *scenario(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s SCENARIO\n", argv[0]);
    exit(2);
  }
  return argv[1];
}

#define IS(name) (strcmp(which, (name)) == 0)

#endif
