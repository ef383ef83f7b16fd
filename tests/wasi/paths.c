/*
 * paths.c: the path_* calls inside the preopen, through the raw calls so errno values are
 * WASI's own (libc would answer some cases itself).
 *
 * Scenarios:
 *   mkdir    path_create_directory, path_remove_directory
 *   open     path_open: CREAT, EXCL, TRUNC, DIRECTORY, symlink following, trailing slashes
 *   stat     path_filestat_get with and without following symlinks
 *   times    path_filestat_set_times
 *   link     path_link
 *   symlink  path_symlink, path_readlink
 *   rename   path_rename
 *   unlink   path_unlink_file
 */
#include "common.h"

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define FILE_RIGHTS                                                                         \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK |               \
   __WASI_RIGHTS_FD_FILESTAT_GET)

static void mkdir_rmdir(void) {
  SHOW("mkdir newdir", __wasi_path_create_directory(PREOPEN, "newdir"));
  SHOW("mkdir newdir again", __wasi_path_create_directory(PREOPEN, "newdir"));
  SHOW("mkdir over a file", __wasi_path_create_directory(PREOPEN, "hello.txt"));
  SHOW("mkdir in missing parent", __wasi_path_create_directory(PREOPEN, "missing/child"));
  SHOW("mkdir nested", __wasi_path_create_directory(PREOPEN, "newdir/child"));
  SHOW("mkdir through a file", __wasi_path_create_directory(PREOPEN, "hello.txt/child"));
  SHOW("mkdir trailing slash", __wasi_path_create_directory(PREOPEN, "slashed/"));
  SHOW("mkdir empty path", __wasi_path_create_directory(PREOPEN, ""));
  SHOW("mkdir on a bad fd", __wasi_path_create_directory(99, "x"));
  SHOW("rmdir non-empty", __wasi_path_remove_directory(PREOPEN, "newdir"));
  SHOW("rmdir a file", __wasi_path_remove_directory(PREOPEN, "hello.txt"));
  SHOW("rmdir a symlink to a dir", __wasi_path_remove_directory(PREOPEN, "link_sub"));
  SHOW("rmdir missing", __wasi_path_remove_directory(PREOPEN, "missing"));
  SHOW("rmdir child", __wasi_path_remove_directory(PREOPEN, "newdir/child"));
  SHOW("rmdir newdir", __wasi_path_remove_directory(PREOPEN, "newdir"));
  SHOW("rmdir trailing slash", __wasi_path_remove_directory(PREOPEN, "slashed/"));
  SHOW("rmdir empty", __wasi_path_remove_directory(PREOPEN, "empty"));
  SHOW("rmdir .", __wasi_path_remove_directory(PREOPEN, "."));
}

static void open_close(const char *label, __wasi_lookupflags_t lookup, const char *path,
                       __wasi_oflags_t oflags, __wasi_rights_t rights) {
  int fd = open_raw(label, lookup, path, oflags, rights, 0);
  if (fd >= 0) {
    __wasi_filestat_t st;
    if (__wasi_fd_filestat_get(fd, &st) == 0)
      printf("  type=%u size=%llu\n", (unsigned)st.filetype,
             st.filetype == __WASI_FILETYPE_DIRECTORY ? 0ull : (unsigned long long)st.size);
    (void)__wasi_fd_close(fd);
  }
}

