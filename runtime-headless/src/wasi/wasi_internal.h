/*
 * wasi_internal.h: what the WASI source files (those of wasi/, entry/config.c and the
 * platform files) share: errno and rights constants, guest memory access, the fd table, bundles,
 * directory listings and filestat records.
 *
 * Bad guest pointers return fault (21), never trap: every pointer and length is checked
 * against the current memory size in 64-bit arithmetic before use (see wasi_guest()).
 */
#ifndef W2E_WASI_INTERNAL_H
#define W2E_WASI_INTERNAL_H

#include "core/w2e_internal.h"
#include "platform/platform.h"
#include "wasi/w2e_wasi.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- WASI errno values (wasi_snapshot_preview1) ---- */
enum {
  WASI_ESUCCESS = 0, WASI_E2BIG = 1, WASI_EACCES = 2, WASI_EADDRINUSE = 3,
  WASI_EADDRNOTAVAIL = 4, WASI_EAFNOSUPPORT = 5, WASI_EAGAIN = 6, WASI_EALREADY = 7,
  WASI_EBADF = 8, WASI_EBADMSG = 9, WASI_EBUSY = 10, WASI_ECANCELED = 11, WASI_ECHILD = 12,
  WASI_ECONNABORTED = 13, WASI_ECONNREFUSED = 14, WASI_ECONNRESET = 15, WASI_EDEADLK = 16,
  WASI_EDESTADDRREQ = 17, WASI_EDOM = 18, WASI_EDQUOT = 19, WASI_EEXIST = 20, WASI_EFAULT = 21,
  WASI_EFBIG = 22, WASI_EHOSTUNREACH = 23, WASI_EIDRM = 24, WASI_EILSEQ = 25,
  WASI_EINPROGRESS = 26, WASI_EINTR = 27, WASI_EINVAL = 28, WASI_EIO = 29, WASI_EISCONN = 30,
  WASI_EISDIR = 31, WASI_ELOOP = 32, WASI_EMFILE = 33, WASI_EMLINK = 34, WASI_EMSGSIZE = 35,
  WASI_EMULTIHOP = 36, WASI_ENAMETOOLONG = 37, WASI_ENETDOWN = 38, WASI_ENETRESET = 39,
  WASI_ENETUNREACH = 40, WASI_ENFILE = 41, WASI_ENOBUFS = 42, WASI_ENODEV = 43,
  WASI_ENOENT = 44, WASI_ENOEXEC = 45, WASI_ENOLCK = 46, WASI_ENOLINK = 47, WASI_ENOMEM = 48,
  WASI_ENOMSG = 49, WASI_ENOPROTOOPT = 50, WASI_ENOSPC = 51, WASI_ENOSYS = 52,
  WASI_ENOTCONN = 53, WASI_ENOTDIR = 54, WASI_ENOTEMPTY = 55, WASI_ENOTRECOVERABLE = 56,
  WASI_ENOTSOCK = 57, WASI_ENOTSUP = 58, WASI_ENOTTY = 59, WASI_ENXIO = 60,
  WASI_EOVERFLOW = 61, WASI_EOWNERDEAD = 62, WASI_EPERM = 63, WASI_EPIPE = 64,
  WASI_EPROTO = 65, WASI_EPROTONOSUPPORT = 66, WASI_EPROTOTYPE = 67, WASI_ERANGE = 68,
  WASI_EROFS = 69, WASI_ESPIPE = 70, WASI_ESRCH = 71, WASI_ESTALE = 72, WASI_ETIMEDOUT = 73,
  WASI_ETXTBSY = 74, WASI_EXDEV = 75, WASI_ENOTCAPABLE = 76,
};

/* Host errno -> WASI errno (platform/posix/errno_posix.c; Windows maps its own errors). */
uint32_t wasi_errno(int host_errno);

