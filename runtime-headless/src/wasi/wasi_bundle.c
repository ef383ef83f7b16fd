/*
 * wasi_bundle.c: bundles, directories embedded in the executable (`wasm2exe --bundle
 * HOST_DIR::GUEST_DIR`) and served read-only to the guest from memory: the blob is read-only
 * data of the executable, which the OS maps from the file and pages in on first use.
 *
 * A capability record `"bundle\0" GUEST "\0" INDEX "\0"` (w2e_config.h) preopens bundle number
 * INDEX of the blob `w2e_main_bundle` as GUEST, in record order among the "dir" records. The
 * symbol is weak: an executable linked without one has no bundles (a "bundle" record then
 * fails at start-up). The same code serves POSIX and Windows: a bundle fd is an entry of the
 * fd table (wasi_fd.c) with no host handle.
 *
 * The blob (written by cli/src/bundle.rs; every integer little-endian):
 *
 *   header, 32 bytes:  "W2EB", u32 version (1), u32 bundle count B, u32 entry count N,
 *                      u64 blob size in bytes, u64 zero
 *   bundle table:      B x { u32 root entry index, u32 zero }, then zeros up to 8-alignment
 *   entries:           N x 40 bytes:
 *                        u64 file: offset of its bytes in the blob; directory: first child
 *                        u64 file: size in bytes;                   directory: child count
 *                        u64 mtime, nanoseconds since 1970 (also reported as atime and ctime)
 *                        u32 offset of the name in the blob, u32 name length (roots: empty)
 *                        u8 type: 3 directory, 4 regular file (the WASI filetypes); 7 zeros
 *   names:             UTF-8, each followed by a NUL (not counted in its length)
 *   file data:         from a 4096-aligned offset, each file at a 16-aligned offset
 *
 * Each bundle's entries are laid out breadth-first from its root, so a directory's children
 * are consecutive entries, after it, sorted by name (bytewise): looking a name up is a binary
 * search among them. There are no symlinks (the CLI stores what a link inside the tree points
 * to). Start-up checks every offset, size and index against the blob size, so a damaged blob
 * is refused instead of read out of bounds.
 *
 * What is served: fd_read, fd_pread, fd_seek, fd_tell, fd_advise, fd_sync, fd_datasync (no-ops),
 * fd_fdstat_get, fd_fdstat_set_flags (recorded), fd_filestat_get, fd_readdir ("." and ".."
 * first, as host directories), fd_close, fd_renumber, fd_prestat_get/dir_name, path_open,
 * path_filestat_get, path_readlink (inval: nothing is a symlink), poll_oneoff (always ready).
 * Inode numbers are wasmtime's hash of (a bundle device, the entry index); nlink is 1.
 *
 * Read-only, enforced: bundle fds never hold the rights to write, and
 *   - path_open: write intent (asking for FD_WRITE, FD_ALLOCATE or FD_FILESTAT_SET_SIZE: the
 *     libc does when opening for writing) or TRUNC on a file, or CREAT of a missing name, is
 *     rofs (69), as open(2) on a read-only mount; the same on a directory is isdir, and
 *     CREAT|EXCL of an existing name exist. Other rights beyond the read-only set are dropped
 *     (as wasmtime drops what a directory's inheriting rights lack).
 *   - path_create_directory, path_symlink: exist when the name exists, else rofs;
 *     path_remove_directory, path_unlink_file, path_filestat_set_times: noent when it does
 *     not, else rofs; path_rename, path_link with a bundle on either side: rofs;
 *     fd_filestat_set_times: rofs. (Path errors come first: noent, notdir, perm...)
 *   - fd_write, fd_pwrite: badf (not open for writing); fd_filestat_set_size: inval (as for a
 *     host file opened read-only); fd_allocate: notsup (as wasmtime for every file).
 * Paths resolve as in the host sandbox: "." and empty components are skipped, ".." goes up
 * but never above the fd's directory (perm, 63), an absolute path is perm, an empty one
 * noent, a trailing slash needs a directory (notdir).
 */
