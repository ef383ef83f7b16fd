/*
 * fd_ops.c: the fd_* calls on regular files, stdio and the preopened directory.
 *
 * Scenarios:
 *   io        fd_write, fd_read, fd_seek, fd_tell, fd_pread, fd_pwrite, fd_close
 *   meta      fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times, fd_advise,
 *             fd_allocate, fd_datasync, fd_sync
 *   fdstat    fd_fdstat_get on stdio, the preopen and files opened in different modes
 *   append    fd_fdstat_set_flags(APPEND): writes go to the end whatever the offset
 *   rights    fd_fdstat_set_rights: dropping a right, then trying to get it back
 *   renumber  fd_renumber
 *   readonly  writing through a descriptor that has no write right
 */
#include "common.h"

#include <fcntl.h>
#include <unistd.h>

#define RW_RIGHTS                                                                         \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |               \
   __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE | \
   __WASI_RIGHTS_FD_FILESTAT_SET_TIMES | __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE | \
   __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_SYNC | __WASI_RIGHTS_FD_FDSTAT_SET_FLAGS |  \
   __WASI_RIGHTS_POLL_FD_READWRITE)

static int create(const char *label, const char *path) {
  return open_raw(label, 0, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, RW_RIGHTS, 0);
}

static void show_offset(const char *label, int fd) {
  __wasi_filesize_t pos = 0;
  __wasi_errno_t err = __wasi_fd_tell(fd, &pos);
  printf("%s: tell errno=%u pos=%llu\n", label, (unsigned)err, (unsigned long long)pos);
}

static void seek(const char *label, int fd, int64_t offset, __wasi_whence_t whence) {
  __wasi_filesize_t pos = 0;
  __wasi_errno_t err = __wasi_fd_seek(fd, offset, whence, &pos);
  printf("%s: errno=%u pos=%llu\n", label, (unsigned)err, err ? 0ull : (unsigned long long)pos);
}

static void pread_at(const char *label, int fd, size_t len, uint64_t offset) {
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, len < sizeof buf ? len : sizeof buf - 1};
  __wasi_size_t n = 0;
  __wasi_errno_t err = __wasi_fd_pread(fd, &iov, 1, offset, &n);
  printf("%s: errno=%u n=%u \"%.*s\"\n", label, (unsigned)err, (unsigned)n, (int)n, buf);
}

static void pwrite_at(const char *label, int fd, const char *text, uint64_t offset) {
  __wasi_ciovec_t iov = {(const uint8_t *)text, strlen(text)};
  __wasi_size_t n = 0;
  __wasi_errno_t err = __wasi_fd_pwrite(fd, &iov, 1, offset, &n);
  printf("%s: errno=%u n=%u\n", label, (unsigned)err, (unsigned)n);
}

