/*
 * platform/platform.h: everything the portable runtime (src/core, src/wasi, src/entry) needs
 * from the operating system, in one small interface. There are two implementations:
 * platform/posix/ (Linux and macOS) and platform/win32/ (Windows); a target compiles exactly
 * one of them (src/layout.rs). Nothing outside those folders calls the OS for files,
 * directories, clocks or randomness, so WASI's logic (argument and pointer checks, rights,
 * the fd table, errno choices, poll's rules, bundles) exists once, in src/wasi/.
 *
 * Conventions: functions that can fail return a WASI errno (the platform maps its own error
 * codes, so the mapping table is platform code) and write results through pointers only on
 * success. Handles are the platform's (types.h): a file descriptor or a HANDLE.
 *
 * The sandbox's guarantees, and which function here carries each, are stated once in
 * wasi/sandbox.h.
 */
#ifndef W2E_PLATFORM_H
#define W2E_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#include "platform/win32/types.h"
#else
#include "platform/posix/types.h"
#endif

/* ---- The core's needs: memory and faults ----
 *
 * Linear memories reserve their whole index space plus a guard region once (core/memory.c)
 * and commit pages as they grow, so a memory's base never moves and out-of-bounds accesses
 * fault. Faults reach the trap code the same way on every platform: w2e_runtime_init
 * (w2e_runtime.h, core/trap.c) has w2e_os_catch_faults (platform/posix/signals_posix.c with
 * signal handlers on an alternate stack, platform/win32/signals_win32.c with a vectored
 * exception handler) install a handler that asks the core whether the faulting pc is wasm
 * code (w2e_lookup_code) and which trap it is (w2e_lookup_trap, or
 * w2e_addr_in_memory_reservation for an access fault), then continues in
 * w2e_trap_from_signal, which unwinds to the innermost w2e_call. Faults anywhere else are
 * left to crash the process as they would without the runtime. It also sets
 * w2e_stack_limit (from w2e_os_stack_limit), the bound the generated prologues check.
 */

/* The lowest address wasm code may use of this (the main) thread's stack: its end as the OS
 * reports it plus a margin kept for C code; 0 when it cannot be told (then unchecked). */
uintptr_t w2e_os_stack_limit(void);
/* Installs the fault handler described above (once, from w2e_runtime_init). */
void w2e_os_catch_faults(void);

/* Reserves `size` bytes of inaccessible address space; NULL on failure. Nothing is charged
 * against the commit limit until w2e_os_commit. */
void *w2e_os_reserve(uint64_t size);
/* Makes [addr, addr+size) of a reservation readable and writable; fresh pages read as zero. */
bool w2e_os_commit(void *addr, uint64_t size);

/* ---- Guest fds: handles and their per-platform state ---- */

/* The handle of standard stream `fd` (0, 1 or 2), never owned by the fd table, and whether it
 * is a terminal (a console on Windows): WASI reports a character device then. */
w2e_handle w2e_os_stdio(int fd, bool *is_terminal);

/* Releases what a guest fd holds: its handle when `close_handle` (never stdio's, never
 * W2E_NO_HANDLE) and the platform state in `os` (directory streams, paths, listings), which
 * is left zeroed. */
void w2e_os_release(w2e_handle h, wasi_fd_os *os, bool close_handle);

/* Opens host directory `host` (a UTF-8 path, relative to the working directory) as the root
 * of a grant: the handle every path under the grant is resolved beneath. Returns NULL, or a
 * short reason for the start-up error ("No such file or directory", "Not a directory"). */
const char *w2e_os_open_grant(const char *host, w2e_handle *h, wasi_fd_os *os);

/* Makes writes to file `h` append (or stop appending), for fd_fdstat_set_flags. A platform
 * without an append mode on handles may answer success and let w2e_os_io append. */
uint32_t w2e_os_set_append(w2e_handle h, bool append);

/* ---- Reading, writing, seeking ---- */

