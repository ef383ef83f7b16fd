/*
 * probe.c: a small interpreter of raw WASI calls, for comparing wasm2exe with wasmtime.
 * Each argument is one command, words separated by ','; every command prints one line with
 * the WASI errno and its results. Numbers are decimal or 0x hex. Fds are guest fd numbers.
 *
 *   open,DIRFD,PATH[,OFLAGS[,RIGHTS[,LOOKUP[,FDFLAGS]]]]   path_open (RIGHTS: r, w, rw as
 *       wasi-libc's open() asks, or a number; default all; inheriting: all)
 *   mkdir,DIRFD,PATH  rmdir,DIRFD,PATH  unlink,DIRFD,PATH  readlink,DIRFD,PATH[,BUFLEN]
 *   rename,DIRFD,OLD,DIRFD2,NEW   link,DIRFD,OLD,DIRFD2,NEW[,LOOKUP]   symlink,TARGET,DIRFD,PATH
 *   stat,DIRFD,PATH[,LOOKUP]   pstimes,DIRFD,PATH,ATIM,MTIM,FLAGS[,LOOKUP]
 *   write,FD,TEXT  read,FD,N  pread,FD,N,OFF  pwrite,FD,TEXT,OFF  seek,FD,OFF,WHENCE  tell,FD
 *   close,FD  renumber,FROM,TO  fdstat,FD  fdflags,FD (type and flags only)  setflags,FD,FLAGS  setrights,FD,BASE,INH
 *   fstat,FD  setsize,FD,N  fstimes,FD,ATIM,MTIM,FLAGS  sync,FD  datasync,FD
 *   advise,FD,OFF,LEN,ADV  allocate,FD,OFF,LEN  prestat,FD  readdir,FD[,BUFLEN[,COOKIE]]
 *   sleep,NS  pollfd,FD,TYPE(1 read|2 write)  raise,SIG  yield  exit,CODE  env  args
 *   clock,ID  res,ID  sockrecv,FD  socksend,FD  sockshut,FD,HOW  sockaccept,FD
 *   cat,DIRFD,PATH (prints the file's contents)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* No longer declared by wasi-libc, still part of wasi_snapshot_preview1. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) uint16_t
proc_raise_(uint32_t sig);

#define MAXW 10
static char *w[MAXW];
static int nw;

static uint64_t num(int i, uint64_t dflt) {
  if (i >= nw || !*w[i]) return dflt;
  return strtoull(w[i], NULL, 0);
}

static const char *str(int i) { return i < nw ? w[i] : ""; }

/* Rights as wasi-libc's open() asks for them: "r" (O_RDONLY), "w" (O_WRONLY), "rw", or a
 * number. The default is all rights. */
static uint64_t rights(int i) {
  const uint64_t all = 0x3fffffff;
  const uint64_t max = all & ~(__WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_READ |
                               __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE |
                               __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE);
  const uint64_t r = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR;
  const uint64_t wr = __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_WRITE |
                      __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE;
  const char *s = str(i);
  if (!strcmp(s, "r")) return max | r;
  if (!strcmp(s, "w")) return max | wr;
  if (!strcmp(s, "rw")) return max | r | wr;
  return num(i, all);
}

static void done(int e) { printf("%s = %d", w[0], e); }

static void show_filestat(const __wasi_filestat_t *st, int with_times) {
  printf(" type=%u nlink=%llu size=%llu dev=%llu ino=%llu", st->filetype,
         (unsigned long long)st->nlink, (unsigned long long)st->size,
         (unsigned long long)st->dev, (unsigned long long)st->ino);
  if (with_times)
    printf(" atim=%llu mtim=%llu", (unsigned long long)st->atim, (unsigned long long)st->mtim);
}

