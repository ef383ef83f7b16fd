/*
 * preopens.c: what a program was granted. fd_prestat_get and fd_prestat_dir_name over the
 * preopened descriptors, and what it can reach through them.
 *
 * Scenarios:
 *   prestat    every preopen's name, plus the calls' errors (short buffer, stdio, bad fd)
 *   inventory  the preopens, the environment, and an attempt to read hello.txt: the program's
 *              whole view, for the default-deny and runtime-grant tests
 */
#include "common.h"

#include <fcntl.h>
#include <unistd.h>

/* Prints each preopen from fd 3 up to the first that is not one; returns how many. */
static int list_preopens(void) {
  int count = 0;
  for (__wasi_fd_t fd = PREOPEN;; fd++) {
    __wasi_prestat_t pre;
    __wasi_errno_t err = __wasi_fd_prestat_get(fd, &pre);
    if (err) {
      printf("prestat_get(%u): errno=%u (end of preopens)\n", (unsigned)fd, (unsigned)err);
      return count;
    }
    char name[256] = {0};
    size_t len = pre.u.dir.pr_name_len;
    err = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len < sizeof name ? len : 0);
    printf("preopen fd=%u tag=%u name_len=%zu dir_name errno=%u name=[%.*s]\n", (unsigned)fd,
           (unsigned)pre.tag, len, (unsigned)err, (int)len, name);
    count++;
  }
}

static void prestat(void) {
  int count = list_preopens();
  printf("preopens: %d\n", count);
  __wasi_prestat_t pre;
  SHOW("prestat_get stdin", __wasi_fd_prestat_get(0, &pre));
  SHOW("prestat_get stdout", __wasi_fd_prestat_get(1, &pre));
  SHOW("prestat_get 1000", __wasi_fd_prestat_get(1000, &pre));
  char name[64];
  memset(name, '#', sizeof name);
  /* fd 4 is "/data": five bytes into a buffer of two. */
  SHOW("dir_name short buffer", __wasi_fd_prestat_dir_name(PREOPEN + 1, (uint8_t *)name, 2));
  printf("short buffer untouched past its length: %d\n", name[2] == '#');
  SHOW("dir_name long buffer", __wasi_fd_prestat_dir_name(PREOPEN, (uint8_t *)name, sizeof name));
  SHOW("dir_name stdout", __wasi_fd_prestat_dir_name(1, (uint8_t *)name, sizeof name));
  /* A file opened through a preopen is not itself a preopen. */
  int fd = open_raw("open hello.txt", 0, "hello.txt", 0, __WASI_RIGHTS_FD_READ, 0);
  SHOW("prestat_get on an opened file", __wasi_fd_prestat_get(fd, &pre));
  /* The second preopen reaches its own directory. */
  int data = open("/data/nested.txt", O_RDONLY);
  show_libc("open /data/nested.txt", data);
  if (data >= 0) show_contents("/data/nested.txt", data);
}

static void inventory(void) {
  printf("preopens: %d\n", list_preopens());
  __wasi_size_t count = 0, size = 0;
  SHOW("environ_sizes_get", __wasi_environ_sizes_get(&count, &size));
  printf("environ count=%u size=%u\n", (unsigned)count, (unsigned)size);
  char **env = calloc(count + 1, sizeof *env);
  char *buf = calloc(size + 1, 1);
  SHOW("environ_get", __wasi_environ_get((uint8_t **)env, (uint8_t *)buf));
  for (__wasi_size_t i = 0; i < count; i++) printf("env=[%s]\n", env[i]);
  int fd = open("hello.txt", O_RDONLY);
  show_libc("libc open hello.txt", fd);
  if (fd >= 0) show_contents("hello.txt", fd);
  __wasi_fd_t raw = 0;
  SHOW("raw path_open on fd 3",
       __wasi_path_open(PREOPEN, 0, "hello.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &raw));
  int made = open("created.txt", O_WRONLY | O_CREAT, 0644);
  show_libc("libc create created.txt", made);
}

int main(int argc, char **argv) {
  const char *which = scenario(argc, argv);
  if (IS("prestat")) prestat();
  else if (IS("inventory")) inventory();
  else return 2;
  return 0;
}