/* How w2e_os_io transfers. */
enum {
  W2E_IO_WRITE = 1,  /* write `buf` (else read into it) */
  W2E_IO_AT = 2,     /* at `offset`, leaving the handle's position as it was (pread/pwrite) */
  W2E_IO_APPEND = 4, /* a file in append mode: every write goes to its current end */
  W2E_IO_STDIO = 8,  /* standard output or error: write all of it (a console gets the UTF-8
                        as text), as wasmtime's blocking streams */
};
/* One read or write of up to `len` bytes (0 is allowed and transfers nothing). *done is what
 * was transferred: a short count is not an error, and an error after some bytes moved is
 * reported as that short count. End of file (and a pipe whose writer went away) reads 0. */
uint32_t w2e_os_io(w2e_handle h, uint8_t *buf, uint32_t len, uint64_t offset, unsigned how,
                   uint32_t *done);

/* Moves the position of file `h` (whence 0 start, 1 current, 2 end) and gives the new one. */
uint32_t w2e_os_seek(w2e_handle h, int64_t offset, int whence, uint64_t *pos);

/* Flushes file `h` to storage: its data only (`data_only`), or data and metadata. */
uint32_t w2e_os_sync(w2e_handle h, bool data_only);

/* Passes WASI `advice` (0-5) for a range of file `h` on to the OS; may do nothing. */
uint32_t w2e_os_advise(w2e_handle h, uint64_t offset, uint64_t len, uint32_t advice);

/* Sets the size of file `h` (opened for writing): truncates or extends with zeros. */
uint32_t w2e_os_set_size(w2e_handle h, uint64_t size);

/* ---- Metadata ---- */

/* A file's metadata as WASI reports it (the filestat record; its device is always 1). */
typedef struct w2e_filestat {
  uint64_t ino;     /* stable per file while it exists; distinct files get distinct numbers */
  uint8_t filetype; /* WASI_FILETYPE_* */
  uint64_t nlink, size;
  uint64_t atim, mtim, ctim; /* nanoseconds since 1970 */
} w2e_filestat;

/* The inode number this platform reports for file `ino` of device (volume) `dev`: on POSIX
 * wasmtime's hash, on Windows a mix of volume serial and file index. Bundles number their
 * entries with it too, so that their inodes look like the host's. */
uint64_t w2e_os_inode(uint64_t dev, uint64_t ino);

/* The metadata of open file or directory `h` (never following anything: it is open). */
uint32_t w2e_os_fstat(w2e_handle h, w2e_filestat *st);

/* What fd/path_filestat_set_times does to each of a file's times (index 0 access, 1
 * modification), decided from the guest's fstflags by the portable code (wasi_times_of). */
typedef enum w2e_time_change { W2E_TIME_KEEP, W2E_TIME_NOW, W2E_TIME_SET } w2e_time_change;
typedef struct w2e_times {
  w2e_time_change change[2];
  uint64_t ns[2]; /* W2E_TIME_SET: nanoseconds since 1970 */
} w2e_times;

/* Sets the access and modification times of open file `h` as `t` says (nothing to change is
 * success). */
uint32_t w2e_os_set_times(w2e_handle h, const w2e_times *t);

/* ---- Paths beneath a directory ----
 *
 * The policy of path resolution (wasi/sandbox.h, point 4) is portable code: wasi/wasi_resolve.c
 * walks a guest path one component at a time, pops its own chain of directories for "..",
 * refuses absolute paths and ".." above the starting directory, and expands links itself. It
 * needs from the platform only the three steps below, each acting on ONE component (no '/',
 * never "." or "..") beneath a directory reference (w2e_dirref, types.h), and never following
 * a link in that component. The result of a walk is a w2e_place: the directory holding the
 * last component, and that component. Every operation after it (w2e_os_*_at) acts on that
 * entry itself, never following a link it names, and never resolves a path string again.
 *
 * POSIX references are directory fds; Win32 references are directory handles, each
 * component opened beneath its parent's with NtCreateFile (RootDirectory), so nothing the host
 * renames meanwhile can move a walk outside. Win32 also checks every handle it opens by its
 * final path to be the grant's root or beneath it (Wine shows some host links as no links).
 */
struct wasi_fd;

/* The reference of guest directory fd `dir` (a WASI_FD_DIR entry), borrowed from it: where
 * a walk starts. */
void w2e_os_dir_of(const struct wasi_fd *dir, w2e_dirref *out);
/* Enters directory `name` beneath `parent`, never through a link: a link (or, on Windows, any
 * reparse point) is loop, a non-directory notdir, a missing name noent. The new reference is
 * owned (w2e_os_dir_leave). */
