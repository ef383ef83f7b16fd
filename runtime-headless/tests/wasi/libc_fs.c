/*
 * libc_fs.c: file-system use through wasi-libc (stdio, dirent, stat, unistd), as ordinary
 * programs do it: absolute paths under the preopen "/sandbox", relative ones from the working
 * directory wasi-libc assumes ("/"), buffered I/O, directory listing, errors as errno.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, int rc) {
  printf("%s: %d %s\n", what, rc, rc < 0 ? strerror(errno) : "");
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    printf("opendir %s: %s\n", path, strerror(errno));
    return;
  }
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof *names, cmp);
  printf("ls %s:", path);
  for (int i = 0; i < n; i++) printf(" %s", names[i]), free(names[i]);
  printf("\n");
}

int main(void) {
  FILE *f = fopen("/sandbox/out.txt", "w");
  if (!f) return 1;
  for (int i = 0; i < 1000; i++) fprintf(f, "line %d\n", i);
  fclose(f);
  f = fopen("/sandbox/out.txt", "r");
  char buf[64];
  int lines = 0;
  while (fgets(buf, sizeof buf, f)) lines++;
  printf("lines %d, last %s", lines, buf);
  fseek(f, 10, SEEK_SET);
  printf("at 10: %c ftell %ld\n", fgetc(f), ftell(f));
  fclose(f);
  show("mkdir", mkdir("/sandbox/dir", 0755));
  show("mkdir again", mkdir("/sandbox/dir", 0755));
  for (int i = 0; i < 40; i++) {
    snprintf(buf, sizeof buf, "/sandbox/dir/entry-with-a-longer-name-%02d", i);
    int fd = open(buf, O_CREAT | O_WRONLY, 0644);
    if (fd >= 0) close(fd);
  }
  list("/sandbox/dir");
  list("/sandbox");
  show("rename", rename("/sandbox/out.txt", "/sandbox/dir/moved.txt"));
  struct stat st;
  show("stat moved", stat("/sandbox/dir/moved.txt", &st));
  printf("size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  show("stat old", stat("/sandbox/out.txt", &st));
  show("symlink", symlink("dir/moved.txt", "/sandbox/link"));
  show("lstat link", lstat("/sandbox/link", &st));
  printf("link %d\n", S_ISLNK(st.st_mode));
  ssize_t n = readlink("/sandbox/link", buf, sizeof buf);
  printf("readlink %.*s\n", (int)n, buf);
  show("open /etc/passwd", open("/etc/passwd", O_RDONLY));
  show("open ../etc/passwd", open("/sandbox/../etc/passwd", O_RDONLY));
  show("symlink escape", symlink("../../../etc/passwd", "/sandbox/esc"));
  show("open escape", open("/sandbox/esc", O_RDONLY));
  show("unlink link", unlink("/sandbox/link"));
  show("rmdir nonempty", rmdir("/sandbox/dir"));
  show("chdir", chdir("/sandbox/dir"));
  f = fopen("relative.txt", "w");
  printf("relative fopen %s\n", f ? "ok" : strerror(errno));
  if (f) fputs("rel\n", f), fclose(f);
  list(".");
  show("access", access("/sandbox/dir/relative.txt", R_OK));
  show("truncate", truncate("/sandbox/dir/relative.txt", 2));
  int fd = open("/sandbox/dir/relative.txt", O_RDWR | O_APPEND);
  show("write append", (int)write(fd, "xyz", 3));
  close(fd);
  f = fopen("/sandbox/dir/relative.txt", "r");
  printf("content %s\n", fgets(buf, sizeof buf, f) ? buf : "?");
  fclose(f);
  return 3;
}
