/*
 * platform/posix/files_posix.c: open files on POSIX (platform.h): read and write (with and
 * without position), seek, sync, advice, size, metadata and times.
 */
#include "platform/posix/posix.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__APPLE__)
#define ST_ATIM(st) ((st)->st_atimespec)
#define ST_MTIM(st) ((st)->st_mtimespec)
#define ST_CTIM(st) ((st)->st_ctimespec)
#else
#define ST_ATIM(st) ((st)->st_atim)
#define ST_MTIM(st) ((st)->st_mtim)
#define ST_CTIM(st) ((st)->st_ctim)
#endif

/* ---- Filestat ---- */

static uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

#define SIPROUND                                                                               \
  do {                                                                                         \
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);                                  \
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                                     \
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                                     \
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);                                  \
  } while (0)

/* SipHash-1-3 with a zero key over le64(dev) le64(ino): Rust's DefaultHasher::new() fed
 * write_u64(dev), write_u64(ino), which is how wasmtime derives preview1 inode numbers. */
uint64_t wasi_inode_hash(uint64_t dev, uint64_t ino) {
  uint64_t v0 = 0x736f6d6570736575ull, v1 = 0x646f72616e646f6dull;
  uint64_t v2 = 0x6c7967656e657261ull, v3 = 0x7465646279746573ull;
  uint64_t m[2] = {dev, ino};
  for (int i = 0; i < 2; i++) {
    v3 ^= m[i];
    SIPROUND;
    v0 ^= m[i];
  }
  uint64_t b = (uint64_t)16 << 56;
  v3 ^= b;
  SIPROUND;
  v0 ^= b;
  v2 ^= 0xff;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t nanos(struct timespec ts) {
  if (ts.tv_sec < 0) return 0;
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t w2e_os_inode(uint64_t dev, uint64_t ino) { return wasi_inode_hash(dev, ino); }

void posix_filestat(const struct stat *st, w2e_filestat *out) {
  out->ino = wasi_inode_hash((uint64_t)st->st_dev, (uint64_t)st->st_ino);
  out->filetype = wasi_filetype_of_mode(st->st_mode);
  out->nlink = (uint64_t)st->st_nlink;
  out->size = (uint64_t)st->st_size;
  out->atim = nanos(ST_ATIM(st));
  out->mtim = nanos(ST_MTIM(st));
  out->ctim = nanos(ST_CTIM(st));
}

uint32_t w2e_os_fstat(w2e_handle h, w2e_filestat *out) {
  struct stat st;
  if (fstat(h, &st) != 0) return wasi_errno(errno);
  posix_filestat(&st, out);
  return WASI_ESUCCESS;
}

uint32_t w2e_os_io(w2e_handle h, uint8_t *buf, uint32_t len, uint64_t offset, unsigned how,
                   uint32_t *done) {
  bool writing = how & W2E_IO_WRITE, positional = how & W2E_IO_AT;
  uint64_t total = 0; /* W2E_IO_APPEND needs nothing: the descriptor has O_APPEND */
  for (;;) {
    ssize_t n;
    if (positional)
      n = writing ? pwrite(h, buf + total, len - total, (off_t)(offset + total))
                  : pread(h, buf + total, len - total, (off_t)(offset + total));
    else
      n = writing ? write(h, buf + total, len - total) : read(h, buf + total, len - total);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (total) break;
      return wasi_errno(errno);
    }
    total += (uint64_t)n;
    if (!(writing && (how & W2E_IO_STDIO)) || n == 0 || total == len) break;
  }
  *done = (uint32_t)total;
  return WASI_ESUCCESS;
}

uint32_t w2e_os_seek(w2e_handle h, int64_t offset, int whence, uint64_t *pos) {
  static const int whences[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  off_t p = lseek(h, (off_t)offset, whences[whence]);
  if (p < 0) return wasi_errno(errno);
  *pos = (uint64_t)p;
  return WASI_ESUCCESS;
}

uint32_t w2e_os_sync(w2e_handle h, bool data_only) {
#if defined(__APPLE__)
  int r = fsync(h); /* macOS has no fdatasync */
#else
  int r = data_only ? fdatasync(h) : fsync(h);
#endif
  return r == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

uint32_t w2e_os_advise(w2e_handle h, uint64_t offset, uint64_t len, uint32_t advice) {
#if defined(POSIX_FADV_NORMAL) && !defined(__APPLE__)
  static const int advices[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  int r = posix_fadvise(h, (off_t)offset, (off_t)len, advices[advice]);
  if (r != 0 && r != ESPIPE) return wasi_errno(r);
#endif
  return WASI_ESUCCESS;
}

uint32_t w2e_os_set_size(w2e_handle h, uint64_t size) {
  return ftruncate(h, (off_t)size) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}

/* The two timespecs of futimens/utimensat for a w2e_times (UTIME_OMIT keeps a time). */
void posix_timespecs(const w2e_times *t, struct timespec ts[2]) {
  for (int i = 0; i < 2; i++) {
    if (t->change[i] == W2E_TIME_SET) {
      ts[i].tv_sec = (time_t)(t->ns[i] / 1000000000u);
      ts[i].tv_nsec = (long)(t->ns[i] % 1000000000u);
    } else {
      ts[i].tv_sec = 0;
      ts[i].tv_nsec = t->change[i] == W2E_TIME_NOW ? UTIME_NOW : UTIME_OMIT;
    }
  }
}

uint32_t w2e_os_set_times(w2e_handle h, const w2e_times *t) {
  struct timespec ts[2];
  posix_timespecs(t, ts);
  return futimens(h, ts) == 0 ? WASI_ESUCCESS : wasi_errno(errno);
}