static void open_flags(void) {
  const __wasi_oflags_t creat = __WASI_OFLAGS_CREAT, excl = __WASI_OFLAGS_EXCL,
                        trunc = __WASI_OFLAGS_TRUNC, dir = __WASI_OFLAGS_DIRECTORY;
  open_close("open existing", FOLLOW, "hello.txt", 0, FILE_RIGHTS);
  open_close("open missing", FOLLOW, "missing.txt", 0, FILE_RIGHTS);
  open_close("creat new", FOLLOW, "new.txt", creat, FILE_RIGHTS);
  open_close("creat existing keeps contents", FOLLOW, "hello.txt", creat, FILE_RIGHTS);
  open_close("creat|excl existing", FOLLOW, "hello.txt", creat | excl, FILE_RIGHTS);
  open_close("creat|excl new", FOLLOW, "excl.txt", creat | excl, FILE_RIGHTS);
  open_close("excl without creat", FOLLOW, "hello.txt", excl, FILE_RIGHTS);
  open_close("trunc", FOLLOW, "readonly.txt", trunc, FILE_RIGHTS);
  open_close("creat in missing dir", FOLLOW, "missing/new.txt", creat, FILE_RIGHTS);
  open_close("directory flag on dir", FOLLOW, "sub", dir, DIR_RIGHTS);
  open_close("directory flag on file", FOLLOW, "hello.txt", dir, DIR_RIGHTS);
  open_close("dir without flag, read-only", FOLLOW, "sub", 0, DIR_RIGHTS);
  open_close("dir for writing", FOLLOW, "sub", 0, FILE_RIGHTS);
  open_close("creat|directory", FOLLOW, "newdir", creat | dir, DIR_RIGHTS);
  open_close("nested", FOLLOW, "sub/nested.txt", 0, FILE_RIGHTS);
  open_close("dot", FOLLOW, ".", dir, DIR_RIGHTS);
  open_close("dot inside", FOLLOW, "sub/./nested.txt", 0, FILE_RIGHTS);
  open_close("dotdot inside", FOLLOW, "sub/deeper/../nested.txt", 0, FILE_RIGHTS);
  open_close("empty path", FOLLOW, "", 0, FILE_RIGHTS);
  open_close("through a file", FOLLOW, "hello.txt/x", 0, FILE_RIGHTS);
  /* Symlinks: followed with SYMLINK_FOLLOW, refused (ELOOP) without it. */
  open_close("symlink followed", FOLLOW, "link_hello", 0, FILE_RIGHTS);
  open_close("symlink not followed", 0, "link_hello", 0, FILE_RIGHTS);
  open_close("dir symlink followed", FOLLOW, "link_sub", dir, DIR_RIGHTS);
  open_close("dir symlink not followed", 0, "link_sub", dir, DIR_RIGHTS);
  open_close("through dir symlink", 0, "link_sub/nested.txt", 0, FILE_RIGHTS);
  open_close("dangling symlink", FOLLOW, "link_dangling", 0, FILE_RIGHTS);
  open_close("creat through dangling symlink", FOLLOW, "link_dangling", creat, FILE_RIGHTS);
  open_close("creat|excl on a symlink", FOLLOW, "link_hello", creat | excl, FILE_RIGHTS);
  /* Trailing slashes: a directory (or a symlink to one) only. */
  open_close("dir trailing slash", FOLLOW, "sub/", 0, DIR_RIGHTS);
  open_close("file trailing slash", FOLLOW, "hello.txt/", 0, FILE_RIGHTS);
  open_close("creat trailing slash", FOLLOW, "newfile/", creat, FILE_RIGHTS);
  open_close("dir symlink trailing slash", 0, "link_sub/", 0, DIR_RIGHTS);
  open_close("file symlink trailing slash", 0, "link_hello/", 0, FILE_RIGHTS);
  int fd = open_raw("open on a file fd (setup)", 0, "hello.txt", 0, FILE_RIGHTS, 0);
  __wasi_fd_t out;
  SHOW("path_open relative to a file",
       __wasi_path_open(fd, 0, "x", 0, FILE_RIGHTS, 0, 0, &out));
  SHOW("path_open relative to bad fd", __wasi_path_open(99, 0, "x", 0, FILE_RIGHTS, 0, 0, &out));
  /* Writing through an O_TRUNC'ed, reopened file. */
  int w = open_raw("open new.txt", 0, "new.txt", trunc, FILE_RIGHTS, 0);
  write_raw("write new.txt", w, "written by paths.c\n");
  /* The fd flags given to path_open stick. */
  int a = open_raw("open append", 0, "new.txt", 0, FILE_RIGHTS, __WASI_FDFLAGS_APPEND);
  write_raw("write appended", a, "appended\n");
  __wasi_fdstat_t st;
  SHOW("fdstat", __wasi_fd_fdstat_get(a, &st));
  printf("append flag: %d\n", (st.fs_flags & __WASI_FDFLAGS_APPEND) != 0);
}