#include "wasi/wasi_internal.h"

#include <stdlib.h>
#include <string.h>

extern const unsigned char w2e_main_bundle[] __attribute__((weak));

#define HEADER_SIZE 32u
#define ENTRY_SIZE 40u
#define NONE UINT32_MAX
#define BUNDLE_DEV 0x57324542u /* "W2EB": the device inode numbers are hashed with */

/* The rights that mean opening for writing. A bundle directory passes them on (inheriting)
 * only so that the guest's libc asks for them when it opens for writing, which path_open then
 * refuses with rofs; without them the libc would quietly open read-only. No fd holds them. */
#define WRITE_INTENT                                                                           \
  (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_SET_SIZE)

static const uint8_t *blob;
static uint64_t blob_size;
static uint32_t nbundles, nentries;
static const uint8_t *entries;

static const uint8_t *ent(uint32_t i) { return entries + (size_t)i * ENTRY_SIZE; }
static uint64_t ent_off(uint32_t i) { return wasi_load64(ent(i)); }
static uint64_t ent_size(uint32_t i) { return wasi_load64(ent(i) + 8); }
static uint64_t ent_mtime(uint32_t i) { return wasi_load64(ent(i) + 16); }
static const char *ent_name(uint32_t i, uint32_t *len) {
  *len = wasi_load32(ent(i) + 28);
  return (const char *)blob + wasi_load32(ent(i) + 24);
}
static uint8_t ent_type(uint32_t i) { return ent(i)[32]; }
static bool ent_is_dir(uint32_t i) { return ent_type(i) == WASI_FILETYPE_DIRECTORY; }
/* Numbered as the host's own files are. */
static uint64_t ent_ino(uint32_t i) { return w2e_os_inode(BUNDLE_DEV, i); }

/* Checks the blob once: NULL when it is usable, else why not. */
static const char *load(void) {
  static bool done;
  static const char *why;
  if (done) return why;
  done = true;
  const uint8_t *b = w2e_main_bundle;
  if (!b) return why = "the executable holds no bundle data";
  if (memcmp(b, "W2EB", 4) != 0 || wasi_load32(b + 4) != 1)
    return why = "the embedded bundle data has an unknown format";
  uint64_t size = wasi_load64(b + 16), nb = wasi_load32(b + 8), ne = wasi_load32(b + 12);
  uint64_t table = (HEADER_SIZE + nb * 8 + 7) / 8 * 8;
  if (size < HEADER_SIZE || table > size || ne > (size - table) / ENTRY_SIZE)
    return why = "the embedded bundle data is damaged";
  blob = b;
  blob_size = size;
  entries = b + table;
  nentries = (uint32_t)ne;
  for (uint32_t i = 0; i < nentries; i++) {
    uint64_t off = ent_off(i), n = ent_size(i);
    uint64_t name = wasi_load32(ent(i) + 24), len = wasi_load32(ent(i) + 28);
    bool ok = name + len < size && b[name + len] == 0;
    if (ent_type(i) == WASI_FILETYPE_DIRECTORY)
      ok = ok && (n == 0 || (off > i && off <= ne && n <= ne - off));
    else
      ok = ok && ent_type(i) == WASI_FILETYPE_REGULAR_FILE && off <= size && n <= size - off;
    if (!ok) return why = "the embedded bundle data is damaged";
  }
  for (uint32_t k = 0; k < nb; k++) {
    uint32_t root = wasi_load32(b + HEADER_SIZE + 8 * k);
    if (root >= nentries || !ent_is_dir(root)) return why = "the embedded bundle data is damaged";
  }
  nbundles = (uint32_t)nb;
  return NULL;
}

