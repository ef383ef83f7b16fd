/*
 * readdir.c: fd_readdir with cookies. Entries are collected through a small buffer (so most
 * calls end in a truncated entry and the reader resumes from the last whole entry's d_next),
 * then sorted by name before printing: the order is the file system's, not the contract's.
 */
#include "common.h"

#include <dirent.h>

#define MAX_ENTRIES 64

typedef struct {
  char name[64];
  uint8_t type;
  __wasi_dircookie_t next;
} entry;

/* Reads the whole directory from `cookie` on through a `buf_len`-byte buffer. */
static int read_all(int fd, size_t buf_len, __wasi_dircookie_t cookie, entry *out,
                    __wasi_errno_t *err) {
  uint8_t buf[4096];
  int count = 0;
  *err = 0;
  for (;;) {
    __wasi_size_t used = 0;
    *err = __wasi_fd_readdir(fd, buf, buf_len, cookie, &used);
    if (*err) return count;
    size_t at = 0;
    int progressed = 0;
    while (at + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + at, sizeof d);
      if (at + sizeof d + d.d_namlen > used) break; /* truncated: resume from `cookie` */
      if (count < MAX_ENTRIES && d.d_namlen < sizeof out[count].name) {
        memcpy(out[count].name, buf + at + sizeof d, d.d_namlen);
        out[count].name[d.d_namlen] = '\0';
        out[count].type = d.d_type;
        out[count].next = d.d_next;
        count++;
      }
      cookie = d.d_next;
      at += sizeof d + d.d_namlen;
      progressed = 1;
    }
    if (used < buf_len) return count; /* a short buffer is the end of the directory */
    if (!progressed) {
      printf("buffer of %zu bytes too small for one entry\n", buf_len);
      return count;
    }
  }
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const entry *)a)->name, ((const entry *)b)->name);
}

static void list(const char *label, int fd, size_t buf_len) {
  entry entries[MAX_ENTRIES];
  __wasi_errno_t err;
  int n = read_all(fd, buf_len, 0, entries, &err);
  printf("%s (buffer %zu): errno=%u count=%d\n", label, buf_len, (unsigned)err, n);
  qsort(entries, n, sizeof *entries, by_name);
  for (int i = 0; i < n; i++) printf("  %s type=%u\n", entries[i].name, (unsigned)entries[i].type);
}

/* Resuming at the cookie after entry k yields exactly the entries after k. */
static void resume(const char *label, int fd) {
  entry all[MAX_ENTRIES], rest[MAX_ENTRIES];
  __wasi_errno_t err;
  int n = read_all(fd, sizeof(all), 0, all, &err);
  int ok = n > 3;
  for (int k = 0; ok && k < n; k++) {
    int m = read_all(fd, 100, all[k].next, rest, &err);
    ok = err == 0 && m == n - k - 1;
    for (int i = 0; ok && i < m; i++) ok = strcmp(rest[i].name, all[k + 1 + i].name) == 0;
  }
  printf("%s: every cookie resumes after its entry: %d\n", label, ok);
  int m = read_all(fd, 100, all[n - 1].next, rest, &err);
  printf("%s: resuming after the last entry: errno=%u count=%d\n", label, (unsigned)err, m);
}

static void libc_listing(const char *path) {
  DIR *dir = opendir(path);
  if (!dir) {
    printf("opendir %s: errno=%d\n", path, errno);
    return;
  }
  entry entries[MAX_ENTRIES];
  int n = 0;
  struct dirent *d;
  while ((d = readdir(dir)) && n < MAX_ENTRIES) {
    snprintf(entries[n].name, sizeof entries[n].name, "%s", d->d_name);
    entries[n++].type = d->d_type;
  }
  closedir(dir);
  qsort(entries, n, sizeof *entries, by_name);
  printf("libc readdir %s: count=%d\n", path, n);
  for (int i = 0; i < n; i++) printf("  %s d_type=%u\n", entries[i].name, (unsigned)entries[i].type);
}

int main(void) {
  list("preopen", PREOPEN, 64);
  list("preopen", PREOPEN, 4096);
  resume("preopen", PREOPEN);
  int sub = open_raw("open sub", 0, "sub", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0);
  list("sub", sub, 40);
  int empty = open_raw("open empty", 0, "empty", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0);
  list("empty", empty, 4096);
  /* A new file shows up in a listing that starts after its creation. */
  int made = open_raw("create empty/new.txt", 0, "empty/new.txt", __WASI_OFLAGS_CREAT, ALL_RIGHTS, 0);
  list("empty after create", empty, 4096);
  entry e[4];
  __wasi_errno_t err;
  read_all(made, 4096, 0, e, &err);
  printf("readdir on a file: errno=%u\n", (unsigned)err);
  read_all(99, 4096, 0, e, &err);
  printf("readdir on a bad fd: errno=%u\n", (unsigned)err);
  libc_listing("sub");
  libc_listing(".");
  libc_listing("hello.txt");
  return 0;
}
