/*
 * escape.c: attempts to reach outside the preopened directory. The fixture has
 * ../outside/secret.txt next to the sandbox, and symlinks link_out -> ../outside/secret.txt,
 * link_out_dir -> ../outside, link_abs -> /etc/passwd.
 *
 * Every attempt that must fail prints its errno and, should it succeed, the word ESCAPED and
 * whatever it could read; the test fails on that word, on leaked secret text, and on any change
 * outside the sandbox.
 *
 * Scenarios: dotdot, absolute, guest_symlink, absolute_symlink, loop, trailing_slash,
 * rename_link_out.
 *
 * What the sandbox guarantees, and which runtime code makes it hold, is stated once in
 * runtime-headless/src/wasi/sandbox.h (point 4 is what these scenarios attack).
 */
#include "common.h"

#include <fcntl.h>
#include <unistd.h>

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define READ_RIGHTS (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR)
#define WRITE_RIGHTS (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)

static void verdict(const char *label, __wasi_errno_t err) {
  printf("%s: errno=%u%s\n", label, (unsigned)err, err == 0 ? " ESCAPED" : "");
}

/* Opening under `dir` must fail; when it does not, what the descriptor reads is printed. */
static void try_open_at(const char *label, int dir, __wasi_lookupflags_t lookup, const char *path,
                        __wasi_oflags_t oflags, __wasi_rights_t rights) {
  __wasi_fd_t fd = 0;
  __wasi_errno_t err = __wasi_path_open(dir, lookup, path, oflags, rights, rights, 0, &fd);
  verdict(label, err);
  if (err == 0) {
    show_contents("  leaked", fd);
    (void)__wasi_fd_close(fd);
  }
}

static void try_open(const char *label, __wasi_lookupflags_t lookup, const char *path,
                     __wasi_oflags_t oflags, __wasi_rights_t rights) {
  try_open_at(label, PREOPEN, lookup, path, oflags, rights);
}

static void try_read(const char *label, const char *path) {
  try_open(label, FOLLOW, path, 0, READ_RIGHTS);
}

static void try_stat(const char *label, __wasi_lookupflags_t lookup, const char *path) {
  __wasi_filestat_t st;
  __wasi_errno_t err = __wasi_path_filestat_get(PREOPEN, lookup, path, &st);
  verdict(label, err);
  if (err == 0) printf("  leaked type=%u size=%llu\n", st.filetype, (unsigned long long)st.size);
}

static void try_create(const char *label, const char *path) {
  try_open(label, FOLLOW, path, __WASI_OFLAGS_CREAT, WRITE_RIGHTS);
}

static void try_mkdir(const char *label, const char *path) {
  verdict(label, __wasi_path_create_directory(PREOPEN, path));
}