static void run(char *cmd) {
  nw = 0;
  for (char *p = cmd; nw < MAXW;) {
    w[nw++] = p;
    char *c = strchr(p, ',');
    if (!c) break;
    *c = 0;
    p = c + 1;
  }
  const char *op = w[0];
  int e;
  static uint8_t buf[65536];
  if (!strcmp(op, "open")) {
    __wasi_fd_t fd = 0;
    const char *path = str(2);
    e = __wasi_path_open((__wasi_fd_t)num(1, 3), (uint32_t)num(5, 1), path, (uint16_t)num(3, 0),
                         rights(4), 0x3fffffff, (uint16_t)num(6, 0), &fd);
    done(e);
    if (!e) printf(" fd=%u", fd);
  } else if (!strcmp(op, "mkdir")) {
    done(__wasi_path_create_directory((__wasi_fd_t)num(1, 3), str(2)));
  } else if (!strcmp(op, "rmdir")) {
    done(__wasi_path_remove_directory((__wasi_fd_t)num(1, 3), str(2)));
  } else if (!strcmp(op, "unlink")) {
    done(__wasi_path_unlink_file((__wasi_fd_t)num(1, 3), str(2)));
  } else if (!strcmp(op, "readlink")) {
    __wasi_size_t n = 0;
    e = __wasi_path_readlink((__wasi_fd_t)num(1, 3), str(2), buf, (uint32_t)num(3, 256), &n);
    done(e);
    if (!e) printf(" n=%u '%.*s'", (unsigned)n, (int)n, buf);
  } else if (!strcmp(op, "rename")) {
    done(__wasi_path_rename((__wasi_fd_t)num(1, 3), str(2), (__wasi_fd_t)num(3, 3), str(4)));
  } else if (!strcmp(op, "link")) {
    done(__wasi_path_link((__wasi_fd_t)num(1, 3), (uint32_t)num(5, 0), str(2),
                          (__wasi_fd_t)num(3, 3), str(4)));
  } else if (!strcmp(op, "symlink")) {
    done(__wasi_path_symlink(str(1), (__wasi_fd_t)num(2, 3), str(3)));
  } else if (!strcmp(op, "stat")) {
    __wasi_filestat_t st;
    e = __wasi_path_filestat_get((__wasi_fd_t)num(1, 3), (uint32_t)num(3, 1), str(2), &st);
    done(e);
    if (!e) show_filestat(&st, 0);
  } else if (!strcmp(op, "pstimes")) {
    e = __wasi_path_filestat_set_times((__wasi_fd_t)num(1, 3), (uint32_t)num(6, 1), str(2),
                                       num(3, 0), num(4, 0), (uint16_t)num(5, 0));
    done(e);
    __wasi_filestat_t st;
    if (!e && !__wasi_path_filestat_get((__wasi_fd_t)num(1, 3), (uint32_t)num(6, 1), str(2), &st))
      printf(" atim=%llu mtim=%llu", (unsigned long long)st.atim, (unsigned long long)st.mtim);
  } else if (!strcmp(op, "write") || !strcmp(op, "pwrite")) {
    __wasi_ciovec_t iov[2] = {{(const uint8_t *)str(2), strlen(str(2)) / 2},
                              {(const uint8_t *)str(2) + strlen(str(2)) / 2,
                               strlen(str(2)) - strlen(str(2)) / 2}};
    __wasi_size_t n = 0;
    if (op[0] == 'p')
      e = __wasi_fd_pwrite((__wasi_fd_t)num(1, 3), iov, 2, num(3, 0), &n);
    else
      e = __wasi_fd_write((__wasi_fd_t)num(1, 3), iov, 2, &n);
    done(e);
    if (!e) printf(" n=%u", (unsigned)n);
  } else if (!strcmp(op, "read") || !strcmp(op, "pread")) {
    uint32_t want = (uint32_t)num(2, 16);
    if (want > sizeof buf) want = sizeof buf;
    __wasi_iovec_t iov[2] = {{buf, want / 2}, {buf + want / 2, want - want / 2}};
    __wasi_size_t n = 0;
    if (op[0] == 'p')
      e = __wasi_fd_pread((__wasi_fd_t)num(1, 3), iov, 2, num(3, 0), &n);
    else
      e = __wasi_fd_read((__wasi_fd_t)num(1, 3), iov, 2, &n);
    done(e);
    if (!e) printf(" n=%u '%.*s'", (unsigned)n, (int)n, buf);
  } else if (!strcmp(op, "seek")) {
    __wasi_filesize_t pos = 0;
    e = __wasi_fd_seek((__wasi_fd_t)num(1, 3), (int64_t)num(2, 0), (uint8_t)num(3, 0), &pos);
    done(e);
    if (!e) printf(" pos=%llu", (unsigned long long)pos);
  } else if (!strcmp(op, "tell")) {
    __wasi_filesize_t pos = 0;
    e = __wasi_fd_tell((__wasi_fd_t)num(1, 3), &pos);
    done(e);
    if (!e) printf(" pos=%llu", (unsigned long long)pos);
  } else if (!strcmp(op, "close")) {
    done(__wasi_fd_close((__wasi_fd_t)num(1, 3)));
  } else if (!strcmp(op, "renumber")) {
    done(__wasi_fd_renumber((__wasi_fd_t)num(1, 3), (__wasi_fd_t)num(2, 3)));
  } else if (!strcmp(op, "fdstat") || !strcmp(op, "fdflags")) {
    __wasi_fdstat_t st;
    e = __wasi_fd_fdstat_get((__wasi_fd_t)num(1, 3), &st);
    done(e);
    if (!e && op[2] == 'f')
      printf(" type=%u flags=%u", st.fs_filetype, st.fs_flags);
    else if (!e)
      printf(" type=%u flags=%u base=%llx inh=%llx", st.fs_filetype, st.fs_flags,
             (unsigned long long)st.fs_rights_base, (unsigned long long)st.fs_rights_inheriting);
  } else if (!strcmp(op, "setflags")) {
    done(__wasi_fd_fdstat_set_flags((__wasi_fd_t)num(1, 3), (uint16_t)num(2, 0)));
  } else if (!strcmp(op, "setrights")) {
    done(__wasi_fd_fdstat_set_rights((__wasi_fd_t)num(1, 3), num(2, 0), num(3, 0)));
  } else if (!strcmp(op, "fstat")) {
    __wasi_filestat_t st;
    e = __wasi_fd_filestat_get((__wasi_fd_t)num(1, 3), &st);
    done(e);
    if (!e) show_filestat(&st, 0);
  } else if (!strcmp(op, "setsize")) {
    done(__wasi_fd_filestat_set_size((__wasi_fd_t)num(1, 3), num(2, 0)));
  } else if (!strcmp(op, "fstimes")) {
    e = __wasi_fd_filestat_set_times((__wasi_fd_t)num(1, 3), num(2, 0), num(3, 0),
                                     (uint16_t)num(4, 0));
    done(e);
    __wasi_filestat_t st;
    if (!e && !__wasi_fd_filestat_get((__wasi_fd_t)num(1, 3), &st))
      printf(" atim=%llu mtim=%llu", (unsigned long long)st.atim, (unsigned long long)st.mtim);
  } else if (!strcmp(op, "sync")) {
    done(__wasi_fd_sync((__wasi_fd_t)num(1, 3)));
  } else if (!strcmp(op, "datasync")) {
    done(__wasi_fd_datasync((__wasi_fd_t)num(1, 3)));
  } else if (!strcmp(op, "advise")) {
    done(__wasi_fd_advise((__wasi_fd_t)num(1, 3), num(2, 0), num(3, 0), (uint8_t)num(4, 0)));
  } else if (!strcmp(op, "allocate")) {
    done(__wasi_fd_allocate((__wasi_fd_t)num(1, 3), num(2, 0), num(3, 0)));
  } else if (!strcmp(op, "prestat")) {
    __wasi_prestat_t ps;
    __wasi_fd_t fd = (__wasi_fd_t)num(1, 3);
    e = __wasi_fd_prestat_get(fd, &ps);
    done(e);
    if (!e) {
      uint32_t len = ps.u.dir.pr_name_len;
      printf(" tag=%u len=%u", ps.tag, len);
      e = __wasi_fd_prestat_dir_name(fd, buf, len);
      printf(" name=%d '%.*s'", e, (int)len, buf);
      if (len) printf(" short=%d", __wasi_fd_prestat_dir_name(fd, buf, len - 1));
    } else {
      printf(" name=%d", __wasi_fd_prestat_dir_name(fd, buf, 100));
    }
  } else if (!strcmp(op, "readdir")) {
    uint32_t len = (uint32_t)num(2, 4096);
    if (len > sizeof buf) len = sizeof buf;
    __wasi_size_t used = 0;
    e = __wasi_fd_readdir((__wasi_fd_t)num(1, 3), buf, len, num(3, 0), &used);
    done(e);
    if (!e) {
      printf(" used=%u", (unsigned)used);
      for (uint32_t at = 0; at + sizeof(__wasi_dirent_t) <= used;) {
        __wasi_dirent_t d;
        memcpy(&d, buf + at, sizeof d);
        at += sizeof d;
        uint32_t n = d.d_namlen;
        if (n > used - at) n = used - at;
        printf(" [%.*s next=%llu type=%u ino=%llu]", (int)n, buf + at,
               (unsigned long long)d.d_next, d.d_type, (unsigned long long)d.d_ino);
        at += n;
      }
    }
  } else if (!strcmp(op, "sleep")) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = 42;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    s.u.u.clock.timeout = num(1, 1000000);
    __wasi_event_t ev;
    __wasi_size_t n = 0;
    e = __wasi_poll_oneoff(&s, &ev, 1, &n);
    done(e);
    if (!e) printf(" n=%u ud=%llu err=%u type=%u", (unsigned)n, (unsigned long long)ev.userdata, ev.error,
                   ev.type);
  } else if (!strcmp(op, "pollfd")) {
    __wasi_subscription_t s[2];
    memset(s, 0, sizeof s);
    s[0].userdata = 1;
    s[0].u.tag = (uint8_t)num(2, 1);
    s[0].u.u.fd_read.file_descriptor = (__wasi_fd_t)num(1, 3);
    s[1].userdata = 2;
    s[1].u.tag = __WASI_EVENTTYPE_CLOCK;
    s[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    s[1].u.u.clock.timeout = num(3, 50000000);
    __wasi_event_t ev[2];
    __wasi_size_t n = 0;
    e = __wasi_poll_oneoff(s, ev, 2, &n);
    done(e);
    if (!e) {
      printf(" n=%u", (unsigned)n);
      for (uint32_t i = 0; i < n && i < 2; i++)
        printf(" [ud=%llu err=%u type=%u nbytes=%llu flags=%u]",
               (unsigned long long)ev[i].userdata, ev[i].error, ev[i].type,
               (unsigned long long)ev[i].fd_readwrite.nbytes, ev[i].fd_readwrite.flags);
    }
  } else if (!strcmp(op, "raise")) {
    done(proc_raise_((uint32_t)num(1, 0)));
  } else if (!strcmp(op, "yield")) {
    done(__wasi_sched_yield());
  } else if (!strcmp(op, "exit")) {
    fflush(stdout);
    __wasi_proc_exit((uint32_t)num(1, 0));
  } else if (!strcmp(op, "env") || !strcmp(op, "args")) {
    __wasi_size_t count = 0, size = 0;
    e = op[0] == 'e' ? __wasi_environ_sizes_get(&count, &size)
                     : __wasi_args_sizes_get(&count, &size);
    done(e);
    printf(" count=%u size=%u", (unsigned)count, (unsigned)size);
    uint8_t *ptrs[64];
    if (count <= 64 && size <= sizeof buf) {
      e = op[0] == 'e' ? __wasi_environ_get(ptrs, buf) : __wasi_args_get(ptrs, buf);
      for (uint32_t i = 0; i < count; i++) printf(" [%s]", (char *)ptrs[i]);
    }
  } else if (!strcmp(op, "clock") || !strcmp(op, "res")) {
    __wasi_timestamp_t t = 0;
    e = op[0] == 'c' ? __wasi_clock_time_get((uint32_t)num(1, 0), 1, &t)
                     : __wasi_clock_res_get((uint32_t)num(1, 0), &t);
    done(e);
    if (!e) printf(" nonzero=%d", t != 0);
  } else if (!strcmp(op, "sockrecv")) {
    __wasi_iovec_t iov = {buf, 16};
    __wasi_size_t n = 0;
    __wasi_roflags_t fl = 0;
    e = __wasi_sock_recv((__wasi_fd_t)num(1, 0), &iov, 1, 0, &n, &fl);
    done(e);
    if (!e) printf(" n=%u '%.*s'", (unsigned)n, (int)n, buf);
  } else if (!strcmp(op, "socksend")) {
    __wasi_ciovec_t iov = {(const uint8_t *)"hi\n", 3};
    __wasi_size_t n = 0;
    e = __wasi_sock_send((__wasi_fd_t)num(1, 1), &iov, 1, 0, &n);
    done(e);
    if (!e) printf(" n=%u", (unsigned)n);
  } else if (!strcmp(op, "sockshut")) {
    done(__wasi_sock_shutdown((__wasi_fd_t)num(1, 1), (uint8_t)num(2, 3)));
  } else if (!strcmp(op, "sockaccept")) {
    __wasi_fd_t fd = 0;
    e = __wasi_sock_accept((__wasi_fd_t)num(1, 0), 0, &fd);
    done(e);
  } else if (!strcmp(op, "cat")) {
    __wasi_fd_t fd = 0;
    e = __wasi_path_open((__wasi_fd_t)num(1, 3), 1, str(2), 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    done(e);
    if (!e) {
      __wasi_iovec_t iov = {buf, sizeof buf};
      __wasi_size_t n = 0;
      e = __wasi_fd_read(fd, &iov, 1, &n);
      printf(" read=%d '%.*s'", e, (int)n, buf);
      (void)__wasi_fd_close(fd);
    }
  } else {
    printf("unknown command %s", op);
  }
  printf("\n");
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *copy = strdup(argv[i]);
    run(copy);
    free(copy);
    fflush(stdout);
  }
  return 0;
}