const char *wasi_bundle_add_preopen(const char *guest, const char *index) {
  const char *why = load();
  if (why) return why;
  char *end;
  unsigned long k = strtoul(index, &end, 10);
  if (!*index || *end || k >= nbundles) return "the executable holds no bundle of that number";
  wasi_bfd e;
  memset(&e, 0, sizeof e);
  e.kind = WASI_FD_BUNDLE_DIR;
  e.filetype = WASI_FILETYPE_DIRECTORY;
  e.host = W2E_NO_HANDLE;
  e.base = WASI_RIGHTS_BUNDLE_DIR;
  e.inheriting = WASI_RIGHTS_BUNDLE_DIR | WASI_RIGHTS_BUNDLE_FILE | WRITE_INTENT;
  e.bundle_entry = wasi_load32(blob + HEADER_SIZE + 8 * k);
  e.preopen = strdup(guest);
  uint32_t fd;
  if (!e.preopen || wasi_fd_insert(&e, &fd) != WASI_ESUCCESS) {
    free(e.preopen);
    return "out of memory";
  }
  return NULL;
}

wasi_bfd *wasi_bundle_fd(uint32_t fd) {
  uint32_t err;
  wasi_bfd *e = wasi_fd_get(fd, 0, &err);
  return e && (e->kind == WASI_FD_BUNDLE_FILE || e->kind == WASI_FD_BUNDLE_DIR) ? e : NULL;
}

/* ---- Paths ---- */

/* The child of directory `dir` named (name, len), or NONE. */
static uint32_t child(uint32_t dir, const char *name, size_t len) {
  uint64_t lo = ent_off(dir), hi = lo + ent_size(dir);
  while (lo < hi) {
    uint32_t mid = (uint32_t)(lo + (hi - lo) / 2), n;
    const char *s = ent_name(mid, &n);
    int c = memcmp(s, name, n < len ? n : len);
    if (c == 0) c = n < len ? -1 : n > len ? 1 : 0;
    if (c == 0) return mid;
    if (c < 0) lo = (uint64_t)mid + 1;
    else hi = mid;
  }
  return NONE;
}

typedef struct resolved {
  uint32_t found;  /* the entry the path names, or NONE when its last component is missing */
  bool trailing;   /* the path ends in a slash */
} resolved;

/* Resolves `path` under directory entry `start`. A missing last component is not an error:
 * found is NONE. A found entry that is not a directory when the path ends in a slash is. */
static uint32_t resolve(uint32_t start, const char *path, resolved *out) {
  out->found = start;
  out->trailing = false;
  if (!*path) return WASI_ENOENT;
  if (*path == '/') return WASI_EPERM;
  size_t cap = strlen(path) / 2 + 2; /* more than the number of components */
  uint32_t *stack = malloc(cap * sizeof *stack);
  if (!stack) return WASI_ENOMEM;
  size_t depth = 0;
  stack[depth++] = start;
  uint32_t err = WASI_ESUCCESS;
  const char *p = path;
  while (*p) {
    size_t len = strcspn(p, "/");
    const char *after = p + len;
    while (*after == '/') after++;
    bool last = !*after;
    if (last) out->trailing = after > p + len;
    uint32_t top = stack[depth - 1];
    if (len == 1 && p[0] == '.') {
      out->found = top;
    } else if (len == 2 && p[0] == '.' && p[1] == '.') {
      if (depth == 1) {
        err = WASI_EPERM;
        break;
      }
      depth--;
      out->found = stack[depth - 1];
    } else {
      uint32_t c = child(top, p, len);
      out->found = c;
      if (!last) {
        if (c == NONE) err = WASI_ENOENT;
        else if (!ent_is_dir(c)) err = WASI_ENOTDIR;
        if (err) break;
        stack[depth++] = c;
      }
    }
    p = after;
  }
  free(stack);
  if (!err && out->trailing && out->found != NONE && !ent_is_dir(out->found)) err = WASI_ENOTDIR;
  return err;
}