/* ---- Rights ---- */
#define R(n) ((uint64_t)1 << (n))
#define WASI_RIGHT_FD_DATASYNC R(0)
#define WASI_RIGHT_FD_READ R(1)
#define WASI_RIGHT_FD_SEEK R(2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS R(3)
#define WASI_RIGHT_FD_SYNC R(4)
#define WASI_RIGHT_FD_TELL R(5)
#define WASI_RIGHT_FD_WRITE R(6)
#define WASI_RIGHT_FD_ADVISE R(7)
#define WASI_RIGHT_FD_ALLOCATE R(8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY R(9)
#define WASI_RIGHT_PATH_CREATE_FILE R(10)
#define WASI_RIGHT_PATH_LINK_SOURCE R(11)
#define WASI_RIGHT_PATH_LINK_TARGET R(12)
#define WASI_RIGHT_PATH_OPEN R(13)
#define WASI_RIGHT_FD_READDIR R(14)
#define WASI_RIGHT_PATH_READLINK R(15)
#define WASI_RIGHT_PATH_RENAME_SOURCE R(16)
#define WASI_RIGHT_PATH_RENAME_TARGET R(17)
#define WASI_RIGHT_PATH_FILESTAT_GET R(18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE R(19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES R(20)
#define WASI_RIGHT_FD_FILESTAT_GET R(21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE R(22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES R(23)
#define WASI_RIGHT_PATH_SYMLINK R(24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY R(25)
#define WASI_RIGHT_PATH_UNLINK_FILE R(26)
#define WASI_RIGHT_POLL_FD_READWRITE R(27)
#define WASI_RIGHT_SOCK_SHUTDOWN R(28)
#define WASI_RIGHT_SOCK_ACCEPT R(29)
#define WASI_RIGHTS_ALL (R(30) - 1)

/* The rights wasmtime gives preopened directories (base), and what they pass on. */
#define WASI_RIGHTS_DIR_BASE                                                                   \
  (WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE | WASI_RIGHT_PATH_LINK_SOURCE | \
   WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN | WASI_RIGHT_FD_READDIR |                 \
   WASI_RIGHT_PATH_READLINK | WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET |   \
   WASI_RIGHT_PATH_SYMLINK | WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE |   \
   WASI_RIGHT_PATH_FILESTAT_GET | WASI_RIGHT_PATH_FILESTAT_SET_TIMES |                          \
   WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_TIMES)