static void dotdot(void) {
  try_read("open ../outside/secret.txt", "../outside/secret.txt");
  try_read("open sub/../../outside/secret.txt", "sub/../../outside/secret.txt");
  try_open("open ..", FOLLOW, "..", __WASI_OFLAGS_DIRECTORY, READ_RIGHTS);
  try_open("open sub/../..", FOLLOW, "sub/../..", __WASI_OFLAGS_DIRECTORY, READ_RIGHTS);
  try_read("open ../sandbox/hello.txt", "../sandbox/hello.txt");
  try_read("open ../../../../../../../../../../etc/passwd", "../../../../../../../../../../etc/passwd");
  try_stat("stat ../outside/secret.txt", 0, "../outside/secret.txt");
  try_stat("stat ..", 0, "..");
  try_create("create ../created.txt", "../created.txt");
  try_create("create sub/../../outside/created.txt", "sub/../../outside/created.txt");
  try_mkdir("mkdir ../made_by_guest", "../made_by_guest");
  verdict("unlink ../outside/secret.txt", __wasi_path_unlink_file(PREOPEN, "../outside/secret.txt"));
  verdict("rmdir ../outside", __wasi_path_remove_directory(PREOPEN, "../outside"));
  verdict("set times ../outside/secret.txt",
          __wasi_path_filestat_set_times(PREOPEN, 0, "../outside/secret.txt", 1, 1,
                                         __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  char buf[64];
  __wasi_size_t n = 0;
  verdict("readlink ../sandbox/link_hello",
          __wasi_path_readlink(PREOPEN, "../sandbox/link_hello", (uint8_t *)buf, sizeof buf, &n));
  /* A directory opened inside the preopen is a root of its own: `..` may not leave it,
   * even to a place the preopen could reach. */
  int sub = open_raw("open sub", 0, "sub", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0);
  try_open_at("open ../../outside/secret.txt from sub", sub, FOLLOW, "../../outside/secret.txt", 0,
              READ_RIGHTS);
  __wasi_fd_t up = 0;
  SHOW("open ../hello.txt from sub",
       __wasi_path_open(sub, FOLLOW, "../hello.txt", 0, READ_RIGHTS, READ_RIGHTS, 0, &up));
  /* Inside the sandbox `..` is fine. */
  int fd = open_raw("open sub/../hello.txt (allowed)", FOLLOW, "sub/../hello.txt", 0, READ_RIGHTS, 0);
  show_contents("sub/../hello.txt", fd);
  /* libc resolves `..` itself against its preopen names; it must not get out either. */
  FILE *f = fopen("../outside/secret.txt", "r");
  printf("libc fopen ../outside/secret.txt: %s errno=%d\n", f ? "ESCAPED" : "failed", f ? 0 : errno);
}

static void absolute(void) {
  try_read("open /etc/passwd", "/etc/passwd");
  try_open("open /", FOLLOW, "/", __WASI_OFLAGS_DIRECTORY, READ_RIGHTS);
  try_stat("stat /etc/passwd", FOLLOW, "/etc/passwd");
  try_mkdir("mkdir /tmp/wasm2exe-escape-probe", "/tmp/wasm2exe-escape-probe");
  try_create("create /tmp/wasm2exe-escape-probe", "/tmp/wasm2exe-escape-probe");
  verdict("symlink at /tmp/wasm2exe-escape-probe",
          __wasi_path_symlink("hello.txt", PREOPEN, "/tmp/wasm2exe-escape-probe"));
  /* wasi-libc maps absolute paths onto the preopen named ".": /etc/passwd is ./etc/passwd. */
  FILE *f = fopen("/etc/passwd", "r");
  printf("libc fopen /etc/passwd: %s errno=%d\n", f ? "ESCAPED" : "failed", f ? 0 : errno);
  int fd = open("/hello.txt", O_RDONLY);
  show_libc("libc open /hello.txt (the sandbox's)", fd);
}

static void guest_symlink(void) {
  SHOW("symlink evil -> ../outside/secret.txt",
       __wasi_path_symlink("../outside/secret.txt", PREOPEN, "evil"));
  SHOW("symlink evil_passwd -> ../../../../../../../../../../etc/passwd",
       __wasi_path_symlink("../../../../../../../../../../etc/passwd", PREOPEN, "evil_passwd"));
  SHOW("symlink evil_dir -> ../outside", __wasi_path_symlink("../outside", PREOPEN, "evil_dir"));
  SHOW("symlink sub/evil_up -> ../../outside", __wasi_path_symlink("../../outside", PREOPEN, "sub/evil_up"));
  const char *files[] = {"evil", "evil_passwd", "link_out"};
  for (int i = 0; i < 3; i++) {
    char label[96];
    snprintf(label, sizeof label, "open %s", files[i]);
    try_read(label, files[i]);
    snprintf(label, sizeof label, "stat %s", files[i]);
    try_stat(label, FOLLOW, files[i]);
    snprintf(label, sizeof label, "open for writing %s", files[i]);
    try_open(label, FOLLOW, files[i], __WASI_OFLAGS_TRUNC, WRITE_RIGHTS);
  }
  const char *dirs[] = {"evil_dir", "sub/evil_up", "link_out_dir"};
  for (int i = 0; i < 3; i++) {
    char label[96], path[96];
    snprintf(path, sizeof path, "%s/secret.txt", dirs[i]);
    snprintf(label, sizeof label, "open %s", path);
    try_read(label, path);
    snprintf(label, sizeof label, "open %s without follow", path);
    try_open(label, 0, path, 0, READ_RIGHTS);
    snprintf(label, sizeof label, "stat %s without follow", path);
    try_stat(label, 0, path);
    snprintf(path, sizeof path, "%s/created.txt", dirs[i]);
    snprintf(label, sizeof label, "create %s", path);
    try_create(label, path);
    snprintf(path, sizeof path, "%s/newdir", dirs[i]);
    snprintf(label, sizeof label, "mkdir %s", path);
    try_mkdir(label, path);
    snprintf(label, sizeof label, "open %s as a directory", dirs[i]);
    try_open(label, FOLLOW, dirs[i], __WASI_OFLAGS_DIRECTORY, READ_RIGHTS);
  }
  /* The link itself may be read: its text is not the secret. */
  char buf[64] = {0};
  __wasi_size_t n = 0;
  SHOW("readlink evil", __wasi_path_readlink(PREOPEN, "evil", (uint8_t *)buf, sizeof buf, &n));
  printf("evil -> [%.*s]\n", (int)n, buf);
  FILE *f = fopen("evil", "r");
  printf("libc fopen evil: %s errno=%d\n", f ? "ESCAPED" : "failed", f ? 0 : errno);
}

static void absolute_symlink(void) {
  SHOW("symlink abs_passwd -> /etc/passwd", __wasi_path_symlink("/etc/passwd", PREOPEN, "abs_passwd"));
  SHOW("symlink abs_tmp -> /tmp", __wasi_path_symlink("/tmp", PREOPEN, "abs_tmp"));
  try_read("open abs_passwd", "abs_passwd");
  try_stat("stat abs_passwd", FOLLOW, "abs_passwd");
  try_read("open link_abs", "link_abs");
  try_stat("stat link_abs", FOLLOW, "link_abs");
  try_read("open abs_tmp/.", "abs_tmp/.");
  try_mkdir("mkdir abs_tmp/wasm2exe-escape-probe", "abs_tmp/wasm2exe-escape-probe");
  try_create("create abs_tmp/wasm2exe-escape-probe", "abs_tmp/wasm2exe-escape-probe");
  show_stat("stat abs_passwd without follow (the link itself)", 0, "abs_passwd");
  FILE *f = fopen("link_abs", "r");
  printf("libc fopen link_abs: %s errno=%d\n", f ? "ESCAPED" : "failed", f ? 0 : errno);
}

static void loop(void) {
  __wasi_errno_t made = __wasi_path_symlink("loop_b", PREOPEN, "loop_a");
  printf("symlink loop_a -> loop_b: errno=%u\n", (unsigned)made);
  SHOW("symlink loop_b -> loop_a", __wasi_path_symlink("loop_a", PREOPEN, "loop_b"));
  SHOW("symlink self -> self", __wasi_path_symlink("self", PREOPEN, "self"));
  SHOW("symlink sub/up -> ..", __wasi_path_symlink("..", PREOPEN, "sub/up"));
  /* Where links cannot be made (Windows under Wine), "through loop_b" would create a plain
   * file: nothing below would test a loop. */
  if (made != 0) {
    printf("no symlinks here: nothing to loop through\n");
    return;
  }
  try_read("open loop_a", "loop_a");
  try_read("open self", "self");
  try_read("open loop_a/x", "loop_a/x");
  try_stat("stat loop_a", FOLLOW, "loop_a");
  try_create("create through loop_b", "loop_b");
  try_mkdir("mkdir loop_a/x", "loop_a/x");
  show_stat("stat loop_a without follow (the link itself)", 0, "loop_a");
  /* sub/up/sub/up/... stays inside however deep it goes, until the link limit. */
  int fd = open_raw("open sub/up/sub/up/hello.txt (allowed)", FOLLOW, "sub/up/sub/up/hello.txt", 0,
                    READ_RIGHTS, 0);
  show_contents("sub/up/sub/up/hello.txt", fd);
  try_read("open sub/up/..", "sub/up/../outside/secret.txt");
  char deep[1024] = "sub";
  for (int i = 0; i < 60; i++) strcat(deep, "/up/sub");
  strcat(deep, "/nested.txt");
  fd = open_raw("open 60 links deep", FOLLOW, deep, 0, READ_RIGHTS, 0);
  if (fd >= 0) show_contents("60 links deep", fd);
}

static void trailing_slash(void) {
  open_raw("open link_hello/", FOLLOW, "link_hello/", 0, READ_RIGHTS, 0);
  open_raw("open link_sub/ (allowed)", 0, "link_sub/", __WASI_OFLAGS_DIRECTORY, READ_RIGHTS, 0);
  try_open("open link_out_dir/", 0, "link_out_dir/", __WASI_OFLAGS_DIRECTORY, READ_RIGHTS);
  try_open("open link_out_dir/ with follow", FOLLOW, "link_out_dir/", __WASI_OFLAGS_DIRECTORY,
           READ_RIGHTS);
  try_open("open link_out_dir/.", 0, "link_out_dir/.", __WASI_OFLAGS_DIRECTORY, READ_RIGHTS);
  try_read("open link_out/", "link_out/");
  try_stat("stat link_out_dir/ without follow", 0, "link_out_dir/");
  try_stat("stat link_out_dir/.", 0, "link_out_dir/.");
  try_stat("stat link_out/ without follow", 0, "link_out/");
  try_mkdir("mkdir link_out_dir/x/", "link_out_dir/x/");
  verdict("rmdir link_out_dir/", __wasi_path_remove_directory(PREOPEN, "link_out_dir/"));
  show_stat("link_out_dir still a symlink", 0, "link_out_dir");
  verdict("unlink link_out/", __wasi_path_unlink_file(PREOPEN, "link_out/"));
  SHOW("symlink evil_slash -> ../outside/", __wasi_path_symlink("../outside/", PREOPEN, "evil_slash"));
  try_open("open evil_slash/", FOLLOW, "evil_slash/", __WASI_OFLAGS_DIRECTORY, READ_RIGHTS);
  try_create("create evil_slash/new.txt", "evil_slash/new.txt");
  verdict("rename hello.txt -> link_out_dir/", __wasi_path_rename(PREOPEN, "hello.txt", PREOPEN, "link_out_dir/"));
  verdict("rename sub -> link_out_dir/", __wasi_path_rename(PREOPEN, "sub", PREOPEN, "link_out_dir/"));
}

static void rename_link_out(void) {
  verdict("rename hello.txt -> ../outside/stolen.txt",
          __wasi_path_rename(PREOPEN, "hello.txt", PREOPEN, "../outside/stolen.txt"));
  verdict("rename hello.txt -> link_out_dir/stolen.txt",
          __wasi_path_rename(PREOPEN, "hello.txt", PREOPEN, "link_out_dir/stolen.txt"));
  verdict("rename ../outside/secret.txt -> pulled.txt",
          __wasi_path_rename(PREOPEN, "../outside/secret.txt", PREOPEN, "pulled.txt"));
  verdict("rename link_out_dir/secret.txt -> pulled.txt",
          __wasi_path_rename(PREOPEN, "link_out_dir/secret.txt", PREOPEN, "pulled.txt"));
  verdict("rename sub -> ../moved_sub", __wasi_path_rename(PREOPEN, "sub", PREOPEN, "../moved_sub"));
  verdict("link hello.txt -> ../outside/linked.txt",
          __wasi_path_link(PREOPEN, 0, "hello.txt", PREOPEN, "../outside/linked.txt"));
  verdict("link hello.txt -> link_out_dir/linked.txt",
          __wasi_path_link(PREOPEN, 0, "hello.txt", PREOPEN, "link_out_dir/linked.txt"));
  verdict("link ../outside/secret.txt -> pulled_hard.txt",
          __wasi_path_link(PREOPEN, 0, "../outside/secret.txt", PREOPEN, "pulled_hard.txt"));
  verdict("link link_out_dir/secret.txt -> pulled_hard.txt",
          __wasi_path_link(PREOPEN, 0, "link_out_dir/secret.txt", PREOPEN, "pulled_hard.txt"));
  verdict("link following link_out -> pulled_follow.txt",
          __wasi_path_link(PREOPEN, FOLLOW, "link_out", PREOPEN, "pulled_follow.txt"));
  verdict("symlink at ../outside/sym", __wasi_path_symlink("hello.txt", PREOPEN, "../outside/sym"));
  verdict("symlink at link_out_dir/sym", __wasi_path_symlink("hello.txt", PREOPEN, "link_out_dir/sym"));
  show_stat("hello.txt still here", 0, "hello.txt");
  show_stat("sub still here", 0, "sub");
  try_read("open pulled.txt", "pulled.txt");
  try_read("open pulled_hard.txt", "pulled_hard.txt");
  try_read("open pulled_follow.txt", "pulled_follow.txt");
}

int main(int argc, char **argv) {
  const char *which = scenario(argc, argv);
  if (IS("dotdot")) dotdot();
  else if (IS("absolute")) absolute();
  else if (IS("guest_symlink")) guest_symlink();
  else if (IS("absolute_symlink")) absolute_symlink();
  else if (IS("loop")) loop();
  else if (IS("trailing_slash")) trailing_slash();
  else if (IS("rename_link_out")) rename_link_out();
  else return 2;
  return 0;
}