/* Reads the guest path and resolves it under bundle directory fd `e`, which needs `rights`. */
static uint32_t resolve_at(w2e_vmctx *vm, const wasi_bfd *e, uint64_t rights, uint32_t path,
                           uint32_t len, resolved *r) {
  if (e->kind != WASI_FD_BUNDLE_DIR) return WASI_EBADF;
  if ((e->base & rights) != rights) return WASI_ENOTCAPABLE;
  char *s;
  uint32_t err = wasi_guest_string(vm, path, len, &s);
  if (err) return err;
  err = resolve(e->bundle_entry, s, r);
  free(s);
  return err;
}

/* A 64-byte filestat of entry `i`. */
static void store_filestat(uint8_t *p, uint32_t i) {
  memset(p, 0, 64);
  wasi_store64(p + 0, 1); /* the device, as wasmtime reports for every file */
  wasi_store64(p + 8, ent_ino(i));
  p[16] = ent_type(i);
  wasi_store64(p + 24, 1);
  wasi_store64(p + 32, ent_is_dir(i) ? 0 : ent_size(i));
  wasi_store64(p + 40, ent_mtime(i));
  wasi_store64(p + 48, ent_mtime(i));
  wasi_store64(p + 56, ent_mtime(i));
}

uint32_t wasi_bundle_path_open(w2e_vmctx *vm, wasi_bfd *dir, uint32_t path, uint32_t path_len,
                               uint32_t oflags, uint64_t base, uint64_t inheriting,
                               uint32_t fdflags, uint32_t fd_out) {
  if (dir->kind != WASI_FD_BUNDLE_DIR) return WASI_ENOTDIR;
  if (!(dir->base & WASI_RIGHT_PATH_OPEN)) return WASI_ENOTCAPABLE;
  if (!wasi_guest(vm, fd_out, 4)) return WASI_EFAULT;
  if ((oflags & WASI_OFLAG_DIRECTORY) &&
      (oflags & (WASI_OFLAG_CREAT | WASI_OFLAG_EXCL | WASI_OFLAG_TRUNC)))
    return WASI_EINVAL;
  resolved r;
  uint32_t err = resolve_at(vm, dir, WASI_RIGHT_PATH_OPEN, path, path_len, &r);
  if (err) return err;
  if (r.found == NONE) return (oflags & WASI_OFLAG_CREAT) ? WASI_EROFS : WASI_ENOENT;
  if ((oflags & WASI_OFLAG_CREAT) && (oflags & WASI_OFLAG_EXCL)) return WASI_EEXIST;
  bool is_dir = ent_is_dir(r.found);
  if (((oflags & WASI_OFLAG_DIRECTORY) || r.trailing) && !is_dir) return WASI_ENOTDIR;
  bool writes = (base & WRITE_INTENT) || (oflags & WASI_OFLAG_TRUNC);
  if (is_dir && (writes || (oflags & WASI_OFLAG_CREAT))) return WASI_EISDIR;
  if (writes) return WASI_EROFS;
  wasi_bfd ne;
  memset(&ne, 0, sizeof ne);
  ne.kind = is_dir ? WASI_FD_BUNDLE_DIR : WASI_FD_BUNDLE_FILE;
  ne.filetype = ent_type(r.found);
  ne.host = W2E_NO_HANDLE;
  ne.fdflags = (uint16_t)(is_dir ? fdflags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK) : fdflags);
  ne.base = base & dir->inheriting & (is_dir ? ~WASI_RIGHTS_NOT_DIR : ~(uint64_t)0) &
            (WASI_RIGHTS_BUNDLE_DIR | WASI_RIGHTS_BUNDLE_FILE);
  ne.inheriting = inheriting & dir->inheriting;
  ne.bundle_entry = r.found;
  uint32_t nfd;
  if ((err = wasi_fd_insert(&ne, &nfd))) return err;
  return wasi_put32(vm, fd_out, nfd);
}

uint32_t wasi_bundle_path_filestat_get(w2e_vmctx *vm, wasi_bfd *e, uint32_t path, uint32_t len,
                                       uint32_t buf) {
  resolved r;
  uint32_t err = resolve_at(vm, e, WASI_RIGHT_PATH_FILESTAT_GET, path, len, &r);
  if (err) return err;
  if (r.found == NONE) return WASI_ENOENT;
  uint8_t *p = wasi_guest(vm, buf, 64);
  if (!p) return WASI_EFAULT;
  store_filestat(p, r.found);
  return WASI_ESUCCESS;
}