static void io(void) {
  int fd = create("create io.txt", "io.txt");
  write_raw("write", fd, "0123456789");
  /* Two iovecs in one call: gathered in order. */
  __wasi_ciovec_t iovs[2] = {{(const uint8_t *)"ab", 2}, {(const uint8_t *)"cd", 2}};
  __wasi_size_t n = 0;
  SHOW("write two iovecs", __wasi_fd_write(fd, iovs, 2, &n));
  printf("wrote %u\n", (unsigned)n);
  show_offset("after writes", fd);
  seek("seek set 2", fd, 2, __WASI_WHENCE_SET);
  seek("seek cur 3", fd, 3, __WASI_WHENCE_CUR);
  seek("seek end -4", fd, -4, __WASI_WHENCE_END);
  seek("seek cur -100 (before start)", fd, -100, __WASI_WHENCE_CUR);
  show_offset("after failed seeks", fd);
  show_contents("read rest", fd);
  show_contents("read at end", fd);
  seek("seek past end", fd, 20, __WASI_WHENCE_SET);
  show_contents("read past end", fd);
  seek("seek back", fd, 0, __WASI_WHENCE_SET);
  /* Scatter read into two buffers. */
  char a[3] = {0}, b[4] = {0};
  __wasi_iovec_t riovs[2] = {{(uint8_t *)a, 2}, {(uint8_t *)b, 3}};
  SHOW("read two iovecs", __wasi_fd_read(fd, riovs, 2, &n));
  printf("read %u \"%s\" \"%s\"\n", (unsigned)n, a, b);
  /* pread and pwrite leave the offset where it was. */
  pread_at("pread 4@6", fd, 4, 6);
  pread_at("pread at end", fd, 4, 14);
  pwrite_at("pwrite XY@1", fd, "XY", 1);
  show_offset("after pread/pwrite", fd);
  pwrite_at("pwrite past end", fd, "Z", 16);
  pread_at("pread all", fd, 63, 0);
  /* Standard streams cannot seek. */
  seek("seek stdout", 1, 0, __WASI_WHENCE_CUR);
  __wasi_filesize_t pos;
  SHOW("tell stdout", __wasi_fd_tell(1, &pos));
  SHOW("close", __wasi_fd_close(fd));
  SHOW("close again", __wasi_fd_close(fd));
  write_raw("write closed", fd, "x");
  show_contents("read closed", fd);
  seek("seek closed", fd, 0, __WASI_WHENCE_SET);
  SHOW("close 1234", __wasi_fd_close(1234));
  /* stdin is at end of input (the tests give an empty stdin). */
  show_contents("read stdin", 0);
  write_raw("write stdin", 0, "x");
}

static void show_filestat(const char *label, int fd) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  __wasi_errno_t err = __wasi_fd_filestat_get(fd, &st);
  printf("%s: errno=%u type=%u size=%llu nlink=%llu\n", label, (unsigned)err,
         (unsigned)st.filetype, (unsigned long long)st.size, (unsigned long long)st.nlink);
}

/* Directory sizes and link counts depend on the file system: only the type is printed. */
static void show_dir_filestat(const char *label, int fd) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  __wasi_errno_t err = __wasi_fd_filestat_get(fd, &st);
  printf("%s: errno=%u type=%u\n", label, (unsigned)err, (unsigned)st.filetype);
}

static void show_zeros(const char *label, int fd) {
  uint8_t buf[12];
  __wasi_iovec_t iov = {buf, sizeof buf};
  __wasi_size_t n = 0;
  __wasi_errno_t err = __wasi_fd_pread(fd, &iov, 1, 0, &n);
  int zeros = 0;
  for (__wasi_size_t i = 0; i < n; i++) zeros += buf[i] == 0;
  printf("%s: errno=%u n=%u zeros=%d\n", label, (unsigned)err, (unsigned)n, zeros);
}

static void show_times(const char *label, int fd) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  __wasi_errno_t err = __wasi_fd_filestat_get(fd, &st);
  printf("%s: errno=%u atim=%llu mtim=%llu\n", label, (unsigned)err,
         (unsigned long long)st.atim, (unsigned long long)st.mtim);
}

static void show_now_times(const char *label, int fd) {
  __wasi_filestat_t st;
  __wasi_timestamp_t now = 0;
  memset(&st, 0, sizeof st);
  __wasi_errno_t err = __wasi_fd_filestat_get(fd, &st);
  (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now);
  const uint64_t minute = 60ull * 1000000000ull;
  printf("%s: errno=%u mtim_recent=%d atim_fixed=%llu\n", label, (unsigned)err,
         st.mtim + minute > now && st.mtim < now + minute, (unsigned long long)st.atim);
}

