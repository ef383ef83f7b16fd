/*
 * platform/posix/types.h: the POSIX platform's types behind platform/platform.h. A handle is
 * a file descriptor; an open directory keeps its readdir stream between fd_readdir calls,
 * and a path walk stands in directory fds.
 */
#ifndef W2E_PLATFORM_POSIX_TYPES_H
#define W2E_PLATFORM_POSIX_TYPES_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>

typedef int w2e_handle;
#define W2E_NO_HANDLE (-1)

/* What a guest fd carries for this platform besides its handle. */
typedef struct wasi_fd_os {
  DIR *dir;          /* fd_readdir: the open stream, or NULL */
  uint64_t dir_next; /* the cookie of the entry the stream reads next */
  uint64_t dir_pos;  /* Linux: the stream's host offset before that entry (readdir_posix.c) */
} wasi_fd_os;

/* A directory a path walk stands in: an fd opened beneath the grant (owned), or the guest
 * fd's own (borrowed). */
typedef struct w2e_dirref {
  int fd;
  bool owned;
} w2e_dirref;

#endif /* W2E_PLATFORM_POSIX_TYPES_H */