static void stat_paths(void) {
  show_stat("file", 1, "hello.txt");
  show_stat("file nofollow", 0, "hello.txt");
  show_stat("symlink followed", 1, "link_hello");
  show_stat("symlink not followed", 0, "link_hello");
  show_stat("dir symlink not followed", 0, "link_sub");
  show_stat("dangling followed", 1, "link_dangling");
  show_stat("dangling not followed", 0, "link_dangling");
  show_stat("missing", 1, "missing.txt");
  show_stat("nested", 1, "sub/nested.txt");
  show_stat("through a file", 1, "hello.txt/x");
  show_stat("file trailing slash", 1, "hello.txt/");
  __wasi_filestat_t st;
  SHOW("dir", __wasi_path_filestat_get(PREOPEN, 0, "sub", &st));
  printf("dir type=%u\n", (unsigned)st.filetype);
  SHOW("bad fd", __wasi_path_filestat_get(99, 0, "hello.txt", &st));
  /* path and fd stat agree on the identity of a file. */
  __wasi_filestat_t by_path, by_fd;
  (void)__wasi_path_filestat_get(PREOPEN, FOLLOW, "link_hello", &by_path);
  int fd = open_raw("open hello.txt", 0, "hello.txt", 0, FILE_RIGHTS, 0);
  (void)__wasi_fd_filestat_get(fd, &by_fd);
  printf("same dev and ino: %d\n", by_path.dev == by_fd.dev && by_path.ino == by_fd.ino);
  printf("nlink=%llu\n", (unsigned long long)by_path.nlink);
}

static void show_path_times(const char *label, __wasi_lookupflags_t lookup, const char *path) {
  __wasi_filestat_t st;
  memset(&st, 0, sizeof st);
  __wasi_errno_t err = __wasi_path_filestat_get(PREOPEN, lookup, path, &st);
  printf("%s: errno=%u atim=%llu mtim=%llu\n", label, (unsigned)err,
         (unsigned long long)st.atim, (unsigned long long)st.mtim);
}