static void meta(void) {
  int fd = create("create meta.txt", "meta.txt");
  write_raw("write", fd, "some bytes");
  show_filestat("filestat", fd);
  show_filestat("filestat stdout", 1);
  show_dir_filestat("filestat preopen", PREOPEN);
  SHOW("set_size 4", __wasi_fd_filestat_set_size(fd, 4));
  show_filestat("after shrink", fd);
  SHOW("set_size 12", __wasi_fd_filestat_set_size(fd, 12));
  show_filestat("after grow", fd);
  show_zeros("grown part is zeros", fd);
  SHOW("set_size preopen", __wasi_fd_filestat_set_size(PREOPEN, 0));

  const __wasi_timestamp_t t1 = 1000000000ull * 1000000000ull + 123456789ull;
  const __wasi_timestamp_t t2 = 1200000000ull * 1000000000ull;
  SHOW("set_times both",
       __wasi_fd_filestat_set_times(fd, t1, t2, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  show_times("times", fd);
  SHOW("set_times mtim only", __wasi_fd_filestat_set_times(fd, 0, t1, __WASI_FSTFLAGS_MTIM));
  show_times("times", fd);
  SHOW("set_times none", __wasi_fd_filestat_set_times(fd, 5, 5, 0));
  show_times("times", fd);
  SHOW("set_times mtim now", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  show_now_times("times", fd);
  SHOW("set_times atim and atim_now",
       __wasi_fd_filestat_set_times(fd, t1, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  SHOW("set_times mtim and mtim_now",
       __wasi_fd_filestat_set_times(fd, 0, t1, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));

  SHOW("advise normal", __wasi_fd_advise(fd, 0, 4, __WASI_ADVICE_NORMAL));
  SHOW("advise sequential", __wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_SEQUENTIAL));
  SHOW("advise dontneed", __wasi_fd_advise(fd, 2, 100, __WASI_ADVICE_DONTNEED));
  SHOW("advise closed fd", __wasi_fd_advise(99, 0, 4, __WASI_ADVICE_NORMAL));

  SHOW("allocate", __wasi_fd_allocate(fd, 0, 100));
  show_filestat("after allocate", fd);
  SHOW("allocate closed fd", __wasi_fd_allocate(99, 0, 100));

  SHOW("datasync", __wasi_fd_datasync(fd));
  SHOW("sync", __wasi_fd_sync(fd));
  SHOW("datasync closed fd", __wasi_fd_datasync(99));
  SHOW("sync closed fd", __wasi_fd_sync(99));
  SHOW("close", __wasi_fd_close(fd));
}

static void show_fdstat(const char *label, int fd) {
  __wasi_fdstat_t st;
  memset(&st, 0, sizeof st);
  __wasi_errno_t err = __wasi_fd_fdstat_get(fd, &st);
  printf("%s: errno=%u type=%u flags=%u\n", label, (unsigned)err, (unsigned)st.fs_filetype,
         (unsigned)st.fs_flags);
  if (err == 0)
    show_rights("  rights", st.fs_rights_base, st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
}

static void fdstat(void) {
  show_fdstat("fdstat preopen", PREOPEN);
  show_fdstat("fdstat bad fd", 99);
  int ro = open("hello.txt", O_RDONLY);
  show_fdstat("fdstat O_RDONLY", ro);
  int wo = open("out.txt", O_WRONLY | O_CREAT, 0644);
  show_fdstat("fdstat O_WRONLY", wo);
  int rw = open("hello.txt", O_RDWR | O_APPEND);
  show_fdstat("fdstat O_RDWR|O_APPEND", rw);
  int dir = open("sub", O_RDONLY | O_DIRECTORY);
  show_fdstat("fdstat directory", dir);
  printf("libc isatty(file)=%d\n", isatty(ro));
}

static void append(void) {
  int fd = create("create log.txt", "log.txt");
  write_raw("write", fd, "first\n");
  SHOW("set_flags append", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  show_fdstat("fdstat", fd);
  seek("seek 0", fd, 0, __WASI_WHENCE_SET);
  write_raw("write at 0 with append", fd, "second\n");
  show_offset("after append write", fd);
  SHOW("set_flags none", __wasi_fd_fdstat_set_flags(fd, 0));
  show_fdstat("fdstat", fd);
  seek("seek 0", fd, 0, __WASI_WHENCE_SET);
  write_raw("overwrite at 0", fd, "FIRST");
  SHOW("set_flags bad fd", __wasi_fd_fdstat_set_flags(99, __WASI_FDFLAGS_APPEND));
  pread_at("result", fd, 63, 0);
  /* libc's fcntl(F_SETFL) goes through the same call. */
  int lfd = open("log.txt", O_WRONLY);
  show_libc("fcntl F_SETFL O_APPEND", fcntl(lfd, F_SETFL, O_APPEND));
  show_libc("write via libc", write(lfd, "third\n", 6));
  printf("fcntl F_GETFL has O_APPEND: %d\n", (fcntl(lfd, F_GETFL) & O_APPEND) != 0);
  close(lfd);
  pread_at("result", fd, 63, 0);
}

static void rights(void) {
  int fd = create("create r.txt", "r.txt");
  __wasi_fdstat_t st;
  SHOW("fdstat", __wasi_fd_fdstat_get(fd, &st));
  show_rights("before", st.fs_rights_base, 0);
  __wasi_rights_t fewer = st.fs_rights_base & ~(__wasi_rights_t)__WASI_RIGHTS_FD_WRITE;
  SHOW("set_rights without write", __wasi_fd_fdstat_set_rights(fd, fewer, st.fs_rights_inheriting));
  SHOW("fdstat", __wasi_fd_fdstat_get(fd, &st));
  show_rights("after", st.fs_rights_base, 0);
  write_raw("write after dropping", fd, "x");
  SHOW("set_rights adding write back",
       __wasi_fd_fdstat_set_rights(fd, fewer | __WASI_RIGHTS_FD_WRITE, st.fs_rights_inheriting));
  SHOW("fdstat", __wasi_fd_fdstat_get(fd, &st));
  show_rights("after re-adding", st.fs_rights_base, 0);
  write_raw("write after re-adding", fd, "y");
  SHOW("set_rights bad fd", __wasi_fd_fdstat_set_rights(99, 0, 0));
}

static void renumber(void) {
  int a = open_raw("open hello.txt", 0, "hello.txt", 0, RW_RIGHTS, 0);
  int b = open_raw("open sub/nested.txt", 0, "sub/nested.txt", 0, RW_RIGHTS, 0);
  printf("distinct fds: %d\n", a != b && a > PREOPEN && b > PREOPEN);
  SHOW("renumber a->b", __wasi_fd_renumber(a, b));
  show_contents("read b (now hello)", b);
  show_contents("read a (gone)", a);
  SHOW("renumber gone fd", __wasi_fd_renumber(a, b));
  SHOW("renumber to unused fd", __wasi_fd_renumber(b, 77));
  SHOW("renumber to itself", __wasi_fd_renumber(b, b));
  show_contents("read b after renumber to itself", b);
  SHOW("close b", __wasi_fd_close(b));
  /* The freed slot is reused by the next open. */
  int c = open_raw("open hello.txt again", 0, "hello.txt", 0, RW_RIGHTS, 0);
  printf("reused lowest fd: %d\n", c == a || c == b);
}

static void readonly(void) {
  int raw = open_raw("open readonly.txt read-only", 0, "readonly.txt", 0,
                     __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0);
  write_raw("write", raw, "overwritten!");
  pwrite_at("pwrite", raw, "overwritten!", 0);
  SHOW("set_size", __wasi_fd_filestat_set_size(raw, 0));
  SHOW("allocate", __wasi_fd_allocate(raw, 0, 1000));
  show_contents("read still works", raw);
  int fd = open("readonly.txt", O_RDONLY);
  show_libc("libc write", write(fd, "overwritten!", 12));
  show_libc("libc ftruncate", ftruncate(fd, 0));
  show_libc("libc pwrite", pwrite(fd, "x", 1, 0));
}

int main(int argc, char **argv) {
  const char *which = scenario(argc, argv);
  if (IS("io")) io();
  else if (IS("meta")) meta();
  else if (IS("fdstat")) fdstat();
  else if (IS("append")) append();
  else if (IS("rights")) rights();
  else if (IS("renumber")) renumber();
  else if (IS("readonly")) readonly();
  else return 2;
  return 0;
}