#define WASI_RIGHTS_FILE                                                                       \
  (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |                           \
   WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL | WASI_RIGHT_FD_WRITE | \
   WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_GET |                 \
   WASI_RIGHT_FD_FILESTAT_SET_SIZE | WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_DIR_INHERITING (WASI_RIGHTS_DIR_BASE | WASI_RIGHTS_FILE)
/* The rights a directory opened by path_open never holds, whatever was asked: wasmtime leaves
 * them out of such a directory's fdstat, as it cannot be written, sought or resized. */
#define WASI_RIGHTS_NOT_DIR                                                                    \
  (WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FILESTAT_SET_SIZE |                  \
   WASI_RIGHT_PATH_FILESTAT_SET_SIZE)

/* ---- Other constants ---- */
enum {
  WASI_FILETYPE_UNKNOWN = 0, WASI_FILETYPE_BLOCK_DEVICE = 1, WASI_FILETYPE_CHARACTER_DEVICE = 2,
  WASI_FILETYPE_DIRECTORY = 3, WASI_FILETYPE_REGULAR_FILE = 4, WASI_FILETYPE_SOCKET_DGRAM = 5,
  WASI_FILETYPE_SOCKET_STREAM = 6, WASI_FILETYPE_SYMBOLIC_LINK = 7,
};
enum { WASI_FDFLAG_APPEND = 1, WASI_FDFLAG_DSYNC = 2, WASI_FDFLAG_NONBLOCK = 4,
       WASI_FDFLAG_RSYNC = 8, WASI_FDFLAG_SYNC = 16, WASI_FDFLAGS_ALL = 31 };
enum { WASI_OFLAG_CREAT = 1, WASI_OFLAG_DIRECTORY = 2, WASI_OFLAG_EXCL = 4, WASI_OFLAG_TRUNC = 8,
       WASI_OFLAGS_ALL = 15 };
enum { WASI_LOOKUP_SYMLINK_FOLLOW = 1 };
enum { WASI_FST_ATIM = 1, WASI_FST_ATIM_NOW = 2, WASI_FST_MTIM = 4, WASI_FST_MTIM_NOW = 8,
       WASI_FST_ALL = 15 };

/* ---- Guest memory ---- */

/* The host address of guest range [ptr, ptr+len), or NULL when any of it is out of bounds. */
static inline uint8_t *wasi_guest(w2e_vmctx *vm, uint64_t ptr, uint64_t len) {
  w2e_memory *mem = vm ? vm->memory : NULL;
  if (!mem || ptr > mem->size || len > mem->size - ptr) return NULL;
  return mem->base + ptr;
}

static inline uint16_t wasi_load16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t wasi_load32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t wasi_load64(const uint8_t *p) {
  return (uint64_t)wasi_load32(p) | (uint64_t)wasi_load32(p + 4) << 32;
}
static inline void wasi_store16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void wasi_store32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void wasi_store64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Stores a u32 / u64 result at guest address `ptr`: success or fault. */
uint32_t wasi_put32(w2e_vmctx *vm, uint32_t ptr, uint32_t v);
uint32_t wasi_put64(w2e_vmctx *vm, uint32_t ptr, uint64_t v);

/* A guest string (ptr, len) copied into a fresh NUL-terminated heap buffer. Returns success,
 * fault, ilseq (not UTF-8, as wasmtime reads paths as Rust strings), inval (an embedded NUL)
 * or nomem. */
uint32_t wasi_guest_string(w2e_vmctx *vm, uint32_t ptr, uint32_t len, char **out);

/* ---- The fd table (wasi_fd.c) ---- */
enum wasi_fd_kind { WASI_FD_FREE = 0, WASI_FD_STDIO, WASI_FD_FILE, WASI_FD_DIR, WASI_FD_SOCKET,
                    /* in a bundle (wasi_bundle.c): no host fd (host is -1) */
                    WASI_FD_BUNDLE_FILE, WASI_FD_BUNDLE_DIR };

typedef struct wasi_fd {
  uint8_t kind;       /* enum wasi_fd_kind */
  uint8_t filetype;   /* WASI_FILETYPE_* */
  uint16_t fdflags;   /* APPEND / NONBLOCK as the guest set them (files) */
  w2e_handle host;    /* the host handle (stdio: the process's own, not owned) */
  uint64_t base;      /* rights */
  uint64_t inheriting;
  char *preopen;      /* guest name of a preopened directory, else NULL */
  wasi_fd_os os;      /* the platform's own state (directory streams or paths) */
  /* Bundle fds: the entry in the bundle blob, and a file's read position. */
  uint32_t bundle_entry;
  uint64_t bundle_pos;
} wasi_fd;

/* The entry of guest fd `fd` when it exists and has all of `rights`; else NULL with *err set
 * to badf (no such fd) or notcapable (missing rights). */
wasi_fd *wasi_fd_get(uint32_t fd, uint64_t rights, uint32_t *err);
/* The entry of directory fd `fd` holding `rights`: a file gives `file_err`, other kinds badf,
 * missing rights notcapable (NULL with *err set). */
wasi_fd *wasi_dir_fd(uint32_t fd, uint64_t rights, uint32_t file_err, uint32_t *err);
/* Adds an entry (copied) under the number wasmtime would pick: the highest closed number, or
 * one past the highest number ever used. Returns success or nfile/nomem. */
uint32_t wasi_fd_insert(const wasi_fd *entry, uint32_t *fd_out);
/* Releases an entry's host resources (the host handle unless it is stdio). */
void wasi_fd_release(wasi_fd *entry);
/* Opens host directory `host` and adds it as a preopened directory named `guest`. Returns
 * NULL, or why not (for the start-up error). */
const char *wasi_fd_add_preopen(const char *host, const char *guest);
/* Sets up fds 0-2. */
void wasi_fd_init_stdio(void);

/* ---- Path resolution (wasi_resolve.c): the sandbox's point 4 ---- */

/* Resolves guest `path` beneath directory fd `dir` to the entry it names: links met along
 * the path are followed while they stay beneath it, the last one only when `follow` or the
 * path ends in '/'. Returns success or an errno (perm for escapes, loop, noent, notdir...);
 * on success the caller frees `out` with wasi_place_free. */
uint32_t wasi_resolve(const wasi_fd *dir, const char *path, bool follow, w2e_place *out);
/* As wasi_resolve, with trailing slashes taken off first and only noted in trailing_slash
 * (as cap-std's rename does): the last component is never followed. */
uint32_t wasi_resolve_unfollowed(const wasi_fd *dir, const char *path, w2e_place *out);
void wasi_place_free(w2e_place *p);

/* ---- Bundles: read-only directories embedded in the executable (wasi_bundle.c) ---- */

/* What a bundle's directories and files may do: read, never write. */
#define WASI_RIGHTS_BUNDLE_DIR                                                                 \
  (WASI_RIGHT_PATH_OPEN | WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK |                    \
   WASI_RIGHT_PATH_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_GET)
#define WASI_RIGHTS_BUNDLE_FILE                                                                \
  (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |                           \
   WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL |                   \
   WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE)

/* A bundle fd is an entry of the fd table, with no host handle. */
typedef struct wasi_fd wasi_bfd;

/* Adds bundle number `index` (decimal) of the embedded blob as a preopened directory seen as
 * `guest`. NULL on success, else why not (for the start-up error). */
const char *wasi_bundle_add_preopen(const char *guest, const char *index);
/* The entry of `fd` when it is a bundle file or directory, else NULL. The WASI calls that take
 * an fd start with `if (wasi_bundle_fd(fd)) return wasi_bundle_...(...)`. */
wasi_bfd *wasi_bundle_fd(uint32_t fd);
/* The bundle side of each call taking an fd; arguments as the call's own. */
uint32_t wasi_bundle_io(w2e_vmctx *vm, wasi_bfd *e, uint32_t iovs, uint32_t iovs_len,
                        bool positional, uint64_t offset, uint32_t nptr, bool writing);
uint32_t wasi_bundle_fd_seek(w2e_vmctx *vm, wasi_bfd *e, uint64_t offset, uint32_t whence,
                             uint32_t newoffset);
uint32_t wasi_bundle_fd_tell(w2e_vmctx *vm, wasi_bfd *e, uint32_t offset);
/* fd_sync, fd_datasync, fd_advise, fd_allocate, fd_filestat_set_size: `right` needed, `ok` the
 * answer for a file that has it (directories: badf). */
uint32_t wasi_bundle_fd_simple(wasi_bfd *e, uint64_t right, uint32_t ok);
uint32_t wasi_bundle_fd_filestat_get(w2e_vmctx *vm, wasi_bfd *e, uint32_t buf);
uint32_t wasi_bundle_fd_readdir(w2e_vmctx *vm, wasi_bfd *e, uint32_t buf, uint32_t buf_len,
                                uint64_t cookie, uint32_t bufused);
uint32_t wasi_bundle_path_open(w2e_vmctx *vm, wasi_bfd *dir, uint32_t path, uint32_t path_len,
                               uint32_t oflags, uint64_t base, uint64_t inheriting,
                               uint32_t fdflags, uint32_t fd_out);
uint32_t wasi_bundle_path_filestat_get(w2e_vmctx *vm, wasi_bfd *e, uint32_t path, uint32_t len,
                                       uint32_t buf);
uint32_t wasi_bundle_path_readlink(w2e_vmctx *vm, wasi_bfd *e, uint32_t path, uint32_t len,
                                   uint32_t buf, uint32_t buf_len, uint32_t bufused);
/* The mutating path calls on a bundle directory: the path is resolved (its errors first),
 * then rofs; `creates` (create_directory, symlink, link target) gives exist for a name that
 * exists, the others noent for one that does not. */
uint32_t wasi_bundle_path_mutate(w2e_vmctx *vm, wasi_bfd *e, uint32_t path, uint32_t len,
                                 bool creates);
/* path_rename and path_link when either fd is a bundle's: each side checked as its own kind,
 * then rofs. */
uint32_t wasi_bundle_path_pair(w2e_vmctx *vm, uint32_t old_fd, uint32_t old_path,
                               uint32_t old_len, uint32_t new_fd, uint32_t new_path,
                               uint32_t new_len);
/* poll_oneoff: whether a bundle file's read position is at (or past) its end. */
bool wasi_bundle_at_end(const wasi_bfd *e);

/* ---- Directory listings (wasi_readdir.c) ---- */
/* Puts "." and ".." (as far as `cookie` asks) with the directory's own inode; false when the
 * buffer is full. */
bool wasi_dirents_start(w2e_dirents *d, uint64_t cookie, uint64_t self_ino);

/* ---- Filestat (wasi_files.c) ---- */
/* Writes the 64-byte filestat record of `st` (device 1, as wasmtime). */
void wasi_put_filestat(uint8_t *out, const w2e_filestat *st);
/* The changes fstflags `flags` ask for with times `atim` and `mtim`; false when the flags are
 * invalid (unknown bits, or both a time and "now" for the same one). */
bool wasi_times_of(uint64_t atim, uint64_t mtim, uint32_t flags, w2e_times *out);
/* The entry of a regular (non-directory) open file: directories give badf, other kinds
 * (stdio, sockets) `other`, missing `rights` notcapable. */
wasi_fd *wasi_file_fd(uint32_t fd, uint64_t rights, uint32_t other, uint32_t *err);

/* ---- Configuration (config.c) and the guest's view of the process ---- */
extern int wasi_argc;
extern char **wasi_argv;
extern int wasi_envc;
extern char **wasi_envv;

#endif /* W2E_WASI_INTERNAL_H */