uint32_t w2e_os_dir_enter(const w2e_dirref *parent, const char *name, w2e_dirref *child);
/* Releases a reference (nothing for a borrowed one). */
void w2e_os_dir_leave(w2e_dirref *d);
/* The text of link `name` beneath `d`, in a fresh heap string. Not a link: inval; missing:
 * noent. A platform that never follows links (Windows) answers notsup for a link: the walk
 * then leaves it unfollowed and the operation decides (loop where it would follow). */
uint32_t w2e_os_readlink_at(const w2e_dirref *d, const char *name, char **target);

/* What a walk found: an entry beneath the grant. */
typedef struct w2e_place {
  w2e_dirref dir;      /* the directory holding the entry (owned by the place) */
  const char *name;    /* one component, never ".."; "." names `dir` itself */
  bool trailing_slash; /* the guest path ended in '/': the entry must be a directory */
  char *buf;           /* heap storage behind `name` */
} w2e_place;

/* Opens (or creates, with WASI oflags CREAT/EXCL/TRUNC) the entry at `at` for reading and/or
 * writing as the rights in `base` say, with WASI `fdflags`. Never opens through a link: a link
 * is loop (`follow`: the guest asked to follow it, which a platform that cannot follow links
 * refuses with loop too). On success fills out->host, out->os, out->kind (WASI_FD_FILE or
 * WASI_FD_DIR) and out->filetype; the caller owns them (wasi_fd_release). */
uint32_t w2e_os_open_at(const w2e_place *at, bool follow, uint32_t oflags, uint32_t fdflags,
                        uint64_t base, struct wasi_fd *out);
/* Creates directory `at` (exist when the name is taken, a link included). */
uint32_t w2e_os_mkdir_at(const w2e_place *at);
/* The metadata of entry `at`, a link's own (`follow`: as in w2e_os_open_at). */
uint32_t w2e_os_stat_at(const w2e_place *at, bool follow, w2e_filestat *st);
/* Sets times as w2e_os_set_times does, on entry `at` (`follow`: as in w2e_os_open_at). */
uint32_t w2e_os_set_times_at(const w2e_place *at, bool follow, const w2e_times *t);
/* Removes the non-directory entry `at` (a link is removed itself, never its target). */
uint32_t w2e_os_unlink_at(const w2e_place *at);
/* Removes the empty directory `at` (never through a link: notdir). */
uint32_t w2e_os_rmdir_at(const w2e_place *at);
/* Moves entry `from` (a link moves itself) to `to`, replacing a file or an empty directory
 * there as POSIX rename does. Both were resolved without following their last component. */
uint32_t w2e_os_rename_at(const w2e_place *from, const w2e_place *to);
/* Makes `to` a hard link to the existing file `from` (a link is linked itself). */
uint32_t w2e_os_link_at(const w2e_place *from, const w2e_place *to);
/* Creates a symbolic link `at` whose text is `target` (relative: the caller refused absolute
 * ones; it may point anywhere, since resolution refuses to follow it out). Windows: notsup
 * after the new name's own errors (links are never followed there, so none is made). */
uint32_t w2e_os_symlink_at(const char *target, const w2e_place *at);

/* ---- Directory listings ---- */

/* The guest buffer fd_readdir fills. */
typedef struct w2e_dirents {
  uint8_t *buf;
  uint32_t len, used;
} w2e_dirents;
/* Implemented by the portable code (wasi/wasi_readdir.c), for w2e_os_readdir: appends one
 * entry (cut short when it does not fit) and returns false once the buffer is full. */
bool w2e_dirent_put(w2e_dirents *d, uint64_t next, uint64_t ino, uint8_t type, const char *name,
                    size_t namelen);
/* Whether an entry named with `namelen` bytes fits whole in `room` bytes. */
bool w2e_dirent_fits(uint32_t room, size_t namelen);

