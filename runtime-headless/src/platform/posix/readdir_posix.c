/*
 * platform/posix/readdir_posix.c: directory listings on POSIX (platform.h): a readdir stream
 * kept open between calls, so that a listing read in several calls costs one pass.
 */
#include "platform/posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the stream stands, to go back to an entry that did not fit. On Linux that is the d_off
 * of the entry read last (0 at the start): a 64-bit value, which telldir's long cannot hold on
 * 32-bit targets when a 64-bit kernel hands out ext4's 64-bit hash cookies (a 32-bit program
 * under qemu-user on a 64-bit host: seekdir to the truncated offset listed the directory
 * forever, measured under qemu-arm). Elsewhere telldir and seekdir. */
#ifdef __linux__
typedef uint64_t dir_pos;
static dir_pos tell(const wasi_fd_os *os) { return os->dir_pos; }
static void advanced(wasi_fd_os *os, const struct dirent *d) { os->dir_pos = (uint64_t)d->d_off; }
static void seek(wasi_fd_os *os, dir_pos pos) {
  rewinddir(os->dir); /* drops the buffered entries; the next readdir reads at the fd's offset */
  lseek(dirfd(os->dir), (off_t)pos, SEEK_SET);
  os->dir_pos = pos;
}
#else
typedef long dir_pos;
static dir_pos tell(const wasi_fd_os *os) { return telldir(os->dir); }
static void advanced(wasi_fd_os *os, const struct dirent *d) {
  (void)os;
  (void)d;
}
static void seek(wasi_fd_os *os, dir_pos pos) { seekdir(os->dir, pos); }
#endif

/* Opens (or rewinds) the fd's readdir stream at its first host entry, cookie 2. Rewinding
 * makes the next readdir read the directory again from the host. */
static uint32_t open_stream(w2e_handle h, wasi_fd_os *os) {
  if (os->dir) {
    rewinddir(os->dir);
  } else {
    int dfd = openat(h, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return wasi_errno(errno);
    os->dir = fdopendir(dfd);
    if (!os->dir) {
      int er = errno;
      close(dfd);
      return wasi_errno(er);
    }
  }
  os->dir_next = 2;
  os->dir_pos = 0;
  return WASI_ESUCCESS;
}

uint32_t w2e_os_readdir(w2e_handle h, wasi_fd_os *os, uint64_t want, w2e_dirents *out) {
  struct stat st;
  if (fstat(h, &st) != 0) return wasi_errno(errno);
  uint32_t err;
  /* The open stream only serves a listing that goes on where the last call stopped. One that
   * starts over (cookie 0 to 2) rewinds, so it sees entries made since (as wasmtime, which
   * reads the directory afresh), and so does one that goes back. */
  if ((!os->dir || want == 2 || os->dir_next > want) && (err = open_stream(h, os))) return err;
  for (;;) {
    dir_pos pos = tell(os);
    errno = 0;
    struct dirent *d = readdir(os->dir);
    if (!d) {
      if (errno) return wasi_errno(errno);
      break;
    }
    advanced(os, d);
    if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) continue;
    uint64_t this = os->dir_next++;
    if (this < want) continue;
    struct stat es;
    uint64_t ino;
    uint8_t type;
    if (fstatat(dirfd(os->dir), d->d_name, &es, AT_SYMLINK_NOFOLLOW) == 0) {
      ino = wasi_inode_hash((uint64_t)es.st_dev, (uint64_t)es.st_ino);
      type = wasi_filetype_of_mode(es.st_mode);
    } else {
      ino = wasi_inode_hash((uint64_t)st.st_dev, (uint64_t)d->d_ino);
      type = WASI_FILETYPE_UNKNOWN;
    }
    uint32_t before = out->used;
    if (!w2e_dirent_put(out, this + 1, ino, type, d->d_name, strlen(d->d_name))) {
      /* Full: unless this entry fit exactly, read it again next time. */
      if (!w2e_dirent_fits(out->used - before, strlen(d->d_name))) {
        seek(os, pos);
        os->dir_next = this;
      }
      break;
    }
  }
  return WASI_ESUCCESS;
}