static void times(void) {
  const __wasi_timestamp_t t1 = 1100000000ull * 1000000000ull + 5;
  const __wasi_timestamp_t t2 = 1300000000ull * 1000000000ull + 7;
  const __wasi_fstflags_t both = __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM;
  SHOW("set file", __wasi_path_filestat_set_times(PREOPEN, 0, "hello.txt", t1, t2, both));
  show_path_times("file", 0, "hello.txt");
  SHOW("set through symlink",
       __wasi_path_filestat_set_times(PREOPEN, FOLLOW, "link_hello", t2, t1, both));
  show_path_times("file after symlink set", 0, "hello.txt");
  SHOW("set dir", __wasi_path_filestat_set_times(PREOPEN, 0, "sub", t1, t1, both));
  show_path_times("dir", 0, "sub");
  SHOW("set atim only", __wasi_path_filestat_set_times(PREOPEN, 0, "sub", t2, 0,
                                                       __WASI_FSTFLAGS_ATIM));
  show_path_times("dir", 0, "sub");
  SHOW("set missing", __wasi_path_filestat_set_times(PREOPEN, 0, "missing", t1, t1, both));
  SHOW("set atim and atim_now",
       __wasi_path_filestat_set_times(PREOPEN, 0, "hello.txt", t1, 0,
                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  SHOW("set bad fd", __wasi_path_filestat_set_times(99, 0, "hello.txt", t1, t1, both));
}

static void link_paths(void) {
  SHOW("link", __wasi_path_link(PREOPEN, 0, "hello.txt", PREOPEN, "hard.txt"));
  show_stat("hard.txt", 0, "hard.txt");
  __wasi_filestat_t st;
  (void)__wasi_path_filestat_get(PREOPEN, 0, "hello.txt", &st);
  printf("nlink after link=%llu\n", (unsigned long long)st.nlink);
  SHOW("link onto existing", __wasi_path_link(PREOPEN, 0, "hello.txt", PREOPEN, "readonly.txt"));
  SHOW("link missing source", __wasi_path_link(PREOPEN, 0, "missing", PREOPEN, "x"));
  SHOW("link a directory", __wasi_path_link(PREOPEN, 0, "sub", PREOPEN, "subdir_link"));
  SHOW("link into missing dir", __wasi_path_link(PREOPEN, 0, "hello.txt", PREOPEN, "missing/x"));
  SHOW("link a symlink, not followed",
       __wasi_path_link(PREOPEN, 0, "link_hello", PREOPEN, "link_copy"));
  show_stat("link_copy nofollow", 0, "link_copy");
  SHOW("link with trailing slash",
       __wasi_path_link(PREOPEN, 0, "hello.txt/", PREOPEN, "slash_link"));
  SHOW("link bad fd", __wasi_path_link(99, 0, "hello.txt", PREOPEN, "x"));
  /* Writing through one name changes the other. */
  int fd = open_raw("open hard.txt", 0, "hard.txt", __WASI_OFLAGS_TRUNC, FILE_RIGHTS, 0);
  write_raw("write hard.txt", fd, "changed through the hard link\n");
  int h = open_raw("open hello.txt", 0, "hello.txt", 0, FILE_RIGHTS, 0);
  show_contents("hello.txt", h);
}

static void readlink_show(const char *label, const char *path, size_t buf_len) {
  char buf[128];
  memset(buf, 0, sizeof buf);
  __wasi_size_t n = 0;
  __wasi_errno_t err = __wasi_path_readlink(PREOPEN, path, (uint8_t *)buf, buf_len, &n);
  printf("%s: errno=%u n=%u [%.*s]\n", label, (unsigned)err, (unsigned)n, (int)n, buf);
}

static void symlinks(void) {
  SHOW("symlink", __wasi_path_symlink("hello.txt", PREOPEN, "new_link"));
  readlink_show("readlink new_link", "new_link", 128);
  show_stat("new_link followed", 1, "new_link");
  SHOW("symlink onto existing", __wasi_path_symlink("hello.txt", PREOPEN, "readonly.txt"));
  SHOW("symlink dangling", __wasi_path_symlink("nowhere", PREOPEN, "dangling2"));
  readlink_show("readlink dangling2", "dangling2", 128);
  SHOW("symlink into subdir", __wasi_path_symlink("../hello.txt", PREOPEN, "sub/up_link"));
  int fd = open_raw("open sub/up_link", FOLLOW, "sub/up_link", 0, FILE_RIGHTS, 0);
  show_contents("sub/up_link", fd);
  SHOW("symlink in missing dir", __wasi_path_symlink("x", PREOPEN, "missing/link"));
  SHOW("symlink trailing slash", __wasi_path_symlink("hello.txt", PREOPEN, "slash_link/"));
  SHOW("symlink bad fd", __wasi_path_symlink("x", 99, "link"));
  readlink_show("readlink fixture", "link_hello", 128);
  readlink_show("readlink short buffer", "link_hello", 4);
  readlink_show("readlink zero buffer", "link_hello", 0);
  readlink_show("readlink a file", "hello.txt", 128);
  readlink_show("readlink a dir", "sub", 128);
  readlink_show("readlink missing", "missing", 128);
  readlink_show("readlink through dir symlink", "link_sub/nested.txt", 128);
}

static void renames(void) {
  SHOW("rename file", __wasi_path_rename(PREOPEN, "hello.txt", PREOPEN, "renamed.txt"));
  show_stat("old name", 0, "hello.txt");
  show_stat("new name", 0, "renamed.txt");
  SHOW("rename over file", __wasi_path_rename(PREOPEN, "renamed.txt", PREOPEN, "readonly.txt"));
  show_stat("replaced", 0, "readonly.txt");
  SHOW("rename into subdir", __wasi_path_rename(PREOPEN, "readonly.txt", PREOPEN, "sub/moved.txt"));
  SHOW("rename missing", __wasi_path_rename(PREOPEN, "missing", PREOPEN, "x"));
  SHOW("rename dir", __wasi_path_rename(PREOPEN, "empty", PREOPEN, "empty2"));
  SHOW("rename dir over non-empty dir", __wasi_path_rename(PREOPEN, "empty2", PREOPEN, "sub"));
  SHOW("rename dir over file", __wasi_path_rename(PREOPEN, "empty2", PREOPEN, "sub/nested.txt"));
  SHOW("rename file over dir", __wasi_path_rename(PREOPEN, "sub/moved.txt", PREOPEN, "empty2"));
  SHOW("rename dir into itself", __wasi_path_rename(PREOPEN, "sub", PREOPEN, "sub/deeper/sub"));
  SHOW("rename symlink", __wasi_path_rename(PREOPEN, "link_hello", PREOPEN, "link_renamed"));
  readlink_show("renamed symlink", "link_renamed", 128);
  SHOW("rename file trailing slash", __wasi_path_rename(PREOPEN, "sub/moved.txt/", PREOPEN, "m"));
  SHOW("rename dir trailing slash", __wasi_path_rename(PREOPEN, "empty2/", PREOPEN, "empty3/"));
  SHOW("rename onto itself", __wasi_path_rename(PREOPEN, "sub", PREOPEN, "sub"));
  SHOW("rename bad fd", __wasi_path_rename(99, "sub", PREOPEN, "x"));
  /* A directory opened as its own fd works as either side. */
  int sub = open_raw("open sub", 0, "sub", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0);
  SHOW("rename between fds", __wasi_path_rename(sub, "nested.txt", PREOPEN, "nested_out.txt"));
  show_stat("nested_out.txt", 0, "nested_out.txt");
}

static void unlinks(void) {
  SHOW("unlink file", __wasi_path_unlink_file(PREOPEN, "hello.txt"));
  show_stat("gone", 0, "hello.txt");
  SHOW("unlink again", __wasi_path_unlink_file(PREOPEN, "hello.txt"));
  SHOW("unlink dir", __wasi_path_unlink_file(PREOPEN, "empty"));
  SHOW("unlink symlink to dir", __wasi_path_unlink_file(PREOPEN, "link_sub"));
  show_stat("sub still there", 0, "sub");
  SHOW("unlink dangling symlink", __wasi_path_unlink_file(PREOPEN, "link_dangling"));
  SHOW("unlink file trailing slash", __wasi_path_unlink_file(PREOPEN, "readonly.txt/"));
  SHOW("unlink nested", __wasi_path_unlink_file(PREOPEN, "sub/nested.txt"));
  SHOW("unlink through a file", __wasi_path_unlink_file(PREOPEN, "readonly.txt/x"));
  SHOW("unlink bad fd", __wasi_path_unlink_file(99, "readonly.txt"));
  /* An open file stays readable after its name is gone. */
  int fd = open_raw("open readonly.txt", 0, "readonly.txt", 0, FILE_RIGHTS, 0);
  SHOW("unlink open file", __wasi_path_unlink_file(PREOPEN, "readonly.txt"));
  show_contents("still readable", fd);
}

int main(int argc, char **argv) {
  const char *which = scenario(argc, argv);
  if (IS("mkdir")) mkdir_rmdir();
  else if (IS("open")) open_flags();
  else if (IS("stat")) stat_paths();
  else if (IS("times")) times();
  else if (IS("link")) link_paths();
  else if (IS("symlink")) symlinks();
  else if (IS("rename")) renames();
  else if (IS("unlink")) unlinks();
  else return 2;
  return 0;
}