/* Lists directory `h` into `out` from `cookie` (2 or more: the directory's own entries are
 * numbered from 2, without "." and ".."; the entry with cookie c is put with next = c + 1).
 * A listing that starts over (cookie 2) or goes back reads the directory afresh, so it sees
 * entries made since; `os` keeps what lets a listing go on where the last call stopped. An
 * entry that did not fit whole is listed again by the next call. Names are UTF-8; types are
 * the entries' own (a link is a link: nothing is followed). */
uint32_t w2e_os_readdir(w2e_handle h, wasi_fd_os *os, uint64_t cookie, w2e_dirents *out);

/* ---- Sockets (the streams a process was started with, and what they accept) ---- */

/* One buffer of a scatter/gather transfer. */
typedef struct w2e_buf {
  uint8_t *p;
  uint32_t len;
} w2e_buf;
#define W2E_BUFS_MAX 64

/* Whether `h` is a stream socket (Windows: never; it has no socket fds). */
bool w2e_os_is_socket(w2e_handle h);
/* Accepts a connection on listening socket `h`: a new handle, close-on-exec, non-blocking
 * when asked. */
uint32_t w2e_os_accept(w2e_handle h, bool nonblock, w2e_handle *out);
/* Receives into `bufs` (peeking, or waiting for all of them, when asked); `truncated` when a
 * datagram did not fit. */
uint32_t w2e_os_recv(w2e_handle h, const w2e_buf *bufs, int n, bool peek, bool waitall,
                     uint32_t *got, bool *truncated);
/* Sends `bufs` (never raising SIGPIPE). */
uint32_t w2e_os_send(w2e_handle h, const w2e_buf *bufs, int n, uint32_t *sent);
/* Shuts down reading and/or writing. */
uint32_t w2e_os_shutdown(w2e_handle h, bool reading, bool writing);

/* ---- Clocks, waiting, randomness, the process ---- */

/* The current time of clock `id`, 0 realtime (ns since 1970) or 1 monotonic (ns since an
 * arbitrary start; never goes back). Other ids are refused by the caller. */
uint32_t w2e_os_now(uint32_t id, uint64_t *ns);
/* The resolution of clock `id` (0 or 1) in nanoseconds, at least 1. */
uint32_t w2e_os_resolution(uint32_t id, uint64_t *ns);
/* Sleeps at least `ns` nanoseconds of the monotonic clock. */
void w2e_os_sleep(uint64_t ns);
/* Lets other threads and processes run. */
void w2e_os_yield(void);

/* Whether an fd of this handle is always ready for reading and writing, so poll_oneoff
 * need not wait for it: regular files (`is_file`: the guest fd is a file, not stdio or a
 * socket) on POSIX; on Windows every handle (Win32 has no readiness wait that covers files,
 * pipes and consoles alike). */
bool w2e_os_always_ready(w2e_handle h, bool is_file);
/* Whether the position of file `h` is at or past its end (poll reports hangup then). */
bool w2e_os_at_end(w2e_handle h);

/* One handle poll_oneoff waits on, and what the wait found. */
typedef struct w2e_wait {
  w2e_handle h;
  bool writing;         /* wait until writable, else readable */
  bool ready, hangup;   /* out: readiness, and the peer closed the connection */
  bool invalid;         /* out: the handle is not open (badf for its event) */
} w2e_wait;
/* Waits until one of `n` handles is ready or `timeout_ns` passed (UINT64_MAX: no limit);
 * n may be 0 (a sleep). Sets the out fields of each. A signal cutting the wait short is not
 * an error: the caller loops. */
uint32_t w2e_os_wait(w2e_wait *waits, uint32_t n, uint64_t timeout_ns);

/* Fills `buf` from the OS's cryptographic random source; false when there is none. */
bool w2e_os_random(uint8_t *buf, size_t len);

/* Ends the process at once with status `code` (nothing is buffered in the runtime). */
void w2e_os_exit(uint32_t code) __attribute__((noreturn));

/* The process's arguments as the guest sees them: given main()'s, the platform may replace
 * them (Windows reads the UTF-16 command line and converts it to UTF-8). */
void w2e_os_args(int *argc, char ***argv);
/* The process's environment as "KEY=VALUE" UTF-8 strings, NULL-terminated. */
char **w2e_os_environ(void);
/* One environment variable, as UTF-8, or NULL. */
const char *w2e_os_getenv(const char *name);

#endif /* W2E_PLATFORM_H */