uint32_t wasi_bundle_path_readlink(w2e_vmctx *vm, wasi_bfd *e, uint32_t path, uint32_t len,
                                   uint32_t buf, uint32_t buf_len, uint32_t bufused) {
  resolved r;
  uint32_t err = resolve_at(vm, e, WASI_RIGHT_PATH_READLINK, path, len, &r);
  if (err) return err;
  if (!wasi_guest(vm, buf, buf_len) || !wasi_guest(vm, bufused, 4)) return WASI_EFAULT;
  return r.found == NONE ? WASI_ENOENT : WASI_EINVAL;
}

uint32_t wasi_bundle_path_mutate(w2e_vmctx *vm, wasi_bfd *e, uint32_t path, uint32_t len,
                                 bool creates) {
  resolved r;
  uint32_t err = resolve_at(vm, e, 0, path, len, &r);
  if (err) return err;
  if (creates && r.found != NONE) return WASI_EEXIST;
  if (!creates && r.found == NONE) return WASI_ENOENT;
  return WASI_EROFS;
}

/* One side of path_rename / path_link: a bundle directory (its path resolved) or a host one. */
static uint32_t pair_side(w2e_vmctx *vm, uint32_t fd, uint32_t path, uint32_t len) {
  uint32_t err;
  wasi_bfd *e = wasi_fd_get(fd, 0, &err);
  if (!e) return err;
  if (e->kind == WASI_FD_BUNDLE_DIR) {
    resolved r;
    return resolve_at(vm, e, 0, path, len, &r);
  }
  return e->kind == WASI_FD_DIR ? WASI_ESUCCESS : WASI_EBADF;
}

uint32_t wasi_bundle_path_pair(w2e_vmctx *vm, uint32_t old_fd, uint32_t old_path,
                               uint32_t old_len, uint32_t new_fd, uint32_t new_path,
                               uint32_t new_len) {
  uint32_t err = pair_side(vm, old_fd, old_path, old_len);
  if (!err) err = pair_side(vm, new_fd, new_path, new_len);
  return err ? err : WASI_EROFS;
}

/* ---- Open files and directories ---- */

uint32_t wasi_bundle_io(w2e_vmctx *vm, wasi_bfd *e, uint32_t iovs, uint32_t iovs_len,
                        bool positional, uint64_t offset, uint32_t nptr, bool writing) {
  if (writing || e->kind != WASI_FD_BUNDLE_FILE || !(e->base & WASI_RIGHT_FD_READ))
    return WASI_EBADF;
  /* As for host files: only the first non-empty buffer is filled (all are checked). */
  const uint8_t *vec = wasi_guest(vm, iovs, (uint64_t)iovs_len * 8);
  if (!vec) return WASI_EFAULT;
  uint8_t *buf = NULL;
  uint32_t len = 0;
  for (uint32_t i = 0; i < iovs_len; i++) {
    uint32_t ptr = wasi_load32(vec + 8 * i), n = wasi_load32(vec + 8 * i + 4);
    uint8_t *p = wasi_guest(vm, ptr, n);
    if (!p) return WASI_EFAULT;
    if (n && !buf) buf = p, len = n;
  }
  if (!wasi_guest(vm, nptr, 4)) return WASI_EFAULT;
  if (positional) {
    if (!(e->base & WASI_RIGHT_FD_SEEK)) return WASI_ENOTCAPABLE;
    if (offset > INT64_MAX) return WASI_EINVAL;
  }
  uint64_t pos = positional ? offset : e->bundle_pos, size = ent_size(e->bundle_entry);
  uint64_t n = pos >= size ? 0 : size - pos < len ? size - pos : len;
  if (n) memcpy(buf, blob + ent_off(e->bundle_entry) + pos, (size_t)n);
  if (!positional) e->bundle_pos += n;
  return wasi_put32(vm, nptr, (uint32_t)n);
}

uint32_t wasi_bundle_fd_seek(w2e_vmctx *vm, wasi_bfd *e, uint64_t offset, uint32_t whence,
                             uint32_t newoffset) {
  if (e->kind != WASI_FD_BUNDLE_FILE) return WASI_EBADF;
  uint64_t right = offset == 0 && whence == 1 ? WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
  if (!(e->base & (right | WASI_RIGHT_FD_SEEK))) return WASI_ENOTCAPABLE;
  if (!wasi_guest(vm, newoffset, 8)) return WASI_EFAULT;
  uint64_t from = whence == 0 ? 0 : whence == 1 ? e->bundle_pos : ent_size(e->bundle_entry);
  int64_t delta = (int64_t)offset;
  /* As lseek: a position below 0 or beyond INT64_MAX is inval. */
  if (delta < 0 ? (uint64_t)-(delta + 1) + 1 > from : (uint64_t)delta > INT64_MAX - from)
    return WASI_EINVAL;
  e->bundle_pos = from + (uint64_t)delta;
  return wasi_put64(vm, newoffset, e->bundle_pos);
}

uint32_t wasi_bundle_fd_tell(w2e_vmctx *vm, wasi_bfd *e, uint32_t offset) {
  if (e->kind != WASI_FD_BUNDLE_FILE) return WASI_EBADF;
  if (!(e->base & WASI_RIGHT_FD_TELL)) return WASI_ENOTCAPABLE;
  if (!wasi_guest(vm, offset, 8)) return WASI_EFAULT;
  return wasi_put64(vm, offset, e->bundle_pos);
}

uint32_t wasi_bundle_fd_simple(wasi_bfd *e, uint64_t right, uint32_t ok) {
  if (e->kind != WASI_FD_BUNDLE_FILE) return WASI_EBADF;
  return (e->base & right) == right ? ok : WASI_ENOTCAPABLE;
}

uint32_t wasi_bundle_fd_filestat_get(w2e_vmctx *vm, wasi_bfd *e, uint32_t buf) {
  if (!(e->base & WASI_RIGHT_FD_FILESTAT_GET)) return WASI_ENOTCAPABLE;
  uint8_t *p = wasi_guest(vm, buf, 64);
  if (!p) return WASI_EFAULT;
  store_filestat(p, e->bundle_entry);
  return WASI_ESUCCESS;
}

bool wasi_bundle_at_end(const wasi_bfd *e) {
  return e->kind == WASI_FD_BUNDLE_FILE && e->bundle_pos >= ent_size(e->bundle_entry);
}

uint32_t wasi_bundle_fd_readdir(w2e_vmctx *vm, wasi_bfd *e, uint32_t buf, uint32_t buf_len,
                                uint64_t cookie, uint32_t bufused) {
  if (e->kind != WASI_FD_BUNDLE_DIR) return WASI_EBADF;
  if (!(e->base & WASI_RIGHT_FD_READDIR)) return WASI_ENOTCAPABLE;
  uint8_t *out = wasi_guest(vm, buf, buf_len);
  if (!out || !wasi_guest(vm, bufused, 4)) return WASI_EFAULT;
  uint32_t dir = e->bundle_entry;
  w2e_dirents d = {out, buf_len, 0};
  bool room = wasi_dirents_start(&d, cookie, ent_ino(dir));
  /* Child k has cookie k + 2: the listing is stateless. */
  uint64_t first = ent_off(dir), count = ent_size(dir);
  for (uint64_t k = cookie < 2 ? 0 : cookie - 2; room && k < count; k++) {
    uint32_t c = (uint32_t)(first + k), namelen;
    const char *name = ent_name(c, &namelen);
    room = w2e_dirent_put(&d, k + 3, ent_ino(c), ent_type(c), name, namelen);
  }
  return wasi_put32(vm, bufused, d.used);
}

